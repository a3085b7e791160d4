import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Vapor

public enum DatabaseDialect: String, Sendable {
    case sqlite, postgres
}

/// The only way state changes: `store.write { ctx in ... }` runs one transaction, writes its events
/// last, commits, then hands the events to the live hub.
///
/// On SQLite all writes go through one connection behind a non-reentrant lock: SQLite allows one
/// writer, and letting pooled connections race for it fails with `database is locked`.
public final class Store: Sendable {
    public let dialect: DatabaseDialect
    let nodeID: String
    private let databases: Databases
    private let writerThreads: WriterThreads
    /// SQLite only: the connections `reader` reads on.
    let sqliteReaders: SQLiteReaders?
    let groupCommit: GroupCommit
    let principals = PrincipalCache()
    private let logger: Logger
    let clock: BatonClock
    let hub: LiveHub
    let jobSignal: JobSignal
    /// Wakes the event consumers whenever events commit (here or, on PostgreSQL, on another node).
    let eventSignal = JobSignal()

    init(dialect: DatabaseDialect, databases: Databases, writerThreads: WriterThreads, sqliteReaders: SQLiteReaders?,
         logger: Logger, clock: BatonClock, hub: LiveHub, jobSignal: JobSignal) {
        self.dialect = dialect
        self.nodeID = UUID().uuidString.prefix(8).lowercased()
        self.databases = databases
        self.writerThreads = writerThreads
        self.sqliteReaders = sqliteReaders
        self.groupCommit = GroupCommit(threads: writerThreads)
        self.logger = logger
        self.clock = clock
        self.hub = hub
        self.jobSignal = jobSignal
    }

    /// A database for reads: on SQLite the reader connections' pool, on PostgreSQL the pool.
    public var reader: any Database {
        reader(on: databases.eventLoopGroup.any())
    }

    func reader(on eventLoop: any EventLoop) -> any Database {
        databases.database(dialect == .sqlite ? .sqliteReaders : nil, logger: logger, on: eventLoop)!
    }

    /// For reads of a few rows by key (a task, its parts, a session). On SQLite they run on the
    /// calling thread: the hop to a reader thread and back cost more than the read (a task PATCH
    /// made three such round trips). Anything that may scan many rows uses `reader`.
    var pointReader: any Database { pointReader(on: databases.eventLoopGroup.any()) }

    func pointReader(on eventLoop: any EventLoop) -> any Database {
        databases.database(dialect == .sqlite ? .sqlitePointReads : nil, logger: logger, on: eventLoop)!
    }

    /// Reads that take several statements (a task and its parts, a dashboard) and must agree with
    /// each other: all of `body`'s reads see the database as of one moment. SQLite: one reader
    /// connection in one read transaction (`point` for a few reads by key, on the calling
    /// thread). PostgreSQL: a REPEATABLE READ, READ ONLY transaction.
    func snapshot<T: Sendable>(on eventLoop: any EventLoop, point: Bool = false,
                               _ body: @escaping @Sendable (any Database) async throws -> T) async throws -> T {
        switch dialect {
        case .sqlite:
            guard let readers = sqliteReaders, let base = reader(on: eventLoop) as? DirectSQLiteDatabase else {
                throw Abort.databaseShuttingDown
            }
            return try await readers.withSnapshot(inline: point, context: base.context, body)
        case .postgres:
            return try await reader(on: eventLoop).transaction { tx in
                try await (tx as! any SQLDatabase).raw("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY").run()
                return try await body(tx)
            }
        }
    }

    /// The SQLite writer's own connection; use it only while holding `writerThreads.lock`.
    /// Throws once the application's databases are shut down (a write that arrives during shutdown).
    private func writerDatabase() throws -> any Database {
        guard let db = databases.database(.sqliteWriter, logger: logger, on: writerThreads.eventLoop) else {
            throw Abort.databaseShuttingDown
        }
        return db
    }

