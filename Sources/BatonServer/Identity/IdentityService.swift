import Fluent
import Vapor
import BatonCore

/// The only way identity state changes: accounts, sessions, tokens and workspaces.
/// Membership changes (invitations, roles, managers, teams) are in IdentityService+Members.swift.
struct IdentityService: Sendable {
    let store: Store
    let passwords: PasswordHasher
    let clock: BatonClock
    let config: BatonConfig
    let publicBaseURL: String
    var throttle = LoginThrottle()

    struct Session: Sendable {
        let user: User
        let token: String
    }

    struct SignupResult: Sendable {
        let user: User
        let workspace: Workspace
        let token: String
    }

    // MARK: accounts

    func signup(email rawEmail: String, password: String, name rawName: String,
                workspaceName rawWorkspace: String, timeZone: String? = nil, address: String? = nil) async throws -> SignupResult {
        let email = try Validate.email(rawEmail)
        let name = try Validate.name(rawName)
        let workspaceName = try DisplayText.validate(rawWorkspace, label: "Workspace name", max: 100).orFail(field: "workspace_name")
        try Validate.password(password, field: "password")
        let hash = try await passwords.hash(password)
        let lifetime = config.sessionLifetime
        return try await store.write { ctx in
            let user = try await Self.createUser(email: email, name: name, hash: hash, timeZone: timeZone, ctx: ctx)
            let workspace = try await Self.createWorkspace(name: workspaceName, owner: user, ctx: ctx)
            let session = try await Self.issueToken(for: user, kind: .session, name: "Web session", lifetime: lifetime,
                                                    address: address, ctx: ctx)
            return SignupResult(user: user, workspace: workspace, token: session.secret)
        }
    }

    /// Used by `baton user create`: a user with a membership in a workspace found or made by name.
    func createUserFromCLI(email rawEmail: String, name rawName: String, password: String,
                           workspaceName: String, role: Role) async throws -> User {
        let email = try Validate.email(rawEmail)
        let name = try Validate.name(rawName)
        try Validate.password(password, field: "password")
        let hash = try await passwords.hash(password)
        return try await store.write { ctx in
            let user = try await Self.createUser(email: email, name: name, hash: hash, ctx: ctx)
            if let workspace = try await Workspace.query(on: ctx.db).filter(\.$name == workspaceName).first() {
                try await Self.addMembership(user: user, workspaceID: try workspace.requireID(), role: role,
                                             title: "", actor: nil, ctx: ctx)
            } else {
                _ = try await Self.createWorkspace(name: workspaceName, owner: user, ctx: ctx)
            }
            return user
        }
    }

    func login(email rawEmail: String, password: String, tokenName: String, address: String) async throws -> Session {
        let email = Self.throttleKey(rawEmail)
        guard let user = try await checkPassword(email: email, password: password, address: address) else {
            throw BatonError(.unauthorized, code: "invalid_credentials", message: "Email or password is incorrect.", field: "password")
        }
        let lifetime = config.sessionLifetime
        return try await store.write { ctx in
            let active = try await Membership.query(on: ctx.db)
                .filter(\.$user.$id == user.requireID()).filter(\.$deactivatedAt == nil).count()
            guard active > 0 else {
                throw BatonError(.unauthorized, code: "account_deactivated",
                                 message: "This account has been deactivated in every workspace it belonged to.")
            }
            try await Self.forgetFailures(email: email, address: address, ctx: ctx)
            let session = try await Self.issueToken(for: user, kind: .session, name: tokenName, lifetime: lifetime,
                                                    address: address, ctx: ctx)
            ctx.record(IdentityEvent.signedIn, workspace: nil, actor: try user.requireID(), subject: .token(try session.token.requireID()),
                       data: ["name": tokenName])
            return Session(user: user, token: session.secret)
        }
    }

