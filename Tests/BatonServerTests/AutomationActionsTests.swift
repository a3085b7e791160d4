import BatonCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// What rules do: actions through Work's service, conditions with all/any, schedules caught up
/// once, the three-level limit, and running once however often a job or sweep repeats.
@Suite("Automations: actions")
struct AutomationActionsTests {
    @Test("a rule on new tasks matching any condition assigns round-robin in a team, comments and creates a follow-up",
          arguments: TestDatabase.available)
    func actions(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: a team of Tom and Lena; the rule picks urgent tasks or tasks about fires
            let work = try await WorkFixture.make(app)
            let (lenaID, _) = try await work.org.addMember("Lena Novak")
            let teamID = try #require(try await work.owner.post("\(work.org.base)/teams", ["name": "Support"]).json["id"].string)
            for person in [work.memberID, lenaID] {
                #expect(try await work.owner.post("\(work.org.base)/teams/\(teamID)/members", ["user_id": person.uuidString]).status == .noContent)
            }
            let rule = try await work.addRule([
                "name": "Triage", "trigger": ["type": "task_created"], "match": "any",
                "conditions": [["field": "priority", "op": "equals", "value": "urgent"], ["field": "title", "op": "contains", "value": "fire"]],
                "actions": [["type": "assign", "team_id": teamID], ["type": "comment", "message": "Picked up for {{assignee}}."],
                            ["type": "create_task", "message": "Review: {{title}}", "due_in_days": 2]],
            ])
            #expect(rule["match"].string == "any" && rule["conditions"].array.count == 2)
            // act: three tasks, two of which match
            var ids: [String] = []
            for (title, priority) in [("Server fire", "normal"), ("Renew domain", "urgent"), ("Plan offsite", "low")] {
                ids.append(try #require(try await work.task(["title": title, "priority": priority])["task"]["id"].string))
            }
            try await work.settle(app)
            // check: the two are assigned in turn and commented on; the third is untouched
            var assignees: [UUID?] = []
            for id in ids {
                let detail = try await work.owner.get("/api/v1/tasks/\(id)").json
                assignees.append(detail["task"]["assignee_id"].uuid)
            }
            #expect(Set(assignees.prefix(2).compactMap { $0 }) == Set([work.memberID, lenaID]), "\(assignees)")
            #expect(assignees[2] == nil)
            let comments = try await work.owner.get("/api/v1/tasks/\(ids[0])/comments").json["data"].array
            #expect(comments.count == 1 && comments[0]["body"].string?.hasPrefix("Picked up for ") == true, "\(comments)")
            let tasks = try await work.owner.get("\(work.projectBase)/tasks?limit=50").json["data"].array.compactMap { $0["title"].string }
            #expect(Set(tasks.filter { $0.hasPrefix("Review: ") }) == ["Review: Server fire", "Review: Renew domain"])
            // the follow-ups were created by the rule, so the rule did not fire on them (they are not about fires… or are they?)
            #expect(tasks.filter { $0.hasPrefix("Review: Review") }.isEmpty)
            let runs = try await work.runs(try #require(rule["id"].string))
            #expect(runs.count == 2 && runs.allSatisfy { $0["status"].string == "done" && $0["summary"].array.count == 3 })
            // the audit trail says which rule did it
            let events = try await EventRecord.query(on: app.db).filter(\.$kind == "task.assigned").all()
            #expect(events.count >= 2)
        }
    }

    @Test("rules that set each other off stop three levels deep; the fourth is skipped and written in the run history",
          arguments: TestDatabase.available)
    func depthLimit(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let progress = work.stages["In progress"]!.uuidString, review = work.stages["In review"]!.uuidString
            let forth = try await work.addRule(["name": "Forth", "trigger": ["type": "stage_changed", "to_stage": progress],
                                                "actions": [["type": "set_stage", "stage_id": review]]])
            let back = try await work.addRule(["name": "Back", "trigger": ["type": "stage_changed", "to_stage": review],
                                               "actions": [["type": "set_stage", "stage_id": progress]]])
            let taskID = try #require(try await work.task(["title": "Ping-pong"])["task"]["id"].string)
            try await work.settle(app)
            // act: a person moves it to In progress
            try await work.change(taskID, ["stage_id": progress])
            try await work.settle(app)
            // check: Forth at levels 1 and 3, Back at 2 and skipped at 4; the task rests in review
            let forthRuns = try await work.runs(try #require(forth["id"].string))
            #expect(forthRuns.map { $0["depth"].int } == [3, 1] && forthRuns.allSatisfy { $0["status"].string == "done" })
            let backRuns = try await work.runs(try #require(back["id"].string))
            #expect(backRuns.map { $0["status"].string } == ["skipped", "done"])
            #expect(backRuns.first?["depth"].int == 4)
            #expect(backRuns.first?["summary"].array.first?.string?.contains("cannot loop") == true)
            #expect(try await work.owner.get("/api/v1/tasks/\(taskID)").json["task"]["stage_id"].string == review)
            // a job that runs again (a crash after the work, before the queue heard) does nothing new
            let done = try #require(try await RuleRun.query(on: app.db).filter(\.$ruleID == back["id"].uuid!).filter(\.$depth == 2).first())
            try await RuleRunner.run(back["id"].uuid!, depth: 2,
                                     firings: [RuleFiring(taskID: done.taskID!, key: done.key, occasion: done.occasion)], app: app)
            try await work.settle(app)
            #expect(try await work.runs(try #require(back["id"].string)).count == 2)
        }
    }

    @Test("a daily rule runs at its time in its zone, once; a restart that spanned three occurrences catches up once",
          arguments: TestDatabase.available)
    func schedule(db: TestDatabase) async throws {
        let clock = TestClock()   // 2027-01-15 08:00 UTC
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.task(["title": "Open one", "assignee_id": work.memberID.uuidString])
            let rule = try await work.addRule([
                "name": "Morning nudge", "trigger": ["type": "schedule", "every": "day", "at": "09:00", "time_zone": "Europe/London"],
                "actions": [["type": "notify", "recipients": ["assignee"], "message": "Still open: {{title}}"]],
            ])
            let ruleID = try #require(rule["id"].string)
            #expect(rule["next_run_at"].string == "2027-01-15T09:00:00Z")
            // 08:30: not yet
            clock.advance(1800)
            try await RuleSweep.sweep(app, now: clock.now)
            try await work.settle(app)
            #expect(try await work.runs(ruleID).isEmpty)
            // 09:01: once, however many sweeps see it
            clock.advance(31 * 60)
            for _ in 0..<3 {
                try await RuleSweep.sweep(app, now: clock.now)
                try await work.settle(app)
            }
            #expect(try await work.runs(ruleID).count == 1)
            #expect(try await WorkFixture.alerts(work.member).first?["lines"].array.first?.string == "Rule “Morning nudge”: Still open: Open one")
            // three days down: one catch-up, not three
            clock.advance(3 * 86400)
            try await RuleSweep.sweep(app, now: clock.now)
            try await work.settle(app)
            #expect(try await work.runs(ruleID).count == 2)
        }
    }

    @Test("a missed checkpoint alerts once; a disabled rule does nothing", arguments: TestDatabase.available)
    func checkpointsAndDisabling(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            let missed = try await work.addRule(["template_key": "checkpoint_missed"])
            let taskID = try #require(try await work.task([
                "title": "Vendor review", "assignee_id": work.memberID.uuidString,
                "brief": ["checkpoints": [["title": "Draft", "due_at": BatonDate.iso(clock.now.addingTimeInterval(86400))]]],
            ])["task"]["id"].string)
            try await work.settle(app)
            clock.advance(86400 + 120)
            for _ in 0..<2 {
                try await RuleSweep.sweep(app, now: clock.now)
                try await work.settle(app)
            }
            let runs = try await work.runs(try #require(missed["id"].string))
            #expect(runs.count == 1 && runs[0]["task_id"].string == taskID)
            // act: turn the blocked alert off, then block the task
            let blocked = try await work.rule("blocked")
            let off = try await work.owner.patch("/api/v1/rules/\(blocked["id"].string!)", ["enabled": false, "version": blocked["version"].int])
            #expect(off.status == .ok && off.json["enabled"].bool == false, "\(off.body)")
            try await work.change(taskID, ["blocked": true, "blocked_reason": "Vendor silent"], as: work.member)
            try await work.settle(app)
            #expect(try await work.runs(blocked["id"].string!).isEmpty)
            #expect(try await work.org.eventKinds().contains("rule.disabled"))
        }
    }

    @Test("a field change assigns a named person and sets a field; unblocking comments; a saved view fires when a task enters it, not while it stays",
          arguments: TestDatabase.available)
    func fieldsUnblockAndViews(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (lenaID, _) = try await work.org.addMember("Lena Novak")
            _ = try await work.addRule(["name": "Escalate", "trigger": ["type": "field_changed", "field": "priority"],
                                        "conditions": [["field": "priority", "op": "equals", "value": "urgent"]],
                                        "actions": [["type": "assign", "user_id": lenaID.uuidString],
                                                    ["type": "set_field", "field": "tags", "value": "escalated, {{priority}}"]]])
            _ = try await work.addRule(["template_key": "unblocked_comment"])
            // a saved view of high-priority work, and a rule on entering it
            let olive = try await NotificationPagesTests.browser(app, token: work.org.token)
            _ = try await olive.post("/w/\(work.org.workspaceID)/projects/\(work.projectID)/views", ["name": "Hot", "query": "priority=high"])
            let viewID = try #require(try await SavedView.query(on: app.db).filter(\.$name == "Hot").first()?.id?.uuidString)
            let entering = try await work.addRule(["name": "Entered Hot", "trigger": ["type": "starts_matching", "view_id": viewID],
                                                   "actions": [["type": "notify", "recipients": ["assignee"], "message": "{{title}} is hot"]]])
            let taskID = try #require(try await work.task(["title": "Supplier", "priority": "low", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            try await work.settle(app)
            // field change: urgent → Lena, tagged
            try await work.change(taskID, ["priority": "urgent"])
            try await work.settle(app)
            let escalated = try await work.owner.get("/api/v1/tasks/\(taskID)").json["task"]
            #expect(escalated["assignee_id"].uuid == lenaID)
            #expect(escalated["tags"].array.compactMap(\.string) == ["escalated", "urgent"], "\(escalated)")
            // unblocked: the template's comment
            try await work.change(taskID, ["blocked": true, "blocked_reason": "Waiting"])
            try await work.change(taskID, ["blocked": false])
            try await work.settle(app)
            let comments = try await work.owner.get("/api/v1/tasks/\(taskID)/comments").json["data"].array.compactMap { $0["body"].string }
            #expect(comments == ["Unblocked. Back in To do."], "\(comments)")
            // the view: entering fires, staying does not, leaving and entering again fires again
            let viewRule = try #require(entering["id"].string)
            try await work.change(taskID, ["priority": "high"])
            try await work.settle(app)
            #expect(try await work.runs(viewRule).count == 1)
            try await work.change(taskID, ["title": "Supplier contract"])
            try await work.settle(app)
            #expect(try await work.runs(viewRule).count == 1)
            try await work.change(taskID, ["priority": "low"])
            try await work.settle(app)
            try await work.change(taskID, ["priority": "high"])
            try await work.settle(app)
            #expect(try await work.runs(viewRule).count == 2)
        }
    }
}