    /// Runs `body` in one write transaction. Inside it, use only `ctx.db`: its changes, events
    /// and jobs commit together or not at all.
    public func write<T: Sendable>(_ body: @escaping @Sendable (WriteContext) async throws -> T) async throws -> T {
        switch dialect {
        case .sqlite:
            let value = try await groupCommit.submit({ ctx in try await body(ctx) }, runSession: { await self.commitSession($0) })
            return value as! T
        case .postgres:
            return try await transact(on: databases.database(.psqlWriter, logger: logger, on: databases.eventLoopGroup.any())!, body)
        }
    }

    /// Per-connection settings for the SQLite writer (it keeps its one connection open).
    func prepareWriter() async throws {
        guard dialect == .sqlite else { return }
        _ = try await writerThreads.lock.withLock {
            try await DatabaseSetup.pragmasForWriter(try self.writerDatabase())
            return true
        }
    }

    /// Keeps the query planner's statistics current. Without them SQLite picks the index that
    /// avoids a sort (scanning a whole project) over the one that matches the filter. Cheap when
    /// nothing changed much: SQLite re-analyzes only tables that grew or shrank a lot.
    ///
    /// Other connections read statistics only when they load the schema, and ANALYZE does not
    /// make them reload it: a reader opened before a large import kept planning with the empty
    /// database's numbers (a filtered list at 10k tasks ran 10× slower until a restart). A schema
    /// change does make them reload, so when the statistics changed a scratch table is created
    /// and dropped in one transaction.
    func refreshPlannerStatistics(tables: [String] = []) async throws {
        switch dialect {
        case .sqlite:
            _ = try await writerThreads.lock.withLock {
                let writer = try self.writerDatabase()
                let sql = writer as! any SQLDatabase
                let before = try await Self.statisticsDigest(sql)
                try await sql.raw("PRAGMA analysis_limit=1000").run()
                try await sql.raw("PRAGMA optimize=0x10002").run()
                if try await Self.statisticsDigest(sql) != before {
                    try await writer.transaction { tx in
                        let sql = tx as! any SQLDatabase
                        try await sql.raw("CREATE TABLE baton_statistics_reload (x INTEGER)").run()
                        try await sql.raw("DROP TABLE baton_statistics_reload").run()
                    }
                }
                return true
            }
        case .postgres:
            // Autovacuum gets there in its own time; after a bulk load the caller names the tables.
            // VACUUM also marks the new rows all-visible, so index-only scans (the dashboards'
            // counts) need not visit the table for every row until autovacuum would have run.
            for table in tables { try await sql.raw("VACUUM (ANALYZE) \(ident: table)").run() }
        }
    }

    /// What `sqlite_stat1` says now (empty before the first ANALYZE creates it).
    private static func statisticsDigest(_ sql: any SQLDatabase) async throws -> String {
        let exists = try await sql.raw("SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat1'").all()
        guard !exists.isEmpty else { return "" }
        return try await sql.raw("SELECT group_concat(tbl || ':' || coalesce(idx, '') || ':' || stat, ';') AS digest FROM sqlite_stat1")
            .first()?.decode(column: "digest", as: String?.self) ?? ""
    }

    /// PostgreSQL: one pooled transaction per write (PostgreSQL runs them side by side).
    private func transact<T: Sendable>(on db: any Database,
                                       _ body: @escaping @Sendable (WriteContext) async throws -> T) async throws -> T {
        let outcome = try await db.transaction { tx in try await self.run({ ctx in try await body(ctx) }, on: tx) }
        announce([outcome])
        return outcome.value as! T
    }

    /// Batches of queued SQLite writes, one transaction each, on the writer's own thread. A
    /// session runs up to `batchesPerSession` batches and then lets other users of the write lock
    /// (statistics, pragmas) have their turn.
    private func commitSession(_ next: @escaping GroupCommit.Next) async {
        do {
            _ = try await writerThreads.lock.withLock {
                let db = try self.writerDatabase()
                return await withTaskExecutorPreference(self.writerThreads.executor) {
                    for _ in 0..<Self.batchesPerSession {
                        let batch = next()
                        if batch.isEmpty { break }
                        await self.commit(batch, on: db)
                    }
                    return true
                }
            }
        } catch {
            // The writer is shutting down: fail what waits now.
            for item in next() { item.continuation.resume(throwing: error) }
        }
    }

