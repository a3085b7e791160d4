import FluentKit
import FluentSQL
import NIOCore
import SQLKit
import SQLiteKit
import SQLiteNIO

/// Where a `DirectSQLiteDatabase`'s statements run, and on which connection.
protocol DirectSQLiteRunner: Sendable {
    /// Runs `body` with a connection; the future completes on `eventLoop`.
    func run<T: Sendable>(on eventLoop: any EventLoop,
                          _ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) -> EventLoopFuture<T>
    func run<T: Sendable>(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) async throws -> T
}

/// Fluent's and SQLKit's view of a `DirectSQLiteConnection`, so services use `ctx.db` and
/// `store.reader` as they would any Fluent database. SQL is written by SQLKit's SQLite dialect and
/// values go in and out through SQLiteKit's encoder and decoder, as with Fluent's own driver.
struct DirectSQLiteDatabase: Database, SQLDatabase {
    let runner: any DirectSQLiteRunner
    let context: DatabaseContext
    let inTransaction: Bool

    var dialect: any SQLDialect { SQLiteDialect() }
    var queryLogLevel: Logger.Level? { .trace }
    var eventLoop: any EventLoop { context.eventLoop }
    var logger: Logger { context.logger }

    // MARK: SQLKit

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        let statement: (String, [SQLiteData])
        do { statement = try encoded(query) } catch { return eventLoop.makeFailedFuture(error) }
        return runner.run(on: eventLoop) { connection in try connection.query(statement.0, statement.1) }
            .map { result in result.rows.forEach(onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (sql, binds) = try encoded(query)
        let result = try await runner.run { connection in try connection.query(sql, binds) }
        result.rows.forEach(onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await closure(self)
    }

    private func encoded(_ query: any SQLExpression) throws -> (String, [SQLiteData]) {
        let (sql, binds) = serialize(query)
        if logger.logLevel <= .trace { logger.trace("Executing query", metadata: ["sql": .string(sql)]) }
        return (sql, try binds.map { try Self.encoder.encode($0) })
    }

    private static let encoder = SQLiteDataEncoder()

    // MARK: Fluent

    func execute(query: DatabaseQuery, onOutput: @escaping @Sendable (any DatabaseOutput) -> Void) -> EventLoopFuture<Void> {
        var sql = SQLQueryConverter(delegate: DirectSQLiteConverterDelegate()).convert(query)
        // As Fluent's SQLite driver does: a create hands back the id it stored.
        if case .create = query.action, query.customIDKey != .some(.string("")) {
            sql = SQLKit.SQLList([sql, SQLReturning(.init((query.customIDKey ?? .id).description))], separator: SQLRaw(" "))
        }
        return execute(sql: sql) { row in onOutput(DirectSQLiteOutput(row: row, schema: nil)) }
    }

    func execute(schema: DatabaseSchema) -> EventLoopFuture<Void> {
        eventLoop.makeFailedFuture(DirectSQLiteError(code: 1, message: "Schema changes run as migrations on Fluent's SQLite driver."))
    }

    func execute(enum: DatabaseEnum) -> EventLoopFuture<Void> {
        eventLoop.makeSucceededFuture(())
    }

    func transaction<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        guard !inTransaction else { return closure(self) }
        let inside = DirectSQLiteDatabase(runner: runner, context: context, inTransaction: true)
        let body = inside.raw("BEGIN IMMEDIATE").run().flatMap { closure(inside) }
        return body.flatMap { _ in inside.raw("COMMIT").run() }
            .flatMap { _ in body }
            .flatMapError { error in
                inside.raw("ROLLBACK").run().flatMapErrorThrowing { _ in throw error }.flatMapThrowing { _ -> T in throw error }
            }
    }

    func withConnection<T: Sendable>(_ closure: @escaping @Sendable (any Database) -> EventLoopFuture<T>) -> EventLoopFuture<T> {
        closure(self)
    }
}

/// Column types as Fluent's SQLite driver names them.
private struct DirectSQLiteConverterDelegate: SQLConverterDelegate {
    func customDataType(_ dataType: DatabaseSchema.DataType) -> (any SQLExpression)? {
        switch dataType {
        case .string, .enum: SQLRaw("TEXT")
        case .datetime: SQLRaw("REAL")
        case .int64: SQLRaw("INTEGER")
        default: nil
        }
    }
}
