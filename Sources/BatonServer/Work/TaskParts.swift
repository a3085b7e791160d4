import Fluent
import SQLKit
import Foundation
import BatonCore

/// Everything a task page or a task reply shows besides the task row — acceptance checklist,
/// checkpoints, open brief proposals, watchers, subtasks, custom field values — read in one query.
///
/// Five small reads cost five round trips to SQLite's thread pool, and on a task PATCH those hops
/// were most of the time left after the write. The parts share one row shape
/// (checklist rows also carry the waiver request in person2/text4/at2, checkpoint rows the
/// self-assessment in text4/text5/at3):
///
/// | part       | id        | person      | text1 | text2         | text3  | at1        | at2         | position |
/// |------------|-----------|-------------|-------|---------------|--------|------------|-------------|----------|
/// | checklist  | item      | checked_by  | text  | waived_reason |        | checked_at |             | position |
/// | checkpoint | checkpoint| reviewed_by | title | note          | status | due_at     | reviewed_at |          |
/// | proposal   | proposal  | proposed_by | field | text          | reason | created_at |             |          |
/// | watcher    | user      |             |       |               |        |            |             |          |
/// | subtask    | task      |             |       |               |        | created_at |             |          |
/// | field      |           |             | name  | value         |        |            |             |          |
struct TaskParts {
    var checklist: [ChecklistItem] = []
    var checkpoints: [Checkpoint] = []
    /// Open ones only (not yet accepted or declined), oldest first.
    var proposals: [BriefProposal] = []
    var watchers: [UUID] = []
    var subtasks: [UUID] = []
    var fields: [String: String] = [:]

    static func read(of taskID: UUID, on db: any Database) async throws -> TaskParts {
        let rows = try await PlainSQL.rows(on: db, """
            SELECT 'checklist' AS part, id, checked_by AS person, waiver_requested_by AS person2, text AS text1,
                   waived_reason AS text2, NULL AS text3, waiver_request_reason AS text4, NULL AS text5,
                   checked_at AS at1, waiver_requested_at AS at2, NULL AS at3, position
                FROM checklist_items WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'checkpoint', id, reviewed_by, NULL, title, note, status, self_status, self_note,
                   due_at, reviewed_at, self_assessed_at, NULL
                FROM checkpoints WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'proposal', id, proposed_by, NULL, field, text, reason, NULL, NULL, created_at, NULL, NULL, NULL
                FROM brief_proposals WHERE task_id = \(bind: taskID) AND decided_at IS NULL
            UNION ALL SELECT 'watcher', user_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                FROM task_watchers WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'subtask', id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, created_at, NULL, NULL, NULL
                FROM tasks WHERE parent_id = \(bind: taskID)
            UNION ALL SELECT 'field', NULL, NULL, NULL, custom_fields.name, task_field_values.value, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                FROM task_field_values JOIN custom_fields ON custom_fields.id = task_field_values.field_id
                WHERE task_field_values.task_id = \(bind: taskID)
            ORDER BY part, position, at1
            """)
        var parts = TaskParts()
        for row in rows {
            switch try row.decode(column: "part", as: String.self) {
            case "checklist":
                let item = ChecklistItem()
                item.id = try row.decode(column: "id", as: UUID.self)
                item.taskID = taskID
                item.position = try row.decode(column: "position", as: Int.self)
                item.text = try row.decode(column: "text1", as: String.self)
                item.waivedReason = try row.decode(column: "text2", as: String?.self)
                item.checkedAt = try row.decode(column: "at1", as: Date?.self)
                item.checkedBy = try row.decode(column: "person", as: UUID?.self)
                item.waiverRequestReason = try row.decode(column: "text4", as: String?.self)
                item.waiverRequestedBy = try row.decode(column: "person2", as: UUID?.self)
                item.waiverRequestedAt = try row.decode(column: "at2", as: Date?.self)
                parts.checklist.append(item)
            case "checkpoint":
                let checkpoint = Checkpoint()
                checkpoint.id = try row.decode(column: "id", as: UUID.self)
                checkpoint.taskID = taskID
                checkpoint.title = try row.decode(column: "text1", as: String.self)
                checkpoint.note = try row.decode(column: "text2", as: String.self)
                checkpoint.status = try row.decode(column: "text3", as: String?.self).flatMap(CheckpointStatus.init(rawValue:))
                checkpoint.dueAt = try row.decode(column: "at1", as: Date.self)
                checkpoint.reviewedAt = try row.decode(column: "at2", as: Date?.self)
                checkpoint.reviewedBy = try row.decode(column: "person", as: UUID?.self)
                checkpoint.selfStatus = try row.decode(column: "text4", as: String?.self).flatMap(CheckpointStatus.init(rawValue:))
                checkpoint.selfNote = try row.decode(column: "text5", as: String?.self)
                checkpoint.selfAssessedAt = try row.decode(column: "at3", as: Date?.self)
                parts.checkpoints.append(checkpoint)
            case "proposal":
                let proposal = BriefProposal()
                proposal.id = try row.decode(column: "id", as: UUID.self)
                proposal.taskID = taskID
                proposal.proposedBy = try row.decode(column: "person", as: UUID.self)
                proposal.field = try row.decode(column: "text1", as: String.self)
                proposal.text = try row.decode(column: "text2", as: String.self)
                proposal.reason = try row.decode(column: "text3", as: String.self)
                proposal.createdAt = try row.decode(column: "at1", as: Date.self)
                parts.proposals.append(proposal)
            case "watcher": parts.watchers.append(try row.decode(column: "id", as: UUID.self))
            case "subtask": parts.subtasks.append(try row.decode(column: "id", as: UUID.self))
            default: parts.fields[try row.decode(column: "text1", as: String.self)] = try row.decode(column: "text2", as: String.self)
            }
        }
        return parts
    }
}
