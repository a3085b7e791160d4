import Fluent
import Foundation
import SQLKit
import Testing
import NIOConcurrencyHelpers
import Vapor
@testable import BatonServer

@Suite("Platform: database settings, demo data, job dedupe")
struct PlatformTests {
    @Test("SQLite runs in WAL mode with foreign keys; the writer uses synchronous=NORMAL and keeps savepoint journals in memory")
    func sqlitePragmas() async throws {
        try await withBaton(.sqlite) { app in
            let mode = try await app.store.sql.raw("PRAGMA journal_mode").first()?.decode(column: "journal_mode", as: String.self)
            #expect(mode == "wal")
            let foreignKeys = try await app.store.sql.raw("PRAGMA foreign_keys").first()?.decode(column: "foreign_keys", as: Int.self)
            #expect(foreignKeys == 1)
            let synchronous = try await app.store.write { ctx in
                try await ctx.sql.raw("PRAGMA synchronous").first()?.decode(column: "synchronous", as: Int.self)
            }
            #expect(synchronous == 1) // NORMAL
            let tempStore = try await app.store.write { ctx in
                try await ctx.sql.raw("PRAGMA temp_store").first()?.decode(column: "temp_store", as: Int.self)
            }
            #expect(tempStore == 2) // MEMORY
        }
    }

    @Test("after the statistics change, every SQLite reader plans with the new ones (no restart)")
    func readersReloadStatistics() async throws {
        try await withBaton(.sqlite) { app in
            let store = app.store
            try await store.write { ctx in
                try await ctx.sql.raw("CREATE TABLE plan_probe (a INTEGER, b INTEGER, c INTEGER)").run()
                try await ctx.sql.raw("CREATE INDEX plan_probe_a ON plan_probe (a, c)").run()
                try await ctx.sql.raw("CREATE INDEX plan_probe_b ON plan_probe (b)").run()
                try await ctx.sql.raw("INSERT INTO plan_probe VALUES (1, 1, 1)").run()
            }
            try await store.refreshPlannerStatistics()
            let probe = "SELECT * FROM plan_probe WHERE a = 1 AND b = 2 ORDER BY c"
            let readers = try #require(store.sqliteReaders)
            // Several reader connections open and load the schema (and the statistics of now).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<(readers.threadCount * 4) {
                    group.addTask { _ = try await (store.reader as! any SQLDatabase).raw("\(unsafeRaw: probe)").all() }
                }
                try await group.waitForAll()
            }
            try await store.write { ctx in
                try await ctx.sql.raw("""
                    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
                    INSERT INTO plan_probe SELECT i % 2, i, i FROM n
                    """).run()
            }
            try await store.refreshPlannerStatistics()
            let writerPlan = try await store.write { ctx in try await Self.plan(probe, on: ctx.sql) }
            #expect(writerPlan.contains("plan_probe_b"))
            let readerPlans = NIOLockedValueBox<[String]>([])
            try await readers.onEveryConnection { connection in
                _ = try connection.query(probe, [])
                let plan = try connection.query("EXPLAIN QUERY PLAN \(probe)", []).rows
                    .map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
                readerPlans.withLockedValue { $0.append(plan) }
            }
            #expect(!readerPlans.withLockedValue { $0 }.isEmpty)
            for plan in readerPlans.withLockedValue({ $0 }) { #expect(plan == writerPlan) }
        }
    }

    private static func plan(_ query: String, on sql: any SQLDatabase) async throws -> String {
        try await sql.raw("EXPLAIN QUERY PLAN \(unsafeRaw: query)").all().map { try $0.decode(column: "detail", as: String.self) }.joined(separator: "; ")
    }

    @Test("passwords are stored as bcrypt hashes", arguments: TestDatabase.available)
    func bcrypt(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            _ = try await Org.signUp(app, email: "hash@example.com")
            let user = try #require(try await User.query(on: app.db).first())
            #expect(user.passwordHash.hasPrefix("$2b$") || user.passwordHash.hasPrefix("$2a$"))
            #expect(try Bcrypt.verify("correct horse battery", created: user.passwordHash))
        }
    }

    @Test("a job with a dedupe key that exists already is not queued again", arguments: TestDatabase.available)
    func dedupe(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            for _ in 0..<3 {
                try await app.store.write { ctx in
                    try await ctx.enqueue(.invitationExpire, payload: ["invitation_id": UUID().uuidString], dedupeKey: "same-key")
                }
            }
            let count = try await app.store.sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'same-key'").first()?
                .decode(column: "n", as: Int.self)
            #expect(count == 1)
        }
    }

    @Test("the demo team: a manager, seven people with titles (engineers under their lead), two teams with leads, a guest, approvals; seeding twice changes nothing",
          arguments: TestDatabase.available)
    func demoSeed(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let logins = try await DemoSeed.run(on: app)
            #expect(logins.people.count == 9)
            let workspace = try #require(try await Workspace.query(on: app.db).filter(\.$name == "Acme Product").first())
            let memberships = try await Membership.query(on: app.db).with(\.$user).all()
            #expect(memberships.count == 9)
            let maya = try #require(memberships.first { $0.user.email == "maya@acme.test" })
            #expect(maya.role == .owner)
            #expect(maya.title == "Head of Product")
            let daniel = try #require(memberships.first { $0.user.email == "daniel@acme.test" })
            let reports = memberships.filter { $0.managerID == maya.$user.id }
            #expect(reports.count == 4 && memberships.filter { $0.managerID == daniel.$user.id }.count == 3)
            #expect(memberships.filter { $0.role != .guest }.allSatisfy { !$0.title.isEmpty })
            #expect(try await Team.query(on: app.db).all().allSatisfy { $0.leadID != nil })
            // approvals in every state, some still waiting on Maya
            let statuses = Set(try await ApprovalRequest.query(on: app.db).all().map(\.status))
            #expect(statuses == ["pending", "approved", "rejected", "changes_requested", "withdrawn"])
            #expect(try await ApprovalTemplate.query(on: app.db).count() == 3)
            #expect(try await ApprovalWait.query(on: app.db).filter(\.$userID == maya.$user.id).count() >= 3)
            #expect(memberships.filter { $0.role == .guest }.count == 1)
            #expect(try await Team.query(on: app.db).filter(\.$workspaceID == workspace.requireID()).count() == 4)
            #expect(try await EventRecord.query(on: app.db).count() > 30)
            // the demo password works (signing in is itself an event)
            let login = try await APIClient(app: app).post("/api/v1/auth/login", ["email": "tom@acme.test", "password": DemoSeed.password])
            #expect(login.status == .ok)
            let events = try await EventRecord.query(on: app.db).count()

            _ = try await DemoSeed.run(on: app)
            #expect(try await Membership.query(on: app.db).count() == 9)
            #expect(try await EventRecord.query(on: app.db).count() == events)
        }
    }
}
