import Fluent
import Vapor
import BatonCore

final class User: Model, @unchecked Sendable {
    static let schema = "users"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "name") var name: String
    @Field(key: "password_hash") var passwordHash: String
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "created_at") var createdAt: Date
    /// Working days as ISO weekdays ("1,2,3,4,5") and hours ("09:00"–"17:30") in `time_zone`; nil: the defaults.
    @OptionalField(key: "work_days") var workDays: String?
    @OptionalField(key: "work_start") var workStart: String?
    @OptionalField(key: "work_end") var workEnd: String?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $email, $name, $passwordHash, $timeZone, $createdAt, $workDays, $workStart, $workEnd] }

    /// When they work, in their time zone: "at the start of their working day" and reminders read this.
    var workingHours: WorkingHours {
        let defaults = WorkingHours()
        return WorkingHours(days: workDays.map { $0.split(separator: ",").compactMap { Int($0) } } ?? defaults.days,
                            start: workStart ?? defaults.start, end: workEnd ?? defaults.end, timeZone: timeZone)
    }
}

final class Workspace: Model, @unchecked Sendable {
    static let schema = "workspaces"

    @ID(key: .id) var id: UUID?
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $name, $createdAt] }
}

/// A person's place in a workspace: role, title, manager, and whether they are still active.
final class Membership: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "memberships"
    static var workspaceKey: KeyPath<Membership, FieldProperty<Membership, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Parent(key: "user_id") var user: User
    @Field(key: "role") var role: Role
    @Field(key: "title") var title: String
    @OptionalField(key: "manager_id") var managerID: UUID?
    @Field(key: "joined_at") var joinedAt: Date
    @OptionalField(key: "deactivated_at") var deactivatedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $workspaceID, $user, $role, $title, $managerID, $joinedAt, $deactivatedAt] }

    var isActive: Bool { deactivatedAt == nil }
}

final class Team: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "teams"
    static var workspaceKey: KeyPath<Team, FieldProperty<Team, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "created_at") var createdAt: Date
    /// Who leads the team: approvals can route to "the team's lead".
    @OptionalField(key: "lead_id") var leadID: UUID?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $workspaceID, $name, $createdAt, $leadID] }
}

final class TeamMember: Model, @unchecked Sendable {
    static let schema = "team_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "team_id") var teamID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "added_at") var addedAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $teamID, $userID, $addedAt] }
}

final class Invitation: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "invitations"
    static var workspaceKey: KeyPath<Invitation, FieldProperty<Invitation, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "email") var email: String
    @Field(key: "role") var role: Role
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "invited_by") var invitedBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "expires_at") var expiresAt: Date
    @OptionalField(key: "accepted_at") var acceptedAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [
        $id, $workspaceID, $email, $role, $tokenHash, $invitedBy, $createdAt, $expiresAt, $acceptedAt,
        $revokedAt,
    ] }

    func state(now: Date) -> InvitationRules.State {
        InvitationRules.state(acceptedAt: acceptedAt, revokedAt: revokedAt, expiresAt: expiresAt, now: now)
    }
}

/// A browser session or a personal API token. Only the SHA-256 of the secret is stored.
final class AuthToken: Model, @unchecked Sendable {
    static let schema = "auth_tokens"

    enum Kind: String, Codable { case session, personal }

    @ID(key: .id) var id: UUID?
    @Parent(key: "user_id") var user: User
    @Field(key: "kind") var kind: Kind
    @Field(key: "name") var name: String
    @Field(key: "token_hash") var tokenHash: String
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "expires_at") var expiresAt: Date?
    @OptionalField(key: "revoked_at") var revokedAt: Date?
    /// The client address a browser session was signed in from (LoginThrottle's known address).
    @OptionalField(key: "created_address") var createdAddress: String?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $user, $kind, $name, $tokenHash, $createdAt, $expiresAt, $revokedAt, $createdAddress] }
}

final class LoginFailure: Model, @unchecked Sendable {
    static let schema = "login_failures"

    @ID(key: .id) var id: UUID?
    @Field(key: "email") var email: String
    @Field(key: "address") var address: String
    @Field(key: "failed_at") var failedAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $email, $address, $failedAt] }
}

/// Emails waiting for delivery (delivery itself is a later module). Unique per job, so a re-run job
/// never queues the same email twice.
final class OutboxEmail: Model, @unchecked Sendable {
    static let schema = "outbox_emails"

    @ID(key: .id) var id: UUID?
    @Field(key: "dedupe_key") var dedupeKey: String
    @Field(key: "to_address") var toAddress: String
    @Field(key: "subject") var subject: String
    /// The text, with `OutboxEmail.linkPlaceholder` where a secret link goes (InvitationJobs).
    @Field(key: "body") var body: String
    @OptionalField(key: "secret_link") var secretLink: String?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "sent_at") var sentAt: Date?
    /// The workspace it is about (its admins see it in their outbox); nil for an account's own mail.
    @OptionalField(key: "workspace_id") var workspaceID: UUID?
    /// The HTML part; without one, the text is shown as HTML.
    @OptionalField(key: "html") var html: String?
    /// queued, sent, held (no mail server configured) or failed (given up); nil is queued.
    @OptionalField(key: "status") var status: String?
    @OptionalField(key: "attempts") var attempts: Int?
    @OptionalField(key: "last_error") var lastError: String?
    /// Where `List-Unsubscribe` points (someone's notification settings).
    @OptionalField(key: "unsubscribe_url") var unsubscribeURL: String?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] {
        [$id, $dedupeKey, $toAddress, $subject, $body, $secretLink, $createdAt, $sentAt, $workspaceID, $html, $status, $attempts,
         $lastError, $unsubscribeURL]
    }
}
