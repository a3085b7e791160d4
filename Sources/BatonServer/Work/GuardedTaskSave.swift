import Fluent
import SQLKit
import Vapor

/// Writes a task's changed columns only if its stored version is still the one it was read at.
/// This lets a change validate against a snapshot read outside the write lock and hold the lock
/// just for its UPDATE and events: a concurrent change makes the UPDATE match no row (409).
enum GuardedTaskSave {
    /// A change beside the task's columns (an item, a comment, a stage's new category): the task
    /// moves to the next version, written only over the version it was read at.
    static func saveNextVersion(_ task: WorkTask, readAtVersion: Int, ctx: WriteContext) async throws {
        task.version = readAtVersion + 1
        task.updatedAt = ctx.now
        try await save(task, readAtVersion: readAtVersion, ctx: ctx)
    }

    static func save(_ task: WorkTask, readAtVersion: Int, ctx: WriteContext) async throws {
        let changed = ModelColumns(of: task)
        guard !changed.names.isEmpty else { return }
        var query = SQLQueryString("UPDATE \(unsafeRaw: WorkTask.schema) SET ")
        for (index, (column, value)) in zip(changed.names, changed.values).enumerated() {
            query.appendInterpolation(unsafeRaw: "\(index > 0 ? ", " : "")\(column) = ")
            query.appendInterpolation(try value.sqlExpression())
        }
        query.appendInterpolation(unsafeRaw: " WHERE id = ")
        query.appendInterpolation(bind: try task.requireID())
        query.appendInterpolation(unsafeRaw: " AND version = ")
        query.appendInterpolation(bind: readAtVersion)
        query.appendInterpolation(unsafeRaw: " RETURNING version")
        guard try await !PlainSQL.rows(on: ctx.db, query).isEmpty else {
            throw BatonError.conflict("version", "Someone else changed this task just now. Reload and try again.")
        }
    }
}