    /// Every password check goes through here (sign-in, password change). The attempt is written
    /// as a failure *before* bcrypt runs, in a write that first counts the failures already there,
    /// so parallel guesses cannot all slip past the count; a right password then forgets it
    /// (the caller's write calls `forgetFailures`). An unknown email costs the same bcrypt work.
    /// Returns the user when the password is right, nil otherwise; throws 429 when throttled.
    func checkPassword(email: String, password: String, address: String) async throws -> User? {
        let throttle = self.throttle
        // Read before the write: who the account is and whether it signed in from here before.
        let user = try await User.query(on: store.reader).filter(\.$email == email).first()
        let known = try await user.asyncMap { user in
            try await AuthToken.query(on: store.reader).filter(\.$user.$id == user.requireID())
                .filter(\.$createdAddress == address).count() > 0
        } ?? false
        try await store.write { ctx in
            // One at a time per account and per address (always in this order, so never a cycle).
            try await ctx.serialize(key: "login:account:\(email)")
            try await ctx.serialize(key: "login:address:\(address)")
            let since = throttle.windowStart(ctx.now)
            // The newest failures under each key, as many as its limit looks at, in one statement.
            let rows = try await PlainSQL.rows(on: ctx.db, """
                SELECT 'pair' AS part, failed_at FROM (SELECT failed_at FROM login_failures
                    WHERE email = \(bind: email) AND address = \(bind: address) AND failed_at > \(bind: since)
                    ORDER BY failed_at DESC LIMIT \(bind: throttle.perAccountAndAddress)) AS pair
                UNION ALL SELECT 'address' AS part, failed_at FROM (SELECT failed_at FROM login_failures
                    WHERE address = \(bind: address) AND failed_at > \(bind: since)
                    ORDER BY failed_at DESC LIMIT \(bind: throttle.perAddress)) AS by_address
                UNION ALL SELECT 'account' AS part, failed_at FROM (SELECT failed_at FROM login_failures
                    WHERE email = \(bind: email) AND failed_at > \(bind: since)
                    ORDER BY failed_at DESC LIMIT \(bind: throttle.perAccount)) AS by_account
                """)
            var times: [String: [Date]] = [:]
            for row in rows { times[try row.decode(column: "part", as: String.self), default: []].append(try row.decode(column: "failed_at", as: Date.self)) }
            let failures = LoginThrottle.Failures(accountAndAddress: times["pair"] ?? [], address: times["address"] ?? [],
                                                  account: times["account"] ?? [], knownAddress: known && address != "unknown")
            if case .blocked(let seconds) = throttle.decide(failures, now: ctx.now) {
                throw BatonError.tooManyRequests(retryAfter: seconds)
            }
            let attempt = LoginFailure()
            attempt.email = email
            attempt.address = address
            attempt.failedAt = ctx.now
            try await attempt.create(on: ctx.db)
        }
        guard let user else {
            _ = try await passwords.hash(password)
            return nil
        }
        return try await passwords.verify(password, against: user.passwordHash) ? user : nil
    }

    /// After a right password: this account's failures from this address are forgotten.
    static func forgetFailures(email: String, address: String, ctx: WriteContext) async throws {
        try await LoginFailure.query(on: ctx.db).filter(\.$email == email).filter(\.$address == address).delete()
    }

    /// Failures older than the throttle's window count for nothing (the daily purge job).
    static func purgeLoginFailures(before cutoff: Date, ctx: WriteContext) async throws {
        try await LoginFailure.query(on: ctx.db).filter(\.$failedAt < cutoff).delete()
    }

    /// How a typed email is counted: normalized when valid; otherwise as typed, bounded in length.
    static func throttleKey(_ rawEmail: String) -> String {
        EmailAddress.normalized(rawEmail) ?? String(rawEmail.lowercased().prefix(320))
    }

    func logout(_ principal: Principal) async throws {
        try await store.write { ctx in
            try await AuthToken.query(on: ctx.db).filter(\.$id == principal.tokenID)
                .set(\.$revokedAt, to: ctx.now).update()
            ctx.record(IdentityEvent.signedOut, workspace: nil, actor: principal.userID, subject: .token(principal.tokenID))
        }
    }

