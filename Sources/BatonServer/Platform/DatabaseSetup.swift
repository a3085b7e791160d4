import Fluent
import FluentSQLiteDriver
import FluentPostgresDriver
import SQLKit
import Vapor

enum DatabaseSetup {
    static func register(_ config: BatonConfig, writerThreads: WriterThreads, on app: Application) throws -> DatabaseDialect {
        switch config.database {
        case .sqlite(let path):
            let absolute = path.hasPrefix("/") ? path : app.directory.workingDirectory + path
            app.databases.use(.sqlite(.file(absolute), sqlLogLevel: .trace), as: .sqlite, isDefault: true)
            // A pool of its own for the writer: reads never wait behind a write transaction, and a
            // stray read inside a write cannot deadlock on the writer's connection.
            app.databases.use(writerThreads.configuration(.sqlite(.file(absolute), sqlLogLevel: .trace)),
                              as: .sqliteWriter, isDefault: false)
            // Fluent keeps one SQLite connection per event loop and a query holds it while it hops to
            // the thread pool and back; more pools let reads run side by side (WAL readers never block).
            for id in DatabaseID.sqliteReaders.dropFirst() {
                app.databases.use(.sqlite(.file(absolute), sqlLogLevel: .trace), as: id, isDefault: false)
            }
            return .sqlite
        case .postgres(let url):
            var postgres = try SQLPostgresConfiguration(url: url)
            postgres.coreConfiguration.options.requireBackendKeyData = false
            app.databases.use(.postgres(configuration: postgres, maxConnectionsPerEventLoop: config.postgresConnectionsPerLoop,
                                        sqlLogLevel: .trace), as: .psql)
            return .postgres
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
    /// file unless `temp_store` is MEMORY (that file's writes were 5% of a PATCH's CPU).
    static func pragmasForWriter(_ db: any Database) async throws {
        guard let sql = db as? any SQLDatabase else { return }
        try await sql.raw("PRAGMA synchronous=NORMAL").run()
        try await sql.raw("PRAGMA temp_store=MEMORY").run()
    }
}

extension DatabaseID {
    static let sqliteWriter = DatabaseID(string: "sqlite-writer")
    /// The default pool and three more, taken in turn by `Store.reader`.
    static let sqliteReaders: [DatabaseID] = [.sqlite] + (1...3).map { DatabaseID(string: "sqlite-reader-\($0)") }
}
