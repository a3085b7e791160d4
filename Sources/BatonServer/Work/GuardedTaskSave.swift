import Fluent
import SQLKit
import Vapor

/// Writes a task's changed columns only if its stored version is still the one it was read at.
/// This lets a change validate against a snapshot read outside the write lock and hold the lock
/// just for its UPDATE and events: a concurrent change makes the UPDATE match no row (409).
enum GuardedTaskSave {
    static func save(_ task: WorkTask, readAtVersion: Int, ctx: WriteContext) async throws {
        let changed = ChangedColumns()
        task.input(to: changed)
        guard !changed.values.isEmpty else { return }
        var update = ctx.sql.update(WorkTask.schema)
        for (column, value) in changed.values.sorted(by: { $0.key < $1.key }) {
            update = update.set(SQLIdentifier(column), to: try value.sqlExpression())
        }
        let saved = try await update
            .where("id", .equal, SQLBind(try task.requireID()))
            .where("version", .equal, SQLBind(readAtVersion))
            .returning("version")
            .all()
        guard !saved.isEmpty else {
            throw BatonError.conflict("version", "Someone else changed this task just now. Reload and try again.")
        }
    }
}

/// Collects the columns Fluent would write for a model's pending changes.
private final class ChangedColumns: DatabaseInput {
    var values: [String: DatabaseQuery.Value] = [:]

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
        values[key.description] = value
    }
}

private extension DatabaseQuery.Value {
    func sqlExpression() throws -> any SQLExpression {
        switch self {
        case .bind(let value): SQLBind(value)
        case .null: SQLLiteral.null
        default: throw Abort(.internalServerError, reason: "Unsupported column value in a task update: \(self)")
        }
    }
}
