import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import BatonServer

@Suite("Durable jobs")
struct JobQueueTests {
    @Test("an invitation queues its email once, however often the job runs", arguments: TestDatabase.available)
    func outboxOnce(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "mail@example.com"])
            #expect(try await app.jobs.runDue(app: app) == 1)
            // the message's own job: no mail server here, so it is held in the outbox
            #expect(try await app.jobs.runDue(app: app) == 1)
            #expect(try await app.jobs.runDue(app: app) == 0)
            // a crash after the effect but before the job was marked done: the job runs again
            try await (app.db as! any SQLDatabase).raw("UPDATE jobs SET done_at = NULL, locked_until = NULL WHERE kind = 'invitation.email'").run()
            #expect(try await app.jobs.runDue(app: app) == 1)
            #expect(try await app.jobs.runDue(app: app) == 0)
            let emails = try await OutboxEmail.query(on: app.db).all()
            #expect(emails.count == 1)
            #expect(emails.first?.toAddress == "mail@example.com")
            #expect(emails.first?.composedBody.contains("http://baton.test/invite/") == true)
        }
    }

    @Test("a failing job is retried with exponential backoff, then given up", arguments: TestDatabase.available)
    func retries(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let runs = NIOLockedValueBox(0)
            app.jobs.replaceHandler(.invitationEmail) { _, _ in
                runs.withLockedValue { $0 += 1 }
                throw BatonError.badRequest("SMTP is down")
            }
            let org = try await Org.signUp(app)
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "retry@example.com"])
            try await app.jobs.runDue(app: app)
            #expect(runs.withLockedValue { $0 } == 1)
            let row = try #require(try await app.store.sql.raw("SELECT attempts, run_at, last_error FROM jobs WHERE kind = 'invitation.email'").first())
            #expect(try row.decode(column: "attempts", as: Int.self) == 1)
            #expect(try row.decode(column: "last_error", as: String?.self)?.contains("SMTP is down") == true)
            let runAt = try row.decode(column: "run_at", as: Date.self)
            #expect(abs(runAt.timeIntervalSince(clock.now) - 5) < 0.01)

            // not due yet: nothing runs
            try await app.jobs.runDue(app: app)
            #expect(runs.withLockedValue { $0 } == 1)
            // each retry waits twice as long; after max_attempts the job is marked failed
            for attempt in 2...8 {
                clock.advance(app.jobs.backoff.delay(afterAttempt: attempt - 1) + 1)
                try await app.jobs.runDue(app: app)
                #expect(runs.withLockedValue { $0 } == attempt)
            }
            clock.advance(100_000)
            try await app.jobs.runDue(app: app)
            #expect(runs.withLockedValue { $0 } == 8)
            let failed = try #require(try await app.store.sql.raw("SELECT failed_at FROM jobs WHERE kind = 'invitation.email'").first())
            #expect(try failed.decode(column: "failed_at", as: Date?.self) != nil)
            #expect(app.metrics.render(liveSockets: 0).contains("baton_jobs_failed_total{kind=\"invitation.email\"} 8"))
        }
    }

    @Test("a job that fell due while the server was down runs after restart", arguments: TestDatabase.available)
    func survivesRestart(db: TestDatabase) async throws {
        let scratch = try await ScratchDatabase.make(db)
        // the first server queues the email and stops before its worker ever runs
        try await withBaton(db, database: scratch) { app in
            let org = try await Org.signUp(app)
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "later@example.com"])
        }
        // the next one finds it and runs it on its own
        try await withBaton(db, backgroundWork: true, database: scratch) { app in
            try await eventually { try await OutboxEmail.query(on: app.db).count() == 1 }
        }
        await scratch.drop()
    }

    @Test("workers running at once never run a job twice", arguments: TestDatabase.available)
    func concurrentWorkers(db: TestDatabase) async throws {
        let scratch = try await ScratchDatabase.make(db)
        let first = try await startApp(on: scratch, clock: nil, backgroundWork: false)
        let second = try await startApp(on: scratch, clock: nil, backgroundWork: false)
        let runs = NIOLockedValueBox<[String: Int]>([:])
        for app in [first, second] {
            app.jobs.replaceHandler(.invitationExpire) { job, _ in
                try await Task.sleep(for: .milliseconds(2))
                runs.withLockedValue { $0[job.payload["n"]!, default: 0] += 1 }
            }
        }
        try await first.store.write { ctx in
            for n in 0..<40 { try await ctx.enqueue(.invitationExpire, payload: ["n": String(n)], dedupeKey: "n\(n)") }
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for app in [first, second, first, second] {
                group.addTask { while try await app.jobs.runDue(app: app, limit: 5) > 0 {} }
            }
            try await group.waitForAll()
        }
        #expect(runs.withLockedValue { $0.count } == 40)
        #expect(runs.withLockedValue { $0.values.allSatisfy { $0 == 1 } })
        try await first.asyncShutdown()
        try await second.asyncShutdown()
        await scratch.drop()
    }
}

/// Polls a condition until it holds or the time is up (for effects of background work).
extension JobQueueTests {
    @Test("a daily job purges finished jobs after 30 days and login failures past their window, and queues the next run",
          arguments: TestDatabase.available)
    func purge(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup: a finished job and three failed logins, then a month later one more failure
            let org = try await Org.signUp(app, email: "purge@example.com")
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "someone@example.com"])
            #expect(try await app.jobs.runDue(app: app) == 1)
            for _ in 0..<3 { _ = try await org.api.post("/api/v1/auth/login", ["email": "purge@example.com", "password": "wrong wrong wrong"]) }
            clock.advance(31 * 86_400)
            _ = try await org.api.post("/api/v1/auth/login", ["email": "purge@example.com", "password": "still wrong!!"])
            let sql = app.db as! any SQLDatabase
            func count(_ query: String) async throws -> Int {
                try await sql.raw(SQLQueryString(stringLiteral: query)).first()?.decode(column: "n", as: Int.self) ?? -1
            }
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'invitation.email'") == 1)
            // act: the purge is queued at boot and runs with the other due jobs
            try await Purge.ensureScheduled(app)
            try await Purge.ensureScheduled(app)   // once a day, however often the server starts
            try await app.jobs.runDue(app: app)
            // check
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'invitation.email'") == 0)
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'invitation.expire' AND done_at IS NOT NULL") == 1)
            #expect(try await LoginFailure.query(on: app.db).count() == 1)
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'maintenance.purge' AND done_at IS NOT NULL") == 1)
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'maintenance.purge' AND done_at IS NULL") == 1)
            // the next one runs a day later
            clock.advance(86_400)
            #expect(try await app.jobs.runDue(app: app) == 1)
            #expect(try await count("SELECT COUNT(*) AS n FROM jobs WHERE kind = 'maintenance.purge' AND done_at IS NULL") == 1)
        }
    }
}

func eventually(timeout: Duration = .seconds(10), _ condition: () async throws -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(20))
    }
    Issue.record("condition did not hold within \(timeout)")
}