    func updateProfile(_ principal: Principal, name rawName: String?, timeZone: String?, workingHours: WorkingHoursDTO? = nil) async throws -> User {
        let name = try rawName.map(Validate.name)
        if let timeZone, !TimeZoneName.isValid(timeZone) {
            throw BatonError.validation("time_zone", "Unknown time zone \"\(timeZone)\". Use an IANA name such as Europe/Berlin.")
        }
        if let hours = workingHours, let problem = WorkingHours(days: hours.days, start: hours.start, end: hours.end, timeZone: "UTC").problem() {
            throw BatonError.validation("working_hours.\(problem.field)", problem.message)
        }
        return try await store.write { ctx in
            guard let user = try await User.find(principal.userID, on: ctx.db) else { throw BatonError.unauthorized }
            var changed: [String: String] = [:]
            if let name, name != user.name { changed["name"] = name; user.name = name }
            if let timeZone, timeZone != user.timeZone { changed["time_zone"] = timeZone; user.timeZone = timeZone }
            if let hours = workingHours {
                let days = hours.days.sorted().map(String.init).joined(separator: ",")
                if days != user.workDays || hours.start != user.workStart || hours.end != user.workEnd {
                    changed["working_hours"] = "\(days) \(hours.start)–\(hours.end)"
                    user.workDays = days
                    user.workStart = hours.start
                    user.workEnd = hours.end
                }
            }
            guard !changed.isEmpty else { return user }
            try await user.save(on: ctx.db)
            ctx.record(IdentityEvent.profileUpdated, workspace: nil, actor: principal.userID, subject: .user(principal.userID), data: changed)
            return user
        }
    }

    /// Changing the password signs out every other browser session; API tokens keep working.
    /// The current password is checked through the login throttle like any other.
    func changePassword(_ principal: Principal, current: String, new: String, address: String) async throws {
        try Validate.password(new, field: "new_password")
        guard try await checkPassword(email: principal.email, password: current, address: address) != nil else {
            throw BatonError.validation("current_password", "Current password is incorrect.")
        }
        let hash = try await passwords.hash(new)
        try await store.write { ctx in
            try await Self.forgetFailures(email: principal.email, address: address, ctx: ctx)
            try await User.query(on: ctx.db).filter(\.$id == principal.userID).set(\.$passwordHash, to: hash).update()
            try await PasswordResetLink.retireAll(of: principal.userID, ctx: ctx)
            try await AuthToken.query(on: ctx.db)
                .filter(\.$user.$id == principal.userID).filter(\.$kind == .session)
                .filter(\.$id != principal.tokenID).filter(\.$revokedAt == nil)
                .set(\.$revokedAt, to: ctx.now).update()
            ctx.record(IdentityEvent.passwordChanged, workspace: nil, actor: principal.userID, subject: .user(principal.userID),
                       data: ["kept_token_id": principal.tokenID.uuidString])
        }
    }

    /// Used by `baton user reset-password`: sets a new password and signs the person out everywhere.
    func resetPassword(email rawEmail: String, password: String) async throws {
        let email = try Validate.email(rawEmail)
        try Validate.password(password, field: "password")
        let hash = try await passwords.hash(password)
        try await store.write { ctx in
            guard let user = try await User.query(on: ctx.db).filter(\.$email == email).first() else {
                throw BatonError.notFound("User \(email)")
            }
            let userID = try user.requireID()
            user.passwordHash = hash
            try await user.save(on: ctx.db)
            try await PasswordResetLink.retireAll(of: userID, ctx: ctx)
            try await AuthToken.query(on: ctx.db).filter(\.$user.$id == userID).filter(\.$kind == .session)
                .filter(\.$revokedAt == nil).set(\.$revokedAt, to: ctx.now).update()
            ctx.record(IdentityEvent.passwordReset, workspace: nil, actor: nil, subject: .user(userID))
        }
    }

    // MARK: workspaces

    func createWorkspace(_ principal: Principal, name rawName: String) async throws -> Workspace {
        let name = try DisplayText.validate(rawName, label: "Workspace name", max: 100).orFail(field: "name")
        return try await store.write { ctx in
            guard let user = try await User.find(principal.userID, on: ctx.db) else { throw BatonError.unauthorized }
            return try await Self.createWorkspace(name: name, owner: user, ctx: ctx)
        }
    }

    // MARK: personal API tokens

    struct CreatedToken: Sendable {
        let token: AuthToken
        let secret: String
    }

    func createToken(_ principal: Principal, name rawName: String) async throws -> CreatedToken {
        let name = try DisplayText.validate(rawName, label: "Token name", max: 100).orFail(field: "name")
        return try await store.write { ctx in
            guard let user = try await User.find(principal.userID, on: ctx.db) else { throw BatonError.unauthorized }
            return try await Self.createPersonalToken(for: user, name: name, actor: principal.userID, ctx: ctx)
        }
    }

