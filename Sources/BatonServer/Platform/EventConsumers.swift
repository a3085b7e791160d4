import Fluent
import SQLKit
import Vapor
import BatonCore

/// A reader of the event log that sees every committed event once, in order: its position in the
/// log moves in the same transaction as whatever it writes, so a crash repeats nothing and loses
/// nothing, and on PostgreSQL two nodes take turns (an advisory lock per consumer). This is the
/// transactional outbox with the event log as the outbox: a service writes its event and nothing
/// else, and notifications, rules and later integrations follow the log.
struct EventConsumer: Sendable {
    let name: String
    var batchSize = 500
    /// Runs inside the write that moves the position past `events`; what it writes commits with it.
    let handle: @Sendable (_ events: [LoggedEvent], _ ctx: WriteContext, _ app: Application) async throws -> Void
}

enum EventConsumers {
    /// A new consumer starts at the end of the log: it follows what happens from now on, it does
    /// not replay an installation's history. Run at start-up, before any request.
    static func ensureCursors(_ app: Application) async throws {
        let consumers = app.modules.consumers
        guard !consumers.isEmpty else { return }
        try await app.store.write { ctx in
            for consumer in consumers {
                // `WHERE 1 = 1`: without a WHERE, SQLite reads the ON of ON CONFLICT as a join's
                try await ctx.sql.raw("""
                    INSERT INTO event_cursors (name, position, updated_at)
                    SELECT \(bind: consumer.name), COALESCE(MAX(id), 0), \(bind: ctx.now) FROM events WHERE 1 = 1
                    ON CONFLICT (name) DO NOTHING
                    """).run()
            }
        }
    }

    /// Brings every consumer to the end of the log; returns how many events were handled.
    @discardableResult
    static func catchUp(_ app: Application) async throws -> Int {
        var handled = 0
        for consumer in app.modules.consumers {
            while true {
                let count = try await step(consumer, app)
                handled += count
                if count < consumer.batchSize { break }
            }
        }
        return handled
    }

    private static func step(_ consumer: EventConsumer, _ app: Application) async throws -> Int {
        try await app.store.write { ctx in
            try await ctx.serialize(key: "event-consumer:\(consumer.name)")
            guard let position = try await ctx.sql.raw("SELECT position FROM event_cursors WHERE name = \(bind: consumer.name)")
                .first()?.decode(column: "position", as: Int.self) else { return 0 }
            let records = try await EventRecord.query(on: ctx.db).filter(\.$id > position).sort(\.$id)
                .limit(consumer.batchSize).all()
            guard let last = records.last?.id else { return 0 }
            try await consumer.handle(records.map(\.logged), ctx, app)
            try await ctx.sql.raw("UPDATE event_cursors SET position = \(bind: last), updated_at = \(bind: ctx.now) WHERE name = \(bind: consumer.name)")
                .run()
            return records.count
        }
    }

    /// The server's loop: woken by every commit (here or, on PostgreSQL, on another node) and
    /// once a poll interval; a failing batch is retried with backoff, and nothing moves on past it.
    static func follow(_ app: Application) async {
        let signal = app.store.eventSignal
        var failures = 0
        while !Task.isCancelled {
            do {
                try await catchUp(app)
                failures = 0
                await signal.wait(timeout: app.batonConfig.jobPollInterval)
            } catch {
                if Task.isCancelled { return }
                failures += 1
                app.logger.error("event consumers: \(String(describing: error))")
                try? await Task.sleep(for: .seconds(min(60, 1 << min(failures, 6))))
            }
        }
    }
}

/// Where each consumer has got to in the event log.
struct CreateEventCursors: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("event_cursors")
            .field("name", .string, .identifier(auto: false))
            .field("position", .int64, .required)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema("event_cursors").delete()
    }
}
