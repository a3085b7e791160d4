import Fluent
import FluentSQL
import SQLKit

/// Reads on hot paths written as SQL text and decoded into the same Fluent models.
///
/// Fluent's query builder selects every column of every model as `"table"."column" AS
/// "table_column"`, and SQLKit escapes each identifier with a generic `String.replacing` — on
/// Linux that alone was a fifth of a task PATCH's CPU (perf, 10k-task bench). The text here is
/// plain SQL that SQLite and PostgreSQL read alike; values always go in as binds.
enum PlainSQL {
    static func all<M: Model>(_ type: M.Type, on db: any Database, _ query: SQLQueryString) async throws -> [M] {
        try await (db as! any SQLDatabase).raw(query).all(decodingFluent: M.self)
    }

    static func first<M: Model>(_ type: M.Type, on db: any Database, _ query: SQLQueryString) async throws -> M? {
        try await (db as! any SQLDatabase).raw(query).first(decodingFluent: M.self)
    }

    static func rows(on db: any Database, _ query: SQLQueryString) async throws -> [any SQLRow] {
        try await (db as! any SQLDatabase).raw(query).all()
    }

    static func run(on db: any Database, _ query: SQLQueryString) async throws {
        try await (db as! any SQLDatabase).raw(query).run()
    }
}