    /// Used by `baton token create`.
    func createTokenFromCLI(email rawEmail: String, name: String) async throws -> CreatedToken {
        let email = try Validate.email(rawEmail)
        let name = try DisplayText.validate(name, label: "Token name", max: 100).orFail(field: "name")
        return try await store.write { ctx in
            guard let user = try await User.query(on: ctx.db).filter(\.$email == email).first() else {
                throw BatonError.notFound("User \(email)")
            }
            return try await Self.createPersonalToken(for: user, name: name, actor: nil, ctx: ctx)
        }
    }

    func revokeToken(_ principal: Principal, id: UUID) async throws {
        try await store.write { ctx in
            guard let token = try await AuthToken.query(on: ctx.db)
                .filter(\.$id == id).filter(\.$user.$id == principal.userID).filter(\.$kind == .personal)
                .filter(\.$revokedAt == nil).first()
            else { throw BatonError.notFound("Token") }
            token.revokedAt = ctx.now
            try await token.save(on: ctx.db)
            ctx.record(IdentityEvent.tokenRevoked, workspace: nil, actor: principal.userID, subject: .token(id), data: ["name": token.name])
        }
    }

    // MARK: building blocks shared inside transactions

    /// `timeZone`: the browser's, when it sent a valid one; UTC otherwise.
    static func createUser(email: String, name: String, hash: String, timeZone: String? = nil, ctx: WriteContext) async throws -> User {
        if try await User.query(on: ctx.db).filter(\.$email == email).count() > 0 {
            throw BatonError.conflict("email", "An account with this email already exists.")
        }
        let user = User()
        user.email = email
        user.name = name
        user.passwordHash = hash
        user.timeZone = timeZone.flatMap { TimeZoneName.isValid($0) ? $0 : nil } ?? "UTC"
        user.createdAt = ctx.now
        try await user.create(on: ctx.db)
        return user
    }

    static func createWorkspace(name: String, owner: User, ctx: WriteContext) async throws -> Workspace {
        let workspace = Workspace()
        workspace.name = name
        workspace.createdAt = ctx.now
        try await workspace.create(on: ctx.db)
        let workspaceID = try workspace.requireID()
        let ownerID = try owner.requireID()
        ctx.record(IdentityEvent.workspaceCreated, workspace: workspaceID, actor: ownerID, subject: .workspace(workspaceID), data: ["name": name])
        try await addMembership(user: owner, workspaceID: workspaceID, role: .owner, title: "", actor: ownerID, ctx: ctx)
        return workspace
    }

    static func addMembership(user: User, workspaceID: UUID, role: Role, title: String, actor: UUID?,
                              ctx: WriteContext, data: [String: String] = [:]) async throws {
        let membership = Membership()
        membership.workspaceID = workspaceID
        membership.$user.id = try user.requireID()
        membership.role = role
        membership.title = title
        membership.joinedAt = ctx.now
        try await membership.create(on: ctx.db)
        ctx.record(IdentityEvent.memberJoined, workspace: workspaceID, actor: actor ?? user.id, subject: .user(try user.requireID()),
                   data: data.merging(["role": role.rawValue, "name": user.name]) { $1 })
    }

    static func issueToken(for user: User, kind: AuthToken.Kind, name: String, lifetime: TimeInterval?,
                           address: String? = nil, ctx: WriteContext) async throws -> (token: AuthToken, secret: String) {
        let secret = Secret.generate()
        let token = AuthToken()
        token.$user.id = try user.requireID()
        token.kind = kind
        token.name = name
        token.tokenHash = Secret.hash(secret)
        token.createdAt = ctx.now
        token.expiresAt = lifetime.map { ctx.now.addingTimeInterval($0) }
        token.createdAddress = address
        try await token.create(on: ctx.db)
        return (token, secret)
    }

    private static func createPersonalToken(for user: User, name: String, actor: UUID?, ctx: WriteContext) async throws -> CreatedToken {
        let (token, secret) = try await issueToken(for: user, kind: .personal, name: name, lifetime: nil, ctx: ctx)
        ctx.record(IdentityEvent.tokenCreated, workspace: nil, actor: actor ?? user.id, subject: .token(try token.requireID()), data: ["name": name])
        return CreatedToken(token: token, secret: secret)
    }
}

extension Application {
    var identity: IdentityService {
        IdentityService(store: store, passwords: passwords, clock: clock, config: batonConfig, publicBaseURL: publicBaseURL)
    }
}

extension Request {
    var identity: IdentityService { application.identity }
}
