import Fluent
import FluentSQL
import SQLKit
import Vapor

/// Reads on hot paths written as SQL text and decoded into the same Fluent models.
///
/// Fluent's query builder selects every column of every model as `"table"."column" AS
/// "table_column"`, and SQLKit escapes each identifier with a slow generic `String.replacing`. The text here is
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

    /// " FOR UPDATE" on PostgreSQL when `locking` (the row stays locked until the transaction
    /// ends); nothing on SQLite, whose single writer serializes writes already.
    static func rowLock(_ locking: Bool = true, on db: any Database) -> String {
        locking && (db as? any SQLDatabase)?.dialect.name == "postgresql" ? " FOR UPDATE" : ""
    }
}

extension PlainSQL {
    /// `table.column AS prefixcolumn, …` for every column of a model, so it can share a row with another.
    static func columns<M: Model>(of type: M.Type, table: String, prefix: String) -> String {
        M().properties.compactMap { $0 as? any AnyDatabaseProperty }.flatMap(\.keys)
            .map { "\(table).\($0.description) AS \(prefix)\($0.description)" }
            .joined(separator: ", ")
    }

    /// A model read from the columns `columns(of:table:prefix:)` selected.
    static func decode<M: Model>(_ type: M.Type, prefix: String, from row: any SQLRow) throws -> M {
        let model = M()
        try model.output(from: PrefixedRowOutput(row: row, prefix: prefix))
        return model
    }
}

private struct PrefixedRowOutput: DatabaseOutput {
    let row: any SQLRow
    let prefix: String

    var description: String { "\(prefix)* of \(row)" }

    func schema(_ schema: String) -> any DatabaseOutput { self }

    func contains(_ key: FieldKey) -> Bool { row.contains(column: prefix + key.description) }

    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: prefix + key.description) }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T {
        try row.decode(column: prefix + key.description, as: T.self)
    }
}

extension PlainSQL {
    /// INSERT of a new model's fields as plain SQL (Fluent's `create` spelled every column through
    /// the slow identifier escaping: a 50,000-row import spent most of its time there).
    static func insert<M: Model>(_ model: M, on db: any Database) async throws where M.IDValue == UUID {
        if model.id == nil { model.id = UUID() }
        let columns = ModelColumns(of: model)
        var query = SQLQueryString("INSERT INTO \(unsafeRaw: M.schema) (\(unsafeRaw: columns.names.joined(separator: ", "))) VALUES (")
        for (index, value) in columns.values.enumerated() {
            if index > 0 { query.appendInterpolation(unsafeRaw: ", ") }
            query.appendInterpolation(try value.sqlExpression())
        }
        query.appendInterpolation(unsafeRaw: ")")
        try await run(on: db, query)
        model._$idExists = true
    }
}

extension PlainSQL {
    /// Bound values per statement: under SQLite's 32,766 and PostgreSQL's 65,535.
    static let bindsPerStatement = 30_000

    /// New models of one table as multi-row INSERTs, as many rows per statement as the bind limit
    /// allows. Columns a model leaves unset are NULL.
    static func insertMany<M: Model>(_ models: [M], on db: any Database) async throws where M.IDValue == UUID {
        for model in models where model.id == nil { model.id = UUID() }
        for statement in try insertStatements(into: M.schema, rows: models.map { ModelColumns(of: $0) }) {
            try await run(on: db, statement)
        }
        for model in models { model._$idExists = true }
    }

    static func insertStatements(into table: String, rows: [ModelColumns]) throws -> [SQLQueryString] {
        guard !rows.isEmpty else { return [] }
        var names: [String] = []
        for row in rows { for name in row.names where !names.contains(name) { names.append(name) } }
        let perStatement = max(1, bindsPerStatement / names.count)
        var statements: [SQLQueryString] = []
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            var query = SQLQueryString("INSERT INTO \(unsafeRaw: table) (\(unsafeRaw: names.joined(separator: ", "))) VALUES ")
            for (index, row) in rows[start..<min(rows.count, start + perStatement)].enumerated() {
                query.appendInterpolation(unsafeRaw: index > 0 ? ", (" : "(")
                let values = Dictionary(zip(row.names, row.values), uniquingKeysWith: { first, _ in first })
                for (column, name) in names.enumerated() {
                    if column > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(try (values[name] ?? .null).sqlExpression())
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            statements.append(query)
        }
        return statements
    }
}

/// A statement whose SQL text and binds were written beforehand (for the dialect it will run
/// on), so a long bulk write spends its time under the write lock running, not writing SQL.
struct SerializedStatement: SQLExpression {
    let sql: String
    let binds: [any Encodable & Sendable]

    init(_ expression: any SQLExpression, for database: any SQLDatabase) {
        (sql, binds) = database.serialize(expression)
    }

    func serialize(to serializer: inout SQLSerializer) {
        serializer.sql += sql
        serializer.binds += binds
    }
}

/// The columns Fluent would write for a model: all of a new one's, only the changed ones of a loaded one.
final class ModelColumns: DatabaseInput {
    private(set) var names: [String] = []
    private(set) var values: [DatabaseQuery.Value] = []

    init(of model: some Model) {
        model.input(to: self)
    }

    func set(_ value: DatabaseQuery.Value, at key: FieldKey) {
        names.append(key.description)
        values.append(value)
    }
}

extension DatabaseQuery.Value {
    func sqlExpression() throws -> any SQLExpression {
        switch self {
        case .bind(let value): SQLBind(value)
        case .null: SQLLiteral.null
        default: throw Abort(.internalServerError, reason: "Unsupported column value: \(self)")
        }
    }
}
