import Fluent
import Vapor
import BatonCore

/// HTML pages for signing up and in, invitations, profile, tokens and new workspaces.
/// People and activity pages are in PeoplePages.swift.
struct IdentityPages {
    func register(_ routes: PageRoutes) throws {
        let pages = routes.open
        pages.get(IdentityPaths.home.route, use: home)
        pages.get(IdentityPaths.login.route, use: loginPage)
        pages.post(IdentityPaths.login.route, use: login)
        pages.get(IdentityPaths.signup.route, use: signupPage)
        pages.post(IdentityPaths.signup.route, use: signup)
        pages.post(IdentityPaths.logout.route, use: logout)
        pages.get(IdentityPaths.invite.route, use: invitePage)
        pages.post(IdentityPaths.invite.route, use: acceptInvite)
        try routes.open.register(collection: PasswordResetPages())
        let signedIn = routes.signedIn
        signedIn.get(IdentityPaths.profile.route, use: profilePage)
        signedIn.post(IdentityPaths.profile.route, use: saveProfile)
        signedIn.post(IdentityPaths.password.route, use: changePassword)
        signedIn.get(IdentityPaths.tokens.route, use: tokensPage)
        signedIn.post(IdentityPaths.tokens.route, use: createToken)
        signedIn.post(IdentityPaths.revokeToken.route, use: revokeToken)
        signedIn.get(IdentityPaths.newWorkspace.route, use: newWorkspacePage)
        signedIn.post(IdentityPaths.workspaces.route, use: createWorkspace)
        try routes.workspace.register(collection: PeoplePages())
    }

    func home(req: Request) async throws -> Response {
        guard let principal = req.optionalPrincipal else { return req.redirect(to: IdentityPaths.login.url()) }
        let workspaces = try await IdentityQueries.workspaces(of: principal.userID, on: req.reader)
        guard let current = PageRenderer.currentWorkspaceID(req, among: workspaces) else { return req.redirect(to: IdentityPaths.newWorkspace.url()) }
        return req.redirect(to: try await req.application.modules.landing(workspaceID: current, userID: principal.userID, on: req.reader))
    }

    // MARK: sign in and up

    struct LoginContext: Encodable { let next: String }

    func loginPage(req: Request) async throws -> Response {
        if req.optionalPrincipal != nil { return req.redirect(to: IdentityPaths.home.url()) }
        let next = safeNext(req.queryText("next"))
        return try await PageRenderer.render("auth/login", Page(title: "Sign in", layout: try await PageRenderer.layout(for: req),
                                                                 page: LoginContext(next: next)), for: req)
    }

    func login(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let next = safeNext(form["next"])
        do {
            let session = try await req.identity.login(email: form["email"] ?? "", password: form["password"] ?? "", tokenName: "Web session",
                                                       address: req.clientAddress)
            let response = req.redirect(to: next)
            SessionCookie.set(session.token, on: response, for: req)
            return response
        } catch let error as BatonError {
            var page = Page(title: "Sign in", layout: try await PageRenderer.layout(for: req), page: LoginContext(next: next))
            page.errors[error.field ?? "email"] = error.message
            page.form = ["email": form["email"] ?? ""]
            let response = try await PageRenderer.render("auth/login", page, for: req, status: error.status)
            response.headers.add(contentsOf: error.headers)
            return response
        }
    }

    func signupPage(req: Request) async throws -> Response {
        try await PageRenderer.render("auth/signup", Page(title: "Create your workspace", layout: try await PageRenderer.layout(for: req),
                                                          page: NoContext()), for: req)
    }

