import Fluent
import Leaf
import Vapor

/// Builds the whole application; used by the `baton` commands and by the tests alike.
public func configure(_ app: Application, config: BatonConfig) async throws {
    app.batonConfig = config
    _ = JSONConventions.installed
    app.routes.defaultMaxBodySize = "1mb"
    let resources = try ResourceDirectory.locate(explicit: config.resources)
    app.directory.resourcesDirectory = resources + "Resources/"
    app.directory.viewsDirectory = resources + "Resources/Views/"
    app.directory.publicDirectory = resources + "Public/"

    let writerThreads = WriterThreads()
    let (dialect, sqliteReaders) = try DatabaseSetup.register(config, writerThreads: writerThreads, on: app)
    app.store = Store(dialect: dialect, databases: app.databases, writerThreads: writerThreads, sqliteReaders: sqliteReaders,
                      logger: app.logger, clock: app.clock, hub: LiveHub(), jobSignal: JobSignal())
    app.migrations.add(MigrationList.all)

    app.views.use(.leaf)
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.middleware = Middlewares()
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(BatonErrorMiddleware())
    app.middleware.use(RequestTextMiddleware())
    app.middleware.use(StaticFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(PrincipalMiddleware())

    app.lifecycle.use(BackgroundWork())
    InvitationJobs.register(on: app)
    Purge.register(on: app)
    try routes(app)

    try await DatabaseSetup.prepare(app)
    try await app.autoMigrate()
    try await app.store.refreshPlannerStatistics()
}
