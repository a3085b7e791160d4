import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    static func register(_ config: BatonConfig, writerThreads: WriterThreads, on app: Application) throws -> (DatabaseDialect, SQLiteReaders?) {
        switch config.database {
        case .sqlite(let path):
            let absolute = BatonConfig.DatabaseChoice.absolute(sqlitePath: path)
            app.databases.use(.sqlite(.file(absolute), sqlLogLevel: .trace), as: .sqlite, isDefault: true)
            // A connection of its own for the writer, on its own thread: reads never wait behind a
            // write transaction, and a stray read inside a write cannot deadlock on it.
            app.databases.use(writerThreads.configuration(path: absolute),
                              as: .sqliteWriter, isDefault: false)
            // Reads go to connections on their own thread pool (`Store.reader`); Fluent's driver
            // (the default database) is left for migrations and one-off reads.
            let readers = SQLiteReaders(path: absolute)
            app.databases.use(readers.configuration(), as: .sqliteReaders, isDefault: false)
            app.databases.use(readers.inlineConfiguration(), as: .sqlitePointReads, isDefault: false)
            return (.sqlite, readers)
        case .postgres(let url):
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.coreConfiguration.options.requireBackendKeyData = false
            app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.postgresConnectionsPerLoop,
                                        sqlLogLevel: .trace), as: .psql)
            // Writes take connections from a pool of their own. A write holds its connection
            // while it queues for the event-order lock (and for row locks); were reads in the same
            // pool, a burst of writes would take every connection and the reads that requests make
            // before and after their writes (who is calling, the reply) would wait for them: a
            // winner unable to read its answer while the losers hold the pool. A write never asks
            // for a second connection (everything inside it uses `ctx.db`).
            app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.postgresConnectionsPerLoop,
                                        sqlLogLevel: .trace), as: .psqlWriter, isDefault: false)
            return (.postgres, nil)
        }
    }

    /// Settings that persist in the file (WAL) are made once at boot; a quick query proves the
    /// database is reachable before anything else starts.
    static func prepare(_ app: Application) async throws {
        let sql = app.db as! any SQLDatabase
        switch app.store.dialect {
        case .sqlite:
            try await sql.raw("PRAGMA journal_mode=WAL").run()
            try await app.store.prepareWriter()
        case .postgres:
            try await sql.raw("SELECT 1").run()
        }
    }

    /// `synchronous` is per connection: the writer connection sets it on first use. NORMAL is
    /// durable across application crashes in WAL mode; only power loss can drop the last commits.
    /// Group commit runs each write in a savepoint, whose undo pages SQLite keeps in a temporary
    /// file unless `temp_store` is MEMORY.
    static func pragmasForWriter(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        try await sql.raw("PRAGMA temp_store=MEMORY").run()
        // 64 MiB of page cache (the default is 2): a large write (an import touching every index
        // of the tasks and events tables) otherwise spends its time re-reading pages it just wrote.
        try await sql.raw("PRAGMA cache_size=-65536").run()
    }
}

extension DatabaseID {
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
    static let sqliteReaders = DatabaseID(string: "sqlite-readers")
    static let sqlitePointReads = DatabaseID(string: "sqlite-point-reads")
    static let psqlWriter = DatabaseID(string: "psql-writer")
}
