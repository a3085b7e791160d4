import Foundation
import Fluent
import SQLKit

struct CreateIdentity: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema)
            .id()
            .field("email", .string, .required)
            .field("name", .string, .required)
            .field("password_hash", .string, .required)
            .field("time_zone", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "email")
            .create()
        try await database.schema(Workspace.schema)
            .id()
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await database.schema(Membership.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("role", .string, .required)
            .field("title", .string, .required)
            .field("manager_id", .uuid, .references(User.schema, "id"))
            .field("joined_at", .datetime, .required)
            .field("deactivated_at", .datetime)
            .unique(on: "workspace_id", "user_id")
            .create()
        try await SQLIndex.create("memberships_user", on: Membership.schema, columns: ["user_id"], database)
        try await database.schema(Team.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("name", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "workspace_id", "name")
            .create()
        try await database.schema(TeamMember.schema)
            .id()
            .field("team_id", .uuid, .required, .references(Team.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("added_at", .datetime, .required)
            .unique(on: "team_id", "user_id")
            .create()
        try await database.schema(Invitation.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("email", .string, .required)
            .field("role", .string, .required)
            .field("token_hash", .string, .required)
            .field("invited_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime, .required)
            .field("accepted_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await SQLIndex.create("invitations_workspace", on: Invitation.schema, columns: ["workspace_id", "created_at"], database)
        try await database.schema(AuthToken.schema)
            .id()
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("kind", .string, .required)
            .field("name", .string, .required)
            .field("token_hash", .string, .required)
            .field("created_at", .datetime, .required)
            .field("expires_at", .datetime)
            .field("revoked_at", .datetime)
            .unique(on: "token_hash")
            .create()
        try await SQLIndex.create("auth_tokens_user", on: AuthToken.schema, columns: ["user_id", "kind"], database)
        try await database.schema(LoginFailure.schema)
            .id()
            .field("email", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
        try await SQLIndex.create("login_failures_email", on: LoginFailure.schema, columns: ["email", "failed_at"], database)
        try await database.schema(OutboxEmail.schema)
            .id()
            .field("dedupe_key", .string, .required)
            .field("to_address", .string, .required)
            .field("subject", .string, .required)
            .field("body", .string, .required)
            .field("created_at", .datetime, .required)
            .field("sent_at", .datetime)
            .unique(on: "dedupe_key")
            .create()
    }

    func revert(on database: any Database) async throws {
        for schema in [OutboxEmail.schema, LoginFailure.schema, AuthToken.schema, Invitation.schema,
                       TeamMember.schema, Team.schema, Membership.schema, Workspace.schema, User.schema] {
            try await database.schema(schema).delete()
        }
    }
}

/// Login failures are counted per account and client address (LoginThrottle), and a session
/// remembers the address it was signed in from, so that address stays open while others are blocked.
struct ThrottleLoginsByAddress: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(LoginFailure.schema).delete()
        try await database.schema(LoginFailure.schema)
            .id()
            .field("email", .string, .required)
            .field("address", .string, .required)
            .field("failed_at", .datetime, .required)
            .create()
        try await SQLIndex.create("login_failures_email", on: LoginFailure.schema, columns: ["email", "failed_at"], database)
        try await SQLIndex.create("login_failures_address", on: LoginFailure.schema, columns: ["address", "failed_at"], database)
        try await database.schema(AuthToken.schema).field("created_address", .string).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(AuthToken.schema).deleteField("created_address").update()
    }
}

/// Invitation links out of plain text once they are not needed: the outbox keeps the link in a
/// column of its own (dropped when sent or when the invitation ends), finished jobs lose it.
struct ShortLivedInvitationLinks: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(OutboxEmail.schema).field("secret_link", .string).update()
        guard let sql = database as? any SQLDatabase else { return }
        // plain SQL: the model has columns later migrations add
        let rows = try await sql.raw("""
            SELECT id, dedupe_key, body, sent_at FROM outbox_emails WHERE dedupe_key LIKE 'invitation.email:%'
            """).all()
        for row in rows {
            let (messageID, key, body) = (try row.decode(column: "id", as: UUID.self), try row.decode(column: "dedupe_key", as: String.self),
                                          try row.decode(column: "body", as: String.self))
            let sentAt = try row.decode(column: "sent_at", as: Date?.self)
            let lines = body.components(separatedBy: "\n")
            guard let link = lines.first(where: { $0.hasPrefix("http://") || $0.hasPrefix("https://") }) else { continue }
            let id = key.split(separator: ":").last.flatMap { UUID(uuidString: String($0)) }
            var pending = false
            if let id, let invitation = try await Invitation.find(id, on: database) {
                pending = invitation.state(now: Date()) == .pending
            }
            let newBody = lines.map { $0 == link ? OutboxEmail.linkPlaceholder : $0 }.joined(separator: "\n")
            let secret: String? = pending && sentAt == nil ? link : nil
            try await sql.raw("UPDATE outbox_emails SET body = \(bind: newBody), secret_link = \(bind: secret) WHERE id = \(bind: messageID)").run()
        }
        try await sql.raw("""
            UPDATE jobs SET payload = '{}' WHERE kind = \(bind: JobKind.invitationEmail.rawValue)
              AND (done_at IS NOT NULL OR failed_at IS NOT NULL)
            """).run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(OutboxEmail.schema).deleteField("secret_link").update()
    }
}

/// Names are one printable line now (DisplayText); the ones stored before are made so.
struct RepairIdentityNames: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await OneLineRepair.run(table: User.schema, column: "name", fallback: "Unnamed", on: database)
        try await OneLineRepair.run(table: Workspace.schema, column: "name", fallback: "Workspace", on: database)
        try await OneLineRepair.run(table: Team.schema, column: "name", scope: ["workspace_id"], fallback: "Team", on: database)
        try await OneLineRepair.run(table: AuthToken.schema, column: "name", fallback: "Token", on: database)
    }

    func revert(on database: any Database) async throws {}
}

/// A team may have a lead (approvals route to "the team's lead").
/// Working hours on the profile (the time zone is there already): scheduled messages "at the
/// start of their working day" and reminders "during their working hours" read them.
struct AddWorkingHours: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(User.schema).field("work_days", .string).update()
        try await database.schema(User.schema).field("work_start", .string).update()
        try await database.schema(User.schema).field("work_end", .string).update()
    }

    func revert(on database: any Database) async throws {
        for field in ["work_days", "work_start", "work_end"] { try await database.schema(User.schema).deleteField(.string(field)).update() }
    }
}

struct AddTeamLeads: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Team.schema).field("lead_id", .uuid).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Team.schema).deleteField("lead_id").update()
    }
}
