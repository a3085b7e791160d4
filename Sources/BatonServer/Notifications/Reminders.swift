import Fluent
import Foundation
import Vapor
import BatonCore

/// "Remind me on <date> with <note>" on a task: a person's own alternative to checking in by hand.
/// Delivered once, by a durable job, to the inbox (and email, by preference).
final class Reminder: Model, @unchecked Sendable {
    static let schema = "reminders"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "subject_type") var subjectType: String
    @Field(key: "subject_id") var subjectID: UUID
    @Field(key: "remind_at") var remindAt: Date
    @Field(key: "note") var note: String
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "delivered_at") var deliveredAt: Date?
    @OptionalField(key: "cancelled_at") var cancelledAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] {
        [$id, $workspaceID, $userID, $subjectType, $subjectID, $remindAt, $note, $createdAt, $updatedAt, $deliveredAt, $cancelledAt]
    }

    var status: String { cancelledAt != nil ? "cancelled" : deliveredAt != nil ? "delivered" : "pending" }

    /// The job that delivers it at `remindAt`: a changed time is a new job, and the old one finds
    /// the time no longer matches and does nothing.
    var jobKey: String { "reminder:\(id?.uuidString ?? ""):\(Int((remindAt.timeIntervalSince1970 * 1000).rounded()))" }
}

struct CreateReminders: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Reminder.schema)
            .id()
            .field("workspace_id", .uuid, .required)
            .field("user_id", .uuid, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .uuid, .required)
            .field("remind_at", .datetime, .required)
            .field("note", .string, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("delivered_at", .datetime)
            .field("cancelled_at", .datetime)
            .create()
        try await SQLIndex.create("reminders_owner", on: Reminder.schema, columns: ["user_id", "remind_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(Reminder.schema).delete()
    }
}

extension JobKind {
    static let reminderDue = JobKind("reminder.due")
}

/// The reminder as the API shows it.
struct ReminderDTO: Content {
    let id: UUID
    let workspaceId: UUID
    let subjectType: String
    let subjectId: UUID
    let subjectTitle: String
    let remindAt: Date
    let note: String
    let status: String
    let createdAt: Date
    let deliveredAt: Date?

    init(_ reminder: Reminder, title: String) {
        id = reminder.id!
        workspaceId = reminder.workspaceID
        subjectType = reminder.subjectType
        subjectId = reminder.subjectID
        subjectTitle = title
        remindAt = reminder.remindAt
        note = reminder.note
        status = reminder.status
        createdAt = reminder.createdAt
        deliveredAt = reminder.deliveredAt
    }
}
