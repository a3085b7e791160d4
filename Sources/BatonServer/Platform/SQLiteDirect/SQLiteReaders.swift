import FluentKit
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// Read-only connections to the SQLite file, used on a thread pool of their own: a query is one
/// hop to a pool thread, which runs it on an idle connection (its statements prepared once) and
/// hands back all rows at once.
///
/// Through Fluent's SQLite driver the same read prepared its statement every time and sent every
/// row back to the event loop as a task of its own. WAL readers never block each other or the writer; a connection is opened whenever all
/// are busy (pool threads plus point reads on the event loops) and kept. Read-only, so nothing can
/// write past the writer and its lock.
final class SQLiteReaders: DirectSQLiteRunner, Sendable {
    private let path: String
    private let pool: NIOThreadPool
    private let idle = NIOLockedValueBox<Idle>(Idle())
    let threadCount: Int

    private struct Idle {
        var connections: [DirectSQLiteConnection] = []
        var closed = false
    }

    init(path: String, threads: Int = max(2, System.coreCount)) {
        self.path = path
        self.threadCount = threads
        self.pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    func run<T: Sendable>(on eventLoop: any EventLoop,
                          _ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) -> EventLoopFuture<T> {
        pool.runIfActive(eventLoop: eventLoop) { try self.withIdleConnection(body) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) async throws -> T {
        try await pool.runIfActive { try self.withIdleConnection(body) }
    }

    /// Runs `body` on every idle connection, one at a time (for tests; call it when no query runs).
    func onEveryConnection(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> Void) async throws {
        try await pool.runIfActive {
            let all = self.idle.withLockedValue { idle in
                defer { idle.connections.removeAll() }
                return idle.connections
            }
            defer { self.idle.withLockedValue { $0.connections.append(contentsOf: all) } }
            for connection in all { try body(connection) }
        }
    }

    /// Runs `body` with a database that reads one snapshot: one connection, kept for the whole
    /// body, inside one read transaction (WAL gives it the state as of its first read). On the
    /// pool's threads, or `inline` on the calling thread for a few point reads.
    func withSnapshot<T: Sendable>(inline: Bool, context: DatabaseContext,
                                   _ body: @Sendable (any Database) async throws -> T) async throws -> T {
        let connection = try takeConnection()
        let runner = PinnedConnection(connection: connection, pool: inline ? nil : pool)
        let db = DirectSQLiteDatabase(runner: runner, context: context, inTransaction: true)
        do {
            _ = try await runner.run { try $0.query("BEGIN", []) }
            let value = try await body(db)
            _ = try await runner.run { try $0.query("COMMIT", []) }
            giveBack(connection)
            return value
        } catch {
            _ = try? await runner.run { try $0.query("ROLLBACK", []) }
            giveBack(connection)
            throw error
        }
    }

    /// One connection for the length of a snapshot; its statements run one after another.
    private struct PinnedConnection: DirectSQLiteRunner {
        let connection: DirectSQLiteConnection
        let pool: NIOThreadPool?

        func run<T: Sendable>(on eventLoop: any EventLoop,
                              _ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) -> EventLoopFuture<T> {
            guard let pool else {
                do { return eventLoop.makeSucceededFuture(try body(connection)) } catch { return eventLoop.makeFailedFuture(error) }
            }
            return pool.runIfActive(eventLoop: eventLoop) { try body(connection) }
        }

        func run<T: Sendable>(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) async throws -> T {
            guard let pool else { return try body(connection) }
            return try await pool.runIfActive { try body(connection) }
        }
    }

    fileprivate func withIdleConnection<T>(_ body: (DirectSQLiteConnection) throws -> T) throws -> T {
        let connection = try takeConnection()
        defer { giveBack(connection) }
        return try body(connection)
    }

    private func takeConnection() throws -> DirectSQLiteConnection {
        let taken = try idle.withLockedValue { idle -> DirectSQLiteConnection? in
            guard !idle.closed else { throw Abort.databaseShuttingDown }
            return idle.connections.popLast()
        }
        return try taken ?? DirectSQLiteConnection(path: path, readOnly: true)
    }

    private func giveBack(_ connection: DirectSQLiteConnection) {
        let keep = idle.withLockedValue { idle -> Bool in
            guard !idle.closed else { return false }
            idle.connections.append(connection)
            return true
        }
        if !keep { connection.close() }
    }

    fileprivate func shutdown() async {
        try? await pool.shutdownGracefully()
        closeIdle()
    }

    fileprivate func shutdownSync() {
        try? pool.syncShutdownGracefully()
        closeIdle()
    }

    /// After the pool has stopped no query runs, so every connection is idle.
    private func closeIdle() {
        let all = idle.withLockedValue { idle in
            idle.closed = true
            defer { idle.connections.removeAll() }
            return idle.connections
        }
        for connection in all { connection.close() }
    }

    func configuration() -> any DatabaseConfiguration { ReadersConfiguration(readers: self, inline: false) }

    /// The same connections, queried on the calling thread: for point reads (a few rows by key),
    /// where the hop to a pool thread and back cost more than the read. A long query must not use
    /// it: it would hold up an event loop and every connection on it.
    func inlineConfiguration() -> any DatabaseConfiguration { ReadersConfiguration(readers: self, inline: true) }

    fileprivate var inline: any DirectSQLiteRunner { InlineReads(readers: self) }

    fileprivate struct InlineReads: DirectSQLiteRunner {
        let readers: SQLiteReaders

        func run<T: Sendable>(on eventLoop: any EventLoop,
                              _ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) -> EventLoopFuture<T> {
            do { return eventLoop.makeSucceededFuture(try readers.withIdleConnection(body)) } catch { return eventLoop.makeFailedFuture(error) }
        }

        func run<T: Sendable>(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) async throws -> T {
            try readers.withIdleConnection(body)
        }
    }
}

private struct ReadersConfiguration: DatabaseConfiguration {
    let readers: SQLiteReaders
    let inline: Bool
    var middleware: [any AnyModelMiddleware] = []

    func makeDriver(for _: Databases) -> any DatabaseDriver { ReadersDriver(readers: readers, inline: inline) }
}

/// The pool's driver closes the connections; the inline one shares them and leaves that to it.
private struct ReadersDriver: DatabaseDriver {
    let readers: SQLiteReaders
    let inline: Bool

    func makeDatabase(with context: DatabaseContext) -> any Database {
        DirectSQLiteDatabase(runner: inline ? readers.inline : readers, context: context, inTransaction: false)
    }

    func shutdown() { if !inline { readers.shutdownSync() } }

    func shutdownAsync() async { if !inline { await readers.shutdown() } }
}
