import Fluent
import SQLKit
import Foundation
import BatonCore

/// Everything a task page or a task reply shows besides the task row — acceptance checklist,
/// checkpoints, watchers, subtasks, custom field values — read in one query.
///
/// Five small reads cost five round trips to SQLite's thread pool, and on a task PATCH those hops
/// were most of the time left after the write. The parts share one row shape:
///
/// | part       | id        | person      | text1 | text2         | text3  | at1        | at2         | position |
/// |------------|-----------|-------------|-------|---------------|--------|------------|-------------|----------|
/// | checklist  | item      | checked_by  | text  | waived_reason |        | checked_at |             | position |
/// | checkpoint | checkpoint| reviewed_by | title | note          | status | due_at     | reviewed_at |          |
/// | watcher    | user      |             |       |               |        |            |             |          |
/// | subtask    | task      |             |       |               |        | created_at |             |          |
/// | field      |           |             | name  | value         |        |            |             |          |
struct TaskParts {
    var checklist: [ChecklistItem] = []
    var checkpoints: [Checkpoint] = []
    var watchers: [UUID] = []
    var subtasks: [UUID] = []
    var fields: [String: String] = [:]

    static func read(of taskID: UUID, on db: any Database) async throws -> TaskParts {
        let rows = try await PlainSQL.rows(on: db, """
            SELECT 'checklist' AS part, id, checked_by AS person, text AS text1, waived_reason AS text2, NULL AS text3,
                   checked_at AS at1, NULL AS at2, position
                FROM checklist_items WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'checkpoint', id, reviewed_by, title, note, status, due_at, reviewed_at, NULL
                FROM checkpoints WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'watcher', user_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
                FROM task_watchers WHERE task_id = \(bind: taskID)
            UNION ALL SELECT 'subtask', id, NULL, NULL, NULL, NULL, created_at, NULL, NULL
                FROM tasks WHERE parent_id = \(bind: taskID)
            UNION ALL SELECT 'field', NULL, NULL, custom_fields.name, task_field_values.value, NULL, NULL, NULL, NULL
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
                parts.checkpoints.append(checkpoint)
            case "watcher": parts.watchers.append(try row.decode(column: "id", as: UUID.self))
            case "subtask": parts.subtasks.append(try row.decode(column: "id", as: UUID.self))
            default: parts.fields[try row.decode(column: "text1", as: String.self)] = try row.decode(column: "text2", as: String.self)
            }
        }
        return parts
    }
}
