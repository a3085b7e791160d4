import Fluent
import SQLKit
import Vapor

/// What would grow without bound, removed once a day by a durable job: finished jobs older than
/// 30 days (their effects are in the tables and the event log) and login failures past the
/// throttle's window (they no longer count). The event log is the audit trail and is never purged.
enum Purge {
    static let keepFinishedJobs: TimeInterval = 30 * 86_400
    static let interval: TimeInterval = 86_400

    static let definition = JobDefinition(kind: .purge) { job, app in
        try await app.store.write { ctx in
            try await run(ctx: ctx, throttleWindow: app.identity.throttle.window, except: job.id)
            try await schedule(at: ctx.now.addingTimeInterval(interval), ctx: ctx)
        }
    }

    /// At boot: make sure a purge is queued (one per day: the dedupe key is the day).
    static func ensureScheduled(_ app: Application) async throws {
        try await app.store.write { ctx in try await schedule(at: ctx.now, ctx: ctx) }
    }

    static func run(ctx: WriteContext, throttleWindow: TimeInterval, except current: UUID? = nil) async throws {
        let cutoff = ctx.now.addingTimeInterval(-keepFinishedJobs)
        try await ctx.sql.raw("""
            DELETE FROM jobs WHERE ((done_at IS NOT NULL AND done_at < \(bind: cutoff)) OR (failed_at IS NOT NULL AND failed_at < \(bind: cutoff)))
              AND id <> \(bind: current ?? UUID())
            """).run()
        try await IdentityService.purgeLoginFailures(before: ctx.now.addingTimeInterval(-throttleWindow), ctx: ctx)
        try await IdentityService.purgePasswordResets(before: ctx.now.addingTimeInterval(-86400), ctx: ctx)
    }

    private static func schedule(at date: Date, ctx: WriteContext) async throws {
        let day = ISO8601DateFormatter.string(from: date, timeZone: TimeZone(identifier: "UTC")!, formatOptions: [.withFullDate])
        try await ctx.enqueue(.purge, payload: [:], runAt: date, dedupeKey: "purge:\(day)")
    }
}
