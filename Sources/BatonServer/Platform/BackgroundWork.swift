import Fluent
import SQLKit
import PostgresNIO
import FluentPostgresDriver
import Vapor

/// Starts the job worker, the live hub and (on PostgreSQL) the event listener when the server boots,
/// and stops them when it shuts down.
final class BackgroundWork: LifecycleHandler, @unchecked Sendable {
    private var tasks: [Task<Void, Never>] = []

    func didBootAsync(_ app: Application) async throws {
        let hub = app.store.hub
        tasks.append(Task { await hub.run() })
        guard app.batonConfig.runsBackgroundWork else { return }
        try await Purge.ensureScheduled(app)
        let recurring = app.modules.recurring
        try await app.store.write { ctx in
            for job in recurring { try await job.schedule(at: ctx.now, ctx: ctx) }
        }
        tasks.append(Task { await Self.workJobs(app) })
        tasks.append(Task { await EventConsumers.follow(app) })
        tasks.append(Task { await Self.refreshStatistics(app) })
        if case .postgres(let url) = app.batonConfig.database {
            tasks.append(Task { await EventListener(url: url, app: app).run() })
        }
    }

    func shutdownAsync(_ app: Application) async {
        // the other processes forget this one's people now, not when it falls silent
        if let goodbye = app.store.hub.goodbye(), let sql = app.db as? any SQLDatabase {
            try? await LiveRelay.notify(goodbye, on: sql)
        }
        app.store.hub.stop()
        for task in tasks { task.cancel() }
        for task in tasks { await task.value }
        tasks.removeAll()
        await app.store.groupCommit.waitUntilIdle()
    }

    private static func refreshStatistics(_ app: Application) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(3600))
            guard !Task.isCancelled else { return }
            do { try await app.store.refreshPlannerStatistics() } catch {
                app.logger.warning("planner statistics: \(String(describing: error))")
            }
        }
    }

    private static func workJobs(_ app: Application) async {
        let interval = app.batonConfig.jobPollInterval
        while !Task.isCancelled {
            do {
                if try await app.jobs.runDue(app: app) > 0 { continue }
            } catch {
                app.logger.error("job worker: \(String(describing: error))")
            }
            await app.store.jobSignal.wait(timeout: interval)
        }
    }
}

/// Carries events committed by other `baton serve` processes on the same PostgreSQL to this
/// process's sockets, and typing and presence both ways (LiveRelay). Holds one dedicated
/// connection (a pooled one would silently lose its LISTEN) and reconnects with a fresh LISTEN
/// whenever it drops.
struct EventListener {
    let url: String
    let app: Application

    func run() async {
        // in order, one at a time: "online" then "offline" must not arrive the other way round
        let (outgoing, outbox) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(1_000))
        let relay = LiveRelay(nodeID: app.store.nodeID, send: { outbox.yield($0) })
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await sendSignals(outgoing) }
            group.addTask { await keepAlive() }
            group.addTask { await listen(relay) }
        }
    }

    private func listen(_ relay: LiveRelay) async {
        while !Task.isCancelled {
            do {
                try await listenOnce(relay)
            } catch {
                if Task.isCancelled { return }
                app.logger.warning("event listener: \(String(describing: error)); reconnecting")
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    private func listenOnce(_ relay: LiveRelay) async throws {
        let config = try SQLPostgresConfiguration(url: url).coreConfiguration
        let connection = try await PostgresConnection.connect(
            on: app.eventLoopGroup.any(), configuration: config, id: 1, logger: app.logger)
        defer { Task { try? await connection.close() } }
        let hub = app.store.hub
        try await withTaskCancellationHandler {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    try await connection.listen(on: EventOrdering.channel) { notifications in
                        for try await notification in notifications { try await forward(notification.payload) }
                    }
                }
                group.addTask {
                    try await connection.listen(on: LiveRelay.channel) { notifications in
                        hub.connect(relay)  // listening now, so the answers to "who" are heard
                        for try await notification in notifications { hub.receiveRelayed(notification.payload, now: Date()) }
                    }
                }
                // either ending means the connection went: reconnect both
                try await group.next()
                group.cancelAll()
            }
        } onCancel: {
            connection.close().whenComplete { _ in }
        }
    }

    private func sendSignals(_ outgoing: AsyncStream<String>) async {
        guard let sql = app.db as? any SQLDatabase else { return }
        for await payload in outgoing {
            do {
                try await LiveRelay.notify(payload, on: sql)
            } catch {
                app.logger.debug("signal relay: \(String(describing: error))")
            }
        }
    }

    /// Liveness is wall-clock time, whatever clock the workspace runs on.
    private func keepAlive() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: LiveRelay.snapshotEvery)
            app.store.hub.keepRelayAlive(now: Date())
        }
    }

    /// Payload: "<node id>:<first event id>:<last event id>". This node's own events went straight to its hub.
    private func forward(_ payload: String) async throws {
        let parts = payload.split(separator: ":")
        guard parts.count == 3, String(parts[0]) != app.store.nodeID,
              let first = Int(parts[1]), let last = Int(parts[2]) else { return }
        let events = try await EventRecord.query(on: app.db)
            .filter(\.$id >= first).filter(\.$id <= last)
            .sort(\.$id).all()
        app.store.didCommit(events.map(\.logged))
    }
}
