import BatonCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Rules at work: the seed's three alerts on by default, the sweep's deadlines and schedules,
/// actions through Work's service, once per occasion, never deeper than three levels.
@Suite("Automations: rules firing")
struct AutomationFiringTests {
    @Test("every new project starts with the seed's three alerts, and the migration adds them to existing projects",
          arguments: TestDatabase.available)
    func defaults(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            try await EventConsumers.catchUp(app)
            let keys = try await work.rules().compactMap { $0["template_key"].string }
            #expect(keys == ["stage_moved", "deadline_no_progress", "blocked"])
            #expect(try await work.rules().allSatisfy { $0["enabled"].bool == true })
            // the follower does not add them twice when it sees the project again
            try await EventConsumers.catchUp(app)
            #expect(try await work.rules().count == 3)
            // act: a project from before the module, as the migration finds it
            try await Rule.query(on: app.db).delete()
            try await AddDefaultRulesToProjects().prepare(on: app.db)
            #expect(try await work.rules().compactMap { $0["template_key"].string }.sorted() == ["blocked", "deadline_no_progress", "stage_moved"])
        }
    }

    @Test("a stage move tells the delegator, unless the delegator made it; blocked reaches the delegator and the assignee's manager",
          arguments: TestDatabase.available)
    func seedAlerts(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: Olive delegates to Tom, whose manager is Lena
            let work = try await WorkFixture.make(app)
            let (lenaID, lena) = try await work.org.addMember("Lena Novak")
            let manager = try await work.owner.patch("\(work.org.base)/members/\(work.memberID)", ["manager_id": lenaID.uuidString])
            try #require(manager.status == .ok, "\(manager.body)")
            let taskID = try #require(try await work.task(["title": "Budget", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            try await work.settle(app)
            // act: Tom moves it
            try await work.change(taskID, ["stage_id": work.stages["In progress"]!.uuidString], as: work.member)
            try await work.settle(app)
            // check: Olive hears from the rule, with the task linked
            let olive = try await WorkFixture.alerts(work.owner)
            #expect(olive.count == 1)
            #expect(olive.first?["lines"].array.first?.string == "Rule “Tell the delegator when work moves”: “Budget” moved to In progress.")
            #expect(olive.first?["link"].string?.hasSuffix("/tasks/\(taskID)") == true)
            #expect(try await WorkFixture.alerts(work.member).isEmpty)
            // act: Olive moves it herself: nobody is told (she made the change)
            try await work.change(taskID, ["stage_id": work.stages["In review"]!.uuidString])
            try await work.settle(app)
            #expect(try await WorkFixture.alerts(work.owner).count == 1)
            let stageRule = try #require(try await work.rule("stage_moved")["id"].string)
            #expect(try await work.runs(stageRule).first?["summary"].array.first?.string == "Notified nobody: the only person named made the change themselves.")
            // act: Tom flags it blocked
            try await work.change(taskID, ["blocked": true, "blocked_reason": "Waiting on legal"], as: work.member)
            try await work.settle(app)
            // check: Olive and Lena hear why
            let line = "Rule “Blocked work reaches the delegator”: “Budget” is blocked: Waiting on legal"
            #expect(try await WorkFixture.alerts(lena).first?["lines"].array.map(\.string) == [line])
            #expect(try await WorkFixture.alerts(work.owner).first?["lines"].array.contains { $0.string == line } == true)
            #expect(try await WorkFixture.alerts(work.member).isEmpty)
            // the run history says what each did
            let blockedRule = try #require(try await work.rule("blocked")["id"].string)
            let runs = try await work.runs(blockedRule)
            #expect(runs.count == 1 && runs[0]["status"].string == "done" && runs[0]["task_title"].string == "Budget")
            #expect(runs[0]["summary"].array.first?.string?.hasPrefix("Notified Olive Owner, Lena Novak") == true, "\(runs)")
        }
    }

    @Test("a deadline within 48 h after 72 h without a stage change warns the assignee and delegator once; a moved task is left alone; a new due date is a new occasion",
          arguments: TestDatabase.available)
    func deadlineWithoutProgress(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup: two tasks; Tom moves "Moving" two days in, "Stuck" never moves
            let work = try await WorkFixture.make(app)
            let start = clock.now
            let moving = try #require(try await work.task(["title": "Moving", "assignee_id": work.memberID.uuidString,
                                                          "due_at": BatonDate.iso(start.addingTimeInterval(5 * 86400))])["task"]["id"].string)
            let stuck = try #require(try await work.task(["title": "Stuck", "assignee_id": work.memberID.uuidString,
                                                         "due_at": BatonDate.iso(start.addingTimeInterval(4.5 * 86400))])["task"]["id"].string)
            clock.advance(2 * 86400)
            try await work.change(moving, ["stage_id": work.stages["In progress"]!.uuidString], as: work.member)
            try await work.settle(app)
            let dueRule = try #require(try await work.rule("deadline_no_progress")["id"].string)
            // act: the sweep at three days and an hour: both are due within 48 h; only Stuck has not moved for 72 h
            clock.advance(86400 + 3600)
            try await RuleSweep.sweep(app, now: clock.now)
            try await work.settle(app)
            // check: one warning, about Stuck, to Tom and Olive
            let runs = try await work.runs(dueRule)
            #expect(runs.map { $0["task_id"].string } == [stuck])
            #expect(try await WorkFixture.alerts(work.member).map { $0["subject_title"].string } == ["Stuck"])
            #expect(try await WorkFixture.alerts(work.owner).map { $0["subject_title"].string } == ["Stuck", "Moving"], "the stage move, then the deadline")
            // the next sweeps (a second server's, a late one) find the same deadline and do nothing
            for _ in 0..<3 {
                clock.advance(60)
                try await RuleSweep.sweep(app, now: clock.now)
                try await work.settle(app)
            }
            #expect(try await work.runs(dueRule).count == 1)
            #expect(try await WorkFixture.alerts(work.member).count == 1)
            // act: the deadline moves a day earlier (no stage change): a new occasion
            try await work.change(stuck, ["due_at": BatonDate.iso(clock.now.addingTimeInterval(20 * 3600))])
            clock.advance(60)
            try await RuleSweep.sweep(app, now: clock.now)
            try await work.settle(app)
            #expect(try await work.runs(dueRule).count == 2)
        }
    }
}
