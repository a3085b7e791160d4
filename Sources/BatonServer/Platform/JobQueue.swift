import NIOConcurrencyHelpers
import SQLKit
import Vapor
import BatonCore

/// The name a job is queued under ("invitation.email"); each module declares its kinds beside
/// the `JobDefinition` that runs them.
public struct JobKind: RawRepresentable, Hashable, Sendable {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }

    static let purge = JobKind("maintenance.purge")
}

public struct ClaimedJob: Sendable {
    public let id: UUID
    public let kind: String
    public let payload: [String: String]
    public let attempts: Int
    public let maxAttempts: Int
    public let dedupeKey: String?
}

public typealias JobHandler = @Sendable (ClaimedJob, Application) async throws -> Void

/// The durable job queue: rows in `jobs`, claimed by workers with a lease, retried with backoff.
public final class JobQueue: Sendable {
    private let definitions = NIOLockedValueBox<[String: JobDefinition]>([:])
    let workerID = "worker-" + UUID().uuidString.prefix(8).lowercased()
    let backoff: RetryBackoff
    let lease: TimeInterval

    init(backoff: RetryBackoff = RetryBackoff(), lease: TimeInterval = 300) {
        self.backoff = backoff
        self.lease = lease
    }

    func register(_ definition: JobDefinition) {
        definitions.withLockedValue { all in
            precondition(all[definition.kind.rawValue] == nil, "job kind \(definition.kind.rawValue) is declared twice")
            all[definition.kind.rawValue] = definition
        }
    }

    /// Tests swap a module's handler for one that fails or waits.
    func replaceHandler(_ kind: JobKind, _ handler: @escaping JobHandler) {
        definitions.withLockedValue { all in
            let secrets = all[kind.rawValue]?.secretPayloadKeys ?? []
            all[kind.rawValue] = JobDefinition(kind: kind, secretPayloadKeys: secrets, handler: handler)
        }
    }

    /// Claims and runs every job that is due now; returns how many ran. Safe to call from several
    /// processes at once on PostgreSQL (`FOR UPDATE SKIP LOCKED`).
    @discardableResult
    public func runDue(app: Application, limit: Int = 20) async throws -> Int {
        let jobs = try await claim(app: app, limit: limit)
        for job in jobs {
            let handler = definitions.withLockedValue { $0[job.kind]?.handler }
            do {
                guard let handler else { throw BatonError.badRequest("No handler for job kind \(job.kind)") }
                try await handler(job, app)
                try await finish(job, app: app, error: nil)
                app.metrics.jobFinished(kind: job.kind, failed: false)
            } catch {
                app.logger.warning("job \(job.kind) \(job.id) failed: \(String(describing: error))")
                try await finish(job, app: app, error: String(describing: error))
                app.metrics.jobFinished(kind: job.kind, failed: true)
            }
        }
        return jobs.count
    }

    private func claim(app: Application, limit: Int) async throws -> [ClaimedJob] {
        let dialect = app.store.dialect
        let workerID = self.workerID, lease = self.lease
        return try await app.store.write { ctx in
            let skipLocked = dialect == .postgres ? "FOR UPDATE SKIP LOCKED" : ""
            let rows = try await ctx.sql.raw("""
                UPDATE jobs SET locked_by = \(bind: workerID), locked_until = \(bind: ctx.now.addingTimeInterval(lease)),
                    attempts = attempts + 1
                WHERE id IN (
                    SELECT id FROM jobs
                    WHERE done_at IS NULL AND failed_at IS NULL AND run_at <= \(bind: ctx.now)
                      AND (locked_until IS NULL OR locked_until < \(bind: ctx.now))
                    ORDER BY run_at LIMIT \(bind: limit) \(unsafeRaw: skipLocked))
                RETURNING id, kind, payload, attempts, max_attempts, dedupe_key
                """).all()
            return try rows.map { row in
                let payload = try row.decode(column: "payload", as: String.self)
                return ClaimedJob(
                    id: try row.decode(column: "id", as: UUID.self),
                    kind: try row.decode(column: "kind", as: String.self),
                    payload: (try? JSONDecoder().decode([String: String].self, from: Data(payload.utf8))) ?? [:],
                    attempts: try row.decode(column: "attempts", as: Int.self),
                    maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
                    dedupeKey: try row.decode(column: "dedupe_key", as: String?.self)
                )
            }
        }
    }

    private func finish(_ job: ClaimedJob, app: Application, error: String?) async throws {
        let backoff = self.backoff
        try await app.store.write { ctx in
            let update = ctx.sql.update("jobs")
                .set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null)
                .where("id", .equal, SQLBind(job.id))
            if let error {
                update.set("last_error", to: SQLBind(String(error.prefix(2000))))
                if job.attempts >= job.maxAttempts {
                    update.set("failed_at", to: SQLBind(ctx.now))
                } else {
                    update.set("run_at", to: SQLBind(ctx.now.addingTimeInterval(backoff.delay(afterAttempt: job.attempts))))
                }
            } else {
                update.set("done_at", to: SQLBind(ctx.now))
            }
            let finished = error == nil || job.attempts >= job.maxAttempts
            if finished, let secrets = self.definitions.withLockedValue({ $0[job.kind]?.secretPayloadKeys }), !secrets.isEmpty {
                let kept = job.payload.filter { !secrets.contains($0.key) }
                update.set("payload", to: SQLBind(String(decoding: try JSONEncoder().encode(kept), as: UTF8.self)))
            }
            try await update.run()
        }
    }
}

/// Wakes the worker as soon as a transaction that enqueued a job commits.
public final class JobSignal: Sendable {
    private struct State {
        var waiter: CheckedContinuation<Void, Never>?
        var pending = false
    }
    private let state = NIOLockedValueBox(State())

    func nudge() {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.resume()
    }

    /// Returns after a nudge (also one that came before the call) or after `timeout`.
    func wait(timeout: Duration) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let alreadyNudged = state.withLockedValue { state -> Bool in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiter = continuation
                return false
            }
            if alreadyNudged { return continuation.resume() }
            Task {
                try? await Task.sleep(for: timeout)
                self.nudge()
            }
        }
    }
}

extension Application {
    private struct JobQueueKey: StorageKey { typealias Value = JobQueue }
    public var jobs: JobQueue {
        get {
            if let queue = storage[JobQueueKey.self] { return queue }
            let queue = JobQueue()
            storage[JobQueueKey.self] = queue
            return queue
        }
        set { storage[JobQueueKey.self] = newValue }
    }
}