    func signup(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            let result = try await req.identity.signup(email: form["email"] ?? "", password: form["password"] ?? "",
                                                       name: form["name"] ?? "", workspaceName: form["workspace_name"] ?? "",
                                                       timeZone: form["time_zone"], address: req.clientAddress)
            let response = PageRenderer.redirect(req, to: IdentityPaths.people.url(try result.workspace.requireID()),
                                                 notice: "Welcome to Baton. Invite your team to get started.")
            SessionCookie.set(result.token, on: response, for: req)
            return response
        } catch let error as BatonError where error.field != nil {
            var page = Page(title: "Create your workspace", layout: try await PageRenderer.layout(for: req), page: NoContext())
            page.errors[error.field!] = error.message
            page.form = form.filter { $0.key != "password" && $0.key != CSRF.field }
            return try await PageRenderer.render("auth/signup", page, for: req, status: error.status)
        }
    }

    func logout(req: Request) async throws -> Response {
        if let principal = req.optionalPrincipal { try await req.identity.logout(principal) }
        let response = req.redirect(to: IdentityPaths.login.url())
        SessionCookie.clear(on: response, for: req)
        return response
    }

    // MARK: invitations

    /// The page is the same whether or not the email has an account; only who is signed in changes it.
    struct InviteContext: Encodable {
        let secret: String
        let email: String
        let role: String
        let workspaceName: String
        let expires: String
        /// Signed in as the invited email: one click joins.
        let signedInAsInvitee: Bool
        /// Signed in as someone else: their name, so the page can say so.
        let signedInAs: String?
        let signInLink: String
    }

    private func inviteContext(_ req: Request, secret: String) async throws -> InviteContext {
        let (invitation, workspace) = try await req.identity.pendingInvitation(secret: secret, on: req.reader)
        let principal = req.optionalPrincipal
        let isInvitee = principal?.email == invitation.email
        let here = IdentityPaths.invite.url(secret)
        return InviteContext(secret: secret, email: invitation.email, role: invitation.role.rawValue, workspaceName: workspace.name,
                             expires: BatonDate.long(invitation.expiresAt, timeZone: principal?.timeZone),
                             signedInAsInvitee: isInvitee, signedInAs: isInvitee ? nil : principal.map { "\($0.name) (\($0.email))" },
                             signInLink: IdentityPaths.login.url() + "?next=" + (here.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/"))
    }

    struct GoneContext: Encodable { let message: String; let accepted: Bool }

    func invitePage(req: Request) async throws -> Response {
        let context: InviteContext
        do {
            context = try await inviteContext(req, secret: try req.parameters.require("secret"))
        } catch let error as BatonError where error.status == .gone {
            // a used link offers sign-in: the person who used it most likely has an account now
            return try await PageRenderer.render("auth/invite-gone", Page(
                title: "Invitation used", layout: try await PageRenderer.layout(for: req),
                page: GoneContext(message: error.message, accepted: error.code == "invitation_accepted")), for: req, status: .gone)
        }
        return try await PageRenderer.render("auth/invite", Page(title: "Join \(context.workspaceName)",
                                                                  layout: try await PageRenderer.layout(for: req), page: context), for: req)
    }

    func acceptInvite(req: Request) async throws -> Response {
        let secret = try req.parameters.require("secret")
        let form = try req.content.decode([String: String].self)
        let context = try await inviteContext(req, secret: secret)
        do {
            let accepted = try await req.identity.acceptInvitation(secret: secret, name: form["name"], password: form["password"],
                                                                   timeZone: form["time_zone"], signedIn: req.optionalPrincipal,
                                                                   address: req.clientAddress)
            let response = PageRenderer.redirect(req, to: try await req.application.modules.landing(workspaceID: accepted.workspaceID,
                                                                                                     userID: try accepted.user.requireID(), on: req.reader), notice: "You joined \(context.workspaceName).")
            if let token = accepted.token { SessionCookie.set(token, on: response, for: req) }
            return response
        } catch let error as BatonError where error.status != .internalServerError {
            var page = Page(title: "Join \(context.workspaceName)", layout: try await PageRenderer.layout(for: req), page: context)
            page.errors[error.field ?? "invitation"] = error.message
            page.form = ["name": form["name"] ?? ""]
            return try await PageRenderer.render("auth/invite", page, for: req, status: error.status)
        }
    }

    // MARK: profile

    struct ProfileContext: Encodable {
        let name: String
        let email: String
        let timeZone: String
        let timeZones: [String]
        let title: String
        let hasWorkspace: Bool
        /// Other modules' sections of one's profile (out of office, from Approvals).
        let panels: [String]
        struct Day: Encodable { let number: Int; let label: String; let on: Bool }
        let workDays: [Day]
        let workStart: String
        let workEnd: String

        static func days(_ hours: WorkingHours) -> [Day] {
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].enumerated().map { Day(number: $0 + 1, label: $1, on: hours.days.contains($0 + 1)) }
        }
    }

    private func profilePage(_ req: Request, errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let principal = try req.principal()
        let layout = try await PageRenderer.layout(for: req, nav: "profile")
        var title = ""
        if let workspaceID = layout.workspaceId {
            title = try await Membership.query(on: req.reader).filter(\.$workspaceID == workspaceID)
                .filter(\.$user.$id == principal.userID).first()?.title ?? ""
        }
        guard let user = try await User.find(principal.userID, on: req.reader) else { throw BatonError.unauthorized }
        var panels: [String] = []
        if let workspaceID = layout.workspaceId {
            let access = try await Tenancy.access(workspaceID, for: principal.userID, on: req.reader)
            panels = try await req.application.modules.panels(.init(req: req, access: access, subjectType: "profile", subjectID: principal.userID))
        }
        var page = Page(title: "Profile", layout: layout,
                        page: ProfileContext(name: user.name, email: user.email, timeZone: user.timeZone,
                                             timeZones: TimeZoneName.choices(including: user.timeZone), title: title,
                                             hasWorkspace: layout.workspaceId != nil, panels: panels,
                                             workDays: ProfileContext.days(user.workingHours), workStart: user.workingHours.start,
                                             workEnd: user.workingHours.end))
        page.errors = errors
        return try await PageRenderer.render("account/profile", page, for: req, status: status)
    }

    func profilePage(req: Request) async throws -> Response { try await profilePage(req) }

    func saveProfile(req: Request) async throws -> Response {
        let principal = try req.principal()
        let form = try req.content.decode([String: String].self)
        do {
            // the form's working days are checkboxes day_1 … day_7
            let hours = form["work_start"].map { start in
                WorkingHoursDTO(days: (1...7).filter { form["day_\($0)"] != nil }, start: start, end: form["work_end"] ?? "")
            }
            _ = try await req.identity.updateProfile(principal, name: form["name"], timeZone: form["time_zone"], workingHours: hours)
            if let title = form["title"], let workspaceID = form["workspace_id"].flatMap(UUID.init(uuidString:)) {
                let access = try await Tenancy.access(workspaceID, for: principal.userID, on: req.reader)
                _ = try await req.identity.updateMember(access, userID: principal.userID, changes: .init(title: title))
            }
            return PageRenderer.redirect(req, to: IdentityPaths.profile.url(), notice: "Profile saved.")
        } catch let error as BatonError where error.field != nil {
            let field = ["working_hours.days": "work_days", "working_hours.start": "work_start", "working_hours.end": "work_end"][error.field!] ?? error.field!
            return try await profilePage(req, errors: [field: error.message], status: error.status)
        }
    }

    func changePassword(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await req.identity.changePassword(try req.principal(), current: form["current_password"] ?? "",
                                                  new: form["new_password"] ?? "", address: req.clientAddress)
            return PageRenderer.redirect(req, to: IdentityPaths.profile.url(), notice: "Password changed. Other browsers were signed out.")
        } catch let error as BatonError where error.field != nil {
            return try await profilePage(req, errors: [error.field!: error.message], status: error.status)
        }
    }

    // MARK: tokens

    struct TokensContext: Encodable {
        struct Row: Encodable { let id: UUID; let name: String; let created: String }
        let tokens: [Row]
        let newToken: String?
    }

    private func tokensPage(_ req: Request, newToken: String? = nil, errors: [String: String] = [:],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let principal = try req.principal()
        let rows = try await IdentityQueries.tokens(of: principal.userID, on: req.reader).map {
            TokensContext.Row(id: $0.id, name: $0.name, created: BatonDate.long($0.createdAt, timeZone: principal.timeZone))
        }
        var page = Page(title: "API tokens", layout: try await PageRenderer.layout(for: req, nav: "tokens"),
                        page: TokensContext(tokens: rows, newToken: newToken))
        page.errors = errors
        return try await PageRenderer.render("account/tokens", page, for: req, status: status)
    }

    func tokensPage(req: Request) async throws -> Response { try await tokensPage(req) }

    func createToken(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            let created = try await req.identity.createToken(try req.principal(), name: form["name"] ?? "")
            // The secret is shown on this response only; it is never stored or shown again.
            return try await tokensPage(req, newToken: created.secret, status: .created)
        } catch let error as BatonError where error.field != nil {
            return try await tokensPage(req, errors: [error.field!: error.message], status: error.status)
        }
    }

    func revokeToken(req: Request) async throws -> Response {
        try await req.identity.revokeToken(try req.principal(), id: try req.uuidParameter("tokenID", label: "Token"))
        return PageRenderer.redirect(req, to: IdentityPaths.tokens.url(), notice: "Token revoked.")
    }

    // MARK: workspaces

    func newWorkspacePage(req: Request) async throws -> Response {
        _ = try req.principal()
        return try await PageRenderer.render("account/new-workspace", Page(title: "New workspace",
                                                                          layout: try await PageRenderer.layout(for: req), page: NoContext()), for: req)
    }

    func createWorkspace(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            let workspace = try await req.identity.createWorkspace(try req.principal(), name: form["name"] ?? "")
            return PageRenderer.redirect(req, to: IdentityPaths.people.url(try workspace.requireID()), notice: "Workspace \(workspace.name) created.")
        } catch let error as BatonError where error.field != nil {
            var page = Page(title: "New workspace", layout: try await PageRenderer.layout(for: req), page: NoContext())
            page.errors["name"] = error.message
            page.form = ["name": form["name"] ?? ""]
            return try await PageRenderer.render("account/new-workspace", page, for: req, status: error.status)
        }
    }

    // MARK: helpers

    /// Only local paths: a login link must not bounce people to another site.
    private func safeNext(_ raw: String?) -> String { RedirectTarget.safePath(raw) }
}
