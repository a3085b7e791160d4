import Fluent
import SQLKit

/// Archived tasks leave every list; their row, history and number stay.
struct AddTaskArchive: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkTask.schema).field("archived_at", .datetime).update()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(WorkTask.schema).deleteField("archived_at").update()
    }
}

/// The columns and table behind "the brief is the delegator's": a submission waiting for
/// acceptance, its return with feedback, the open question, waiver requests, self-assessments of
/// checkpoints, and proposed brief changes.
struct AddDelegationReview: AsyncMigration {
    /// One column per ALTER: SQLite adds only one at a time.
    private static let columns: [(table: String, name: String, type: DatabaseSchema.DataType)] = [
        (WorkTask.schema, "acceptance_requested_at", .datetime),
        (WorkTask.schema, "acceptance_target_stage_id", .uuid),
        (WorkTask.schema, "acceptance_from_stage_id", .uuid),
        (WorkTask.schema, "returned_at", .datetime),
        (WorkTask.schema, "return_feedback", .string),
        (WorkTask.schema, "clarification_question", .string),
        (ChecklistItem.schema, "waiver_request_reason", .string),
        (ChecklistItem.schema, "waiver_requested_by", .uuid),
        (ChecklistItem.schema, "waiver_requested_at", .datetime),
        (Checkpoint.schema, "self_status", .string),
        (Checkpoint.schema, "self_note", .string),
        (Checkpoint.schema, "self_assessed_at", .datetime),
    ]

    func prepare(on database: any Database) async throws {
        for column in Self.columns {
            try await database.schema(column.table).field(.string(column.name), column.type).update()
        }
        try await database.schema(BriefProposal.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("field", .string, .required)
            .field("text", .string, .required)
            .field("reason", .string, .required)
            .field("proposed_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("decided_at", .datetime)
            .field("decided_by", .uuid, .references(User.schema, "id"))
            .field("accepted", .bool)
            .create()
        try await SQLIndex.create("brief_proposals_task", on: BriefProposal.schema, columns: ["task_id", "created_at"], database)
        // The dashboard asks "what waits for me": submissions by delegator.
        try await SQLIndex.create("tasks_awaiting_acceptance", on: WorkTask.schema, columns: ["delegator_id", "acceptance_requested_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await (database as? any SQLDatabase)?.drop(index: "tasks_awaiting_acceptance").run()
        try await database.schema(BriefProposal.schema).delete()
        for column in Self.columns.reversed() {
            try await database.schema(column.table).deleteField(.string(column.name)).update()
        }
    }
}
