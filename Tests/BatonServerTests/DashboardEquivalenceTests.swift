import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

/// The dashboard's database counts must say exactly what `DashboardRules.summarize` (the pure
/// reference, run here over every covered task) says, on varied work spread over three weeks.
@Suite("Dashboard: database counts equal the reference rules")
struct DashboardEquivalenceTests {
    @Test("project dashboard over 60 varied tasks", arguments: TestDatabase.available)
    func projectDashboardMatchesReference(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup: 60 tasks created over 35 days, some due, some blocked, some finished, some reopened
            let work = try await WorkFixture.make(app)
            let (lenaID, _) = try await work.org.addMember("Lena Novak")
            // a blocked-category stage, as older projects keep one
            let blockedStage = try #require(try await work.owner.post("\(work.projectBase)/stages", ["name": "Blocked", "category": "blocked"])
                .json["id"].string)
            let people: [String?] = [work.memberID.uuidString, lenaID.uuidString, work.org.ownerID.uuidString, nil]
            var generator = SeededGenerator(seed: 7)
            var created: [(id: String, version: Int)] = []
            for index in 0..<60 {
                let dueDays = [-9.0, -2, -0.5, 1, 3, 6.5, 8, 20, nil][Int.random(in: 0..<9, using: &generator)]
                let due = dueDays.map { ISO8601DateFormatter().string(from: clock.now.addingTimeInterval($0 * 86_400 + 10 * 86_400)) }
                let task = try await work.task(["title": "Task \(index)", "assignee_id": people[index % people.count], "due_at": due,
                                                "estimate": index % 3 == 0 ? nil : Double(index % 7)])
                created.append((task["task"]["id"].string!, task["task"]["version"].int!))
                clock.advance(Double.random(in: 0.05...0.5, using: &generator) * 86_400)
            }
            for (index, task) in created.enumerated() {
                var change: [String: Any?] = ["version": task.version]
                switch index % 6 {
                case 0: change["stage_id"] = work.stages["Done"]!.uuidString
                case 1: change["stage_id"] = work.stages["In progress"]!.uuidString
                case 2: change["blocked"] = true; change["blocked_reason"] = "Waiting \(index)"
                case 3: change["stage_id"] = blockedStage
                default: continue
                }
                let reply = try await work.owner.patch("/api/v1/tasks/\(task.id)", change)
                try #require(reply.status == .ok, "\(reply.body)")
                if index % 12 == 0 {
                    // reopen some finished work later on
                    clock.advance(3_600)
                    _ = try await work.owner.patch("/api/v1/tasks/\(task.id)", ["version": reply.json["task"]["version"].int!,
                                                                                "stage_id": work.stages["In review"]!.uuidString])
                }
                clock.advance(Double.random(in: 0...0.2, using: &generator) * 86_400)
            }
            // act
            let reply = try await work.owner.get("/api/v1/dashboards/projects/\(work.projectID)")
            try #require(reply.status == .ok, "\(reply.body)")
            let dashboard = reply.json
            // check: the reference over every task the dashboard covers
            let now = clock.now
            let windowStart = now.addingTimeInterval(-Double(DashboardQueries.days) * 86_400)
            let tasks = try await WorkTask.query(on: app.db).filter(\.$projectID == work.projectID).all()
                .filter { $0.stageCategory != .done || ($0.completedAt ?? .distantPast) >= windowStart }
            let facts = tasks.map { task in
                TaskFacts(id: task.id!, title: task.title, assigneeID: task.assigneeID, category: task.stageCategory, dueAt: task.dueAt,
                          progressAt: task.progressAt, blocked: task.blocked, blockedAt: task.blockedAt, blockedReason: task.blockedReason,
                          estimate: task.estimate, createdAt: task.createdAt, completedAt: task.completedAt)
            }
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            let reference = DashboardRules.summarize(facts, now: now, weekStart: calendar.dateInterval(of: .weekOfYear, for: now)!.start,
                                                     calendar: calendar, days: DashboardQueries.days)
            #expect(!reference.overdue.isEmpty && !reference.blocked.isEmpty && !reference.dueSoonWithoutProgress.isEmpty)
            for category in StageCategory.allCases {
                #expect(dashboard["counts"][category.rawValue].int == reference.countsByCategory[category], "\(category)")
            }
            #expect(dashboard["overdue"].array.compactMap { $0["id"].uuid } == reference.overdue)
            #expect(dashboard["due_soon_without_progress"].array.compactMap { $0["id"].uuid } == reference.dueSoonWithoutProgress)
            #expect(dashboard["blocked"].array.compactMap { $0["task"]["id"].uuid } == reference.blocked.map(\.id))
            #expect(dashboard["blocked"].array.compactMap { $0["age_days"].int } == reference.blocked.map(\.ageDays))
            #expect(dashboard["workload"].array.map { $0["user_id"].uuid } == reference.workload.map(\.assigneeID))
            #expect(dashboard["workload"].array.compactMap { $0["open_tasks"].int } == reference.workload.map(\.openTasks))
            #expect(dashboard["workload"].array.compactMap { $0["estimate_hours"].double } == reference.workload.map(\.estimateHours))
            #expect(dashboard["completed_this_week"].int == reference.completedThisWeek)
            #expect(dashboard["burn_up"].array.compactMap { $0["scope"].int } == reference.burnUp.map(\.scope))
            #expect(dashboard["burn_up"].array.compactMap { $0["done"].int } == reference.burnUp.map(\.done))
        }
    }
}

/// Deterministic pseudo-random numbers (SplitMix64), so the test data is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
