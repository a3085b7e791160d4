import Fluent
import SQLKit

/// Fluent's schema builder has no indexes; this is the one place that creates them.
enum SQLIndex {
    static func create(_ name: String, on table: String, columns: [String], unique: Bool = false,
                       _ database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        var builder = sql.create(index: name).on(table)
        if unique { builder = builder.unique() }
        for column in columns { builder = builder.column(column) }
        try await builder.run()
    }
}
