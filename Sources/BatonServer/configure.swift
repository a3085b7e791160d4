import Fluent
import Leaf
import Vapor

/// Builds the whole application; used by the `baton` commands and by the tests alike.
/// The modules are listed here, in order: each may use what the ones before it declare (Work's
/// projects have Identity's members).
public func configure(_ app: Application, config: BatonConfig) async throws {
    if let problem = config.smtpProblem { throw BatonError.badRequest("Mail settings: \(problem)") }
    let modules: [BatonModule] = [.identity, .work, .notifications, .automations, .approvals, .messages] + config.additionalModules
    app.batonConfig = config
    _ = JSONConventions.installed
    app.routes.defaultMaxBodySize = "1mb"
    let resources = try ResourceDirectory.locate(explicit: config.resources)
    app.directory.resourcesDirectory = resources + "Resources/"
    app.directory.viewsDirectory = resources + "Resources/Views/"
    app.directory.publicDirectory = resources + "Public/"

    let installed = InstalledModules(modules)
    app.modules = installed
    let writerThreads = WriterThreads()
    let (dialect, sqliteReaders) = try DatabaseSetup.register(config, writerThreads: writerThreads, on: app)
    app.store = Store(dialect: dialect, databases: app.databases, writerThreads: writerThreads, sqliteReaders: sqliteReaders,
                      logger: app.logger, clock: app.clock, hub: LiveHub(events: installed.events), jobSignal: JobSignal())
    app.migrations.add(installed.migrations)

    app.views.use(.leaf)
    app.leaf.tags["path"] = PathTag(paths: installed.paths)
    app.leaf.cache.isEnabled = app.environment.isRelease

    app.middleware = Middlewares()
    app.middleware.use(MetricsMiddleware())
    app.middleware.use(SecurityHeadersMiddleware())
    app.middleware.use(BatonErrorMiddleware())
    app.middleware.use(RequestTextMiddleware())
    app.middleware.use(StaticFilesMiddleware(publicDirectory: app.directory.publicDirectory))
    app.middleware.use(PrincipalMiddleware())

    app.lifecycle.use(BackgroundWork())
    for job in installed.jobs { app.jobs.register(job) }
    try installed.registerRoutes(on: app)

    try await DatabaseSetup.prepare(app)
    try await app.autoMigrate()
    try await EventConsumers.ensureCursors(app)
    try await app.store.refreshPlannerStatistics()
}