    private static let batchesPerSession = 64

    /// One transaction for a batch. A lone write runs as it is; in a batch each write gets a
    /// savepoint, so one that throws is undone without touching the others.
    private func commit(_ batch: [GroupCommit.Pending], on db: any Database) async {
        let sql = db as! any SQLDatabase
        var outcomes: [Result<WriteOutcome, any Error>] = []
        do {
            // IMMEDIATE: take the write lock now, so another process's write (the CLI) makes this
            // wait in SQLite's busy handler instead of failing at the first write.
            try await sql.raw("BEGIN IMMEDIATE").run()
            if batch.count == 1 {
                outcomes = [.success(try await run(batch[0].work, on: db))]
            } else {
                // Savepoints of one name nest; ROLLBACK TO undoes only the newest, this write's.
                // None is released: the COMMIT releases them all, one statement less per write.
                for item in batch {
                    try await sql.raw("SAVEPOINT batched_write").run()
                    do {
                        outcomes.append(.success(try await run(item.work, on: db)))
                    } catch {
                        try await sql.raw("ROLLBACK TO batched_write").run()
                        outcomes.append(.failure(error))
                    }
                }
            }
            try await sql.raw("COMMIT").run()
        } catch {
            // Nothing in the batch committed (a statement that failed may have ended the transaction already).
            try? await sql.raw("ROLLBACK").run()
            for item in batch { item.continuation.resume(throwing: error) }
            return
        }
        announce(outcomes.compactMap { try? $0.get() })
        for (item, outcome) in zip(batch, outcomes) {
            item.continuation.resume(with: outcome.map(\.value))
        }
    }

    fileprivate struct WriteOutcome: Sendable {
        let value: any Sendable
        let events: [LoggedEvent]
        let jobs: Int
    }

    /// After commit: events to the live hub, and a nudge to the job worker if jobs were queued.
    private func announce(_ committed: [WriteOutcome]) {
        let events = committed.flatMap(\.events)
        if !events.isEmpty { didCommit(events) }
        if committed.contains(where: { $0.jobs > 0 }) { jobSignal.nudge() }
    }

    private func run(_ work: GroupCommit.Work, on tx: any Database) async throws -> WriteOutcome {
        let context = WriteContext(db: tx, now: clock.now())
        let value = try await work(context)
        let events = try await context.flushEvents(dialect: dialect, nodeID: nodeID)
        return WriteOutcome(value: value, events: events, jobs: context.enqueuedJobs)
    }

    /// Events committed here or, on PostgreSQL, by another node: caches forget what they changed
    /// before the live hub tells anyone.
    func didCommit(_ events: [LoggedEvent]) {
        principals.forget(after: events)
        hub.publish(events)
        eventSignal.nudge()
    }

    /// Raw SQL on the read side (for queries Fluent cannot express).
    var sql: any SQLDatabase { reader as! any SQLDatabase }
}

extension Application {
    private struct StoreKey: StorageKey { typealias Value = Store }
    public var store: Store {
        get {
            guard let store = storage[StoreKey.self] else { fatalError("configure(_:config:) was not called") }
            return store
        }
        set { storage[StoreKey.self] = newValue }
    }
}

extension Abort {
    /// A query or write that arrives while the application's databases close.
    static let databaseShuttingDown = Abort(.serviceUnavailable, reason: "The database is shutting down.")
}

extension Request {
    public var store: Store { application.store }

    /// Where request handlers read: `store.reader` on this request's event loop.
    var reader: any Database { application.store.reader(on: eventLoop) }

    /// `store.pointReader` on this request's event loop.
    var pointReader: any Database { application.store.pointReader(on: eventLoop) }
}
