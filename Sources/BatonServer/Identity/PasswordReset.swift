import Fluent
import SQLKit
import Vapor
import BatonCore

/// "Forgot password": an emailed link that works once, for an hour. The answer to a request is
/// the same whether or not the address has an account; requests are counted per address and per
/// email (known or not), and past the limit nothing more is sent. Only the link's hash is stored.
extension IdentityService {
    static let resetLifetime: TimeInterval = 3600
    static let resetRequestsPerEmail = 3
    static let resetRequestsPerAddress = 10

    func requestPasswordReset(email rawEmail: String, address: String) async throws {
        let email = try Validate.email(rawEmail)
        let secret = Secret.generate()
        let link = "\(publicBaseURL)/reset-password/\(secret)"
        let logger = Logger(label: "baton.identity")
        try await store.write { ctx in
            let since = ctx.now.addingTimeInterval(-Self.resetLifetime)
            let byEmail = try await PasswordResetRequest.query(on: ctx.db).filter(\.$email == email).filter(\.$requestedAt > since).count()
            let byAddress = try await PasswordResetRequest.query(on: ctx.db).filter(\.$address == address).filter(\.$requestedAt > since).count()
            let request = PasswordResetRequest()
            request.id = UUID()
            request.email = email
            request.address = String(address.prefix(100))
            request.requestedAt = ctx.now
            try await ctx.insert(request)
            guard byEmail < Self.resetRequestsPerEmail, byAddress < Self.resetRequestsPerAddress else {
                logger.notice("password reset not sent: too many requests", metadata: ["address": "\(address)"])
                return
            }
            guard let user = try await User.query(on: ctx.db).filter(\.$email == email).first(), let userID = user.id else { return }
            let reset = PasswordResetLink()
            reset.id = UUID()
            reset.userID = userID
            reset.secretHash = Secret.hash(secret)
            reset.createdAt = ctx.now
            reset.expiresAt = ctx.now.addingTimeInterval(Self.resetLifetime)
            try await ctx.insert(reset)
            try await Outbox.queue(.init(
                to: email, subject: "Reset your Baton password",
                text: """
                    Someone (we hope you) asked to reset the password of your Baton account.

                    Choose a new password here (the link works once, for one hour):
                    \(OutboxEmail.linkPlaceholder)

                    If it was not you, ignore this email: your password stays as it is.
                    """,
                secretLink: link, dedupeKey: "password-reset:\(reset.id!)"), ctx: ctx)
            ctx.record(IdentityEvent.passwordResetRequested, workspace: nil, actor: nil, subject: .user(userID))
        }
    }

    /// Sets the new password, revokes every session and API token, and retires every link.
    func resetPassword(secret: String, password: String, address: String) async throws {
        let hash = Secret.hash(secret)
        // The cheap lookup first: a made-up link costs no bcrypt.
        guard try await PasswordResetLink.usable(hash: hash, now: clock.now(), on: store.reader) != nil else { throw Self.linkGone }
        try Validate.password(password, field: "password")
        let passwordHash = try await passwords.hash(password)
        try await store.write { ctx in
            // Claimed in one statement: of two uses at once, one gets the row, the other a 404.
            let claimed = try await ctx.sql.raw("""
                UPDATE password_resets SET used_at = \(bind: ctx.now)
                WHERE secret_hash = \(bind: hash) AND used_at IS NULL AND expires_at > \(bind: ctx.now) RETURNING user_id
                """).all()
            guard let row = claimed.first, let user = try await User.find(try row.decode(column: "user_id", as: UUID.self), on: ctx.db)
            else { throw Self.linkGone }
            let userID = try user.requireID()
            try await PasswordResetLink.retireAll(of: userID, ctx: ctx)
            user.passwordHash = passwordHash
            try await user.save(on: ctx.db)
            // Recovery after a takeover: the browsers and the API tokens an intruder may hold stop working.
            try await AuthToken.query(on: ctx.db).filter(\.$user.$id == userID)
                .filter(\.$revokedAt == nil).set(\.$revokedAt, to: ctx.now).update()
            try await LoginFailure.query(on: ctx.db).filter(\.$email == user.email).delete()
            ctx.record(IdentityEvent.passwordResetByLink, workspace: nil, actor: userID, subject: .user(userID))
        }
    }

    static let linkGone = BatonError(.notFound, code: "not_found",
                                     message: "This reset link is not valid any more (it was used, or it is more than an hour old). Ask for a new one.")

    /// Requests older than the counting window and links long expired (the daily purge).
    static func purgePasswordResets(before cutoff: Date, ctx: WriteContext) async throws {
        try await PasswordResetRequest.query(on: ctx.db).filter(\.$requestedAt < cutoff).delete()
        try await PasswordResetLink.query(on: ctx.db).filter(\.$expiresAt < cutoff).delete()
    }
}

final class PasswordResetLink: Model, @unchecked Sendable {
    static let schema = "password_resets"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "secret_hash") var secretHash: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "used_at") var usedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $userID, $secretHash, $createdAt, $expiresAt, $usedAt] }

    /// A new password (by link, by the person, by an operator) ends every open link, and the
    /// links still waiting in the outbox.
    static func retireAll(of userID: UUID, ctx: WriteContext) async throws {
        let links = try await query(on: ctx.db).filter(\.$userID == userID).all()
        guard !links.isEmpty else { return }
        try await query(on: ctx.db).filter(\.$userID == userID).filter(\.$usedAt == nil).set(\.$usedAt, to: ctx.now).update()
        try await OutboxEmail.query(on: ctx.db).filter(\.$dedupeKey ~~ links.map { "password-reset:\($0.id!)" })
            .set(\.$secretLink, to: nil).update()
    }

    static func usable(hash: String, now: Date, on db: any Database) async throws -> PasswordResetLink? {
        try await query(on: db).filter(\.$secretHash == hash).filter(\.$usedAt == nil).filter(\.$expiresAt > now).first()
    }
}

final class PasswordResetRequest: Model, @unchecked Sendable {
    static let schema = "password_reset_requests"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "requested_at") var requestedAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $email, $address, $requestedAt] }
}

struct CreatePasswordResets: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(PasswordResetLink.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id", onDelete: .cascade))
            .field("secret_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("used_at", .datetime)
            .unique(on: "secret_hash")
            .create()
        try await SQLIndex.create("password_resets_user", on: PasswordResetLink.schema, columns: ["user_id"], database)
        try await database.schema(PasswordResetRequest.schema)
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("requested_at", .datetime, .required)
            .create()
        try await SQLIndex.create("password_reset_requests_email", on: PasswordResetRequest.schema, columns: ["email", "requested_at"], database)
        try await SQLIndex.create("password_reset_requests_address", on: PasswordResetRequest.schema, columns: ["address", "requested_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(PasswordResetRequest.schema).delete()
        try await database.schema(PasswordResetLink.schema).delete()
    }
}

/// What the forms and the API say, the same for an address with or without an account.
enum PasswordResetWords {
    static let sent = "If that address has a Baton account, a link to choose a new password is on its way. It works once, for one hour."
    static let done = "Your password is changed; every browser was signed out and your API tokens revoked. Sign in with the new one."
}
