import Fluent
import Foundation

/// One entry of someone's inbox: what happened (one or more events by one person to one
/// subject, `event_ids`), read and archived state. `position` is the id of its newest event: the
/// inbox lists newest first by it, and a page's cursor is a position.
final class InboxEntry: Model, @unchecked Sendable {
    static let schema = "notifications"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "subject_type") var subjectType: String
    @OptionalField(key: "subject_id") var subjectID: UUID?
    @Field(key: "subject_title") var subjectTitle: String
    /// The events it lists, oldest first, joined by ";".
    @Field(key: "event_ids") var eventIDs: String
    @Field(key: "lines") var lines: Int
    @Field(key: "position") var position: Int
    @Field(key: "first_at") var firstAt: Date
    @Field(key: "last_at") var lastAt: Date
    @OptionalField(key: "read_at") var readAt: Date?
    @OptionalField(key: "archived_at") var archivedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] {
        [$id, $workspaceID, $userID, $actorID, $kind, $subjectType, $subjectID, $subjectTitle, $eventIDs, $lines, $position,
         $firstAt, $lastAt, $readAt, $archivedAt]
    }

    var events: [Int] { eventIDs.split(separator: ";").compactMap { Int($0) } }
}

struct CreateNotifications: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(InboxEntry.schema)
            .id()
            .field("workspace_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("actor_id", .uuid)
            .field("kind", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .uuid)
            .field("subject_title", .string, .required)
            .field("event_ids", .string, .required)
            .field("lines", .int, .required)
            .field("position", .int64, .required)
            .field("first_at", .datetime, .required)
            .field("last_at", .datetime, .required)
            .field("read_at", .datetime)
            .field("archived_at", .datetime)
            .create()
        // the inbox, newest first; the unread count and the open entries a burst may join
        try await SQLIndex.create("notifications_inbox", on: InboxEntry.schema, columns: ["user_id", "position"], database)
        try await SQLIndex.create("notifications_unread", on: InboxEntry.schema,
                                  columns: ["user_id", "workspace_id", "read_at", "archived_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(InboxEntry.schema).delete()
    }
}
