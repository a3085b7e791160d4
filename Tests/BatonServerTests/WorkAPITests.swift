import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Work: projects and tasks")
struct WorkAPITests {
    @Test("a new project starts with four stages; stages can be added, renamed, reordered and removed", arguments: TestDatabase.available)
    func stages(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            #expect(work.stages.count == 4)
            let added = try await work.owner.post("\(work.projectBase)/stages", ["name": "QA", "color": "#123ABC", "category": "in_progress"])
            #expect(added.status == .created)
            #expect(added.json["color"].string == "#123abc")
            let qa = try #require(added.json["id"].string)
            #expect(try await work.owner.post("\(work.projectBase)/stages", ["name": "qa"]).status == .conflict)
            #expect(try await work.owner.post("\(work.projectBase)/stages", ["name": "X", "color": "red"]).errorField == "color")
            #expect(try await work.owner.send(.PATCH, "\(work.projectBase)/stages/\(qa)", ["name": "Quality"]).json["name"].string == "Quality")

            let ids = try await work.owner.get(work.projectBase).json["stages"].array.compactMap { $0["id"].string }
            let reordered = try await work.owner.send(.PUT, "\(work.projectBase)/stages/order", ["stage_ids": Array(ids.reversed())])
            #expect(reordered.json["stages"][0]["id"].string == ids.last)
            #expect(try await work.owner.send(.PUT, "\(work.projectBase)/stages/order", ["stage_ids": [ids[0]]]).errorField == "stage_ids")

            // removing a stage with tasks needs a destination, and records each move on the task
            let task = try await work.task(["title": "Ship", "stage_id": qa])
            let needsTarget = try await work.owner.delete("\(work.projectBase)/stages/\(qa)")
            #expect(needsTarget.errorField == "move_to")
            let todo = work.stages["To do"]!
            #expect(try await work.owner.delete("\(work.projectBase)/stages/\(qa)?move_to=\(todo)").status == .noContent)
            let moved = try await work.owner.get("/api/v1/tasks/\(task["task"]["id"].string!)")
            #expect(moved.json["task"]["stage_id"].uuid == todo)
            let history = try await work.owner.get("/api/v1/tasks/\(task["task"]["id"].string!)/history")
            #expect(history.json["data"].array.contains { $0["kind"].string == "task.stage_changed" })
            // the last done stage stays
            let done = work.stages["Done"]!
            #expect(try await work.owner.delete("\(work.projectBase)/stages/\(done)").errorField == "stage_id")
        }
    }

    @Test("one meaning of blocked: a blocked-category stage an older project keeps sets the flag on the way in and clears it on the way out",
          arguments: TestDatabase.available)
    func blockedStage(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let stage = try #require(try await work.owner.post("\(work.projectBase)/stages", ["name": "Blocked", "category": "blocked"]).json["id"].string)
            let id = try #require(try await work.task(["title": "Waiting"])["task"]["id"].string)
            let into = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "stage_id": stage])
            #expect(into.json["task"]["blocked"].bool == true && into.json["task"]["blocked_reason"].string == "In the Blocked stage")
            let out = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 2, "stage_id": work.stages["In progress"]!.uuidString])
            #expect(out.json["task"]["blocked"].bool == false)
            // a flag set with its own reason stays when the task moves on
            _ = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 3, "blocked": true, "blocked_reason": "Vendor is late"])
            let moved = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 4, "stage_id": work.stages["In review"]!.uuidString])
            #expect(moved.json["task"]["blocked_reason"].string == "Vendor is late")
            let kinds = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array.compactMap { $0["kind"].string }
            #expect(kinds.filter { $0 == "task.blocked" }.count == 2 && kinds.contains("task.unblocked"))
        }
    }

    @Test("a task with a full handoff brief, typed custom fields and a delegator", arguments: TestDatabase.available)
    func createWithBrief(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            for field in [["name": "Budget", "type": "money", "currency": "eur"], ["name": "Tier", "type": "single_select", "options": ["Gold", "Silver"]],
                          ["name": "Reviewer", "type": "person"], ["name": "Signed", "type": "checkbox"]] as [[String: Any?]] {
                #expect(try await work.owner.post("\(work.projectBase)/fields", field).status == .created)
            }
            #expect(try await work.owner.post("\(work.projectBase)/fields", ["name": "Cost", "type": "money"]).errorField == "currency")
            let created = try await work.task([
                "title": "Write the launch plan", "description": "**Draft** for review", "assignee_id": work.memberID.uuidString,
                "priority": "high", "due_at": "2026-12-01T17:00:00Z", "time_zone": "Europe/Berlin", "tags": ["Launch", "docs", "launch"],
                "estimate": 6, "custom_fields": ["Budget": 1200.5, "tier": "gold", "Reviewer": work.org.ownerID.uuidString, "Signed": false],
                "brief": [
                    "outcome": "A plan the team can execute", "constraints": "No new hires", "success_criteria": "Approved by Friday",
                    "risk_tolerance": "medium", "delegation_level": 5, "stretch": true, "skills": ["planning"],
                    "decision_rights": ["decide_alone": ["format"], "consult_first": ["budget"], "escalate": ["scope"]],
                    "checklist": ["Timeline", "Budget table"],
                    "checkpoints": [["title": "Outline", "due_at": "2026-11-25T12:00:00Z"]],
                ],
            ])
            let task = created["task"]
            #expect(task["delegator_id"].uuid == work.org.ownerID)
            #expect(task["assignee_id"].uuid == work.memberID)
            #expect(task["handoff_state"].string == "pending")
            #expect(task["tags"].array.compactMap(\.string) == ["launch", "docs"])
            #expect(task["custom_fields"]["Budget"].string == "1200.50")
            #expect(task["custom_fields"]["Tier"].string == "Gold")
            // the list carries the values too (projects without fields skip that read)
            let listed = try await work.owner.get("\(work.projectBase)/tasks").json["data"].array.first { $0["id"].uuid == task["id"].uuid }
            #expect(listed?["custom_fields"]["Budget"].string == "1200.50")
            #expect(task["stage_id"].uuid == work.stages["To do"])
            let brief = created["brief"]
            #expect(brief["delegation_level_name"].string == "Advise")
            #expect(brief["decision_rights"]["escalate"][0].string == "scope")
            #expect(brief["checklist"].array.count == 2)
            #expect(brief["checkpoints"][0]["title"].string == "Outline")
            #expect(created["watcher_ids"].array.compactMap(\.uuid).sorted { $0.uuidString < $1.uuidString }
                    == [work.org.ownerID, work.memberID].sorted { $0.uuidString < $1.uuidString })
        }
    }

    @Test("wrong custom field types are 422s naming the field, and write nothing", arguments: TestDatabase.available)
    func wrongFieldTypes(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Budget", "type": "number"])
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Tier", "type": "single_select", "options": ["Gold"]])
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Link", "type": "url"])
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Owner", "type": "person"])
            let cases: [([String: Any], String)] = [
                (["Budget": "lots"], "custom_fields.Budget"), (["Tier": "Bronze"], "custom_fields.Tier"),
                (["Link": "ftp://x"], "custom_fields.Link"), (["Owner": UUID().uuidString], "custom_fields.Owner"),
                (["Nope": 1], "custom_fields.Nope"), (["Budget": ["a": 1]], "custom_fields.Budget"),
            ]
            for (fields, name) in cases {
                let reply = try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "custom_fields": fields])
                #expect(reply.status == .unprocessableEntity, "\(fields)")
                #expect(reply.errorField == name, "\(reply.body)")
            }
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "priority": "asap"]).errorField == "priority")
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "due_at": "tomorrow"]).errorField == "due_at")
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": ""]).errorField == "title")
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "brief": ["delegation_level": 9]]).errorField == "brief.delegation_level")
            #expect(try await WorkTask.query(on: app.db).count() == 0)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "task.created").count() == 0)
        }
    }

    @Test("PATCH with a stale version is 409; each change lands in the history", arguments: TestDatabase.available)
    func patchAndHistory(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Draft", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            let first = try await work.owner.patch("/api/v1/tasks/\(id)", [
                "version": 1, "due_at": "2026-12-10T10:00:00Z", "stage_id": work.stages["In progress"]!.uuidString, "priority": "urgent",
            ])
            #expect(first.status == .ok, "\(first.body)")
            let version = try #require(first.json["task"]["version"].int)
            #expect(version == 2)
            let stale = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "title": "Other"])
            #expect(stale.status == .conflict)
            #expect(stale.errorField == "version")
            #expect(try await work.owner.patch("/api/v1/tasks/\(id)", ["title": "No version"]).errorField == "version")
            // handed back to the owner, who delegated it: the owner stays its delegator, and the handoff starts over
            let reassigned = try await work.member.patch("/api/v1/tasks/\(id)", ["version": version, "assignee_id": work.org.ownerID.uuidString])
            #expect(reassigned.json["task"]["delegator_id"].uuid == work.org.ownerID)
            let blocked = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": version + 1, "blocked": true])
            #expect(blocked.errorField == "blocked_reason")
            _ = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": version + 1, "blocked": true, "blocked_reason": "Waiting on legal"])

            let history = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array
            let kinds = history.compactMap { $0["kind"].string }
            #expect(kinds == ["task.created", "task.assigned", "task.stage_changed", "task.due_changed", "task.updated",
                              "task.assigned", "task.blocked"] || Set(kinds) == ["task.created", "task.assigned", "task.stage_changed",
                                                                                  "task.due_changed", "task.updated", "task.blocked"])
            let sentences = history.compactMap { $0["sentence"].string }
            #expect(sentences.contains("Olive Owner moved “Draft” from To do to In progress"))
            #expect(sentences.contains("Tom Becker reassigned “Draft” from Tom Becker to Olive Owner"))
            #expect(sentences.contains("Olive Owner flagged “Draft” as blocked: Waiting on legal"))
            #expect(history.first { $0["kind"].string == "task.updated" }?["data"]["field"].string == "priority")
        }
    }

    @Test("done needs every acceptance item checked or waived; reopening is recorded", arguments: TestDatabase.available)
    func doneRule(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            // level 6: the assignee completes without a review (DelegationAPITests covers levels 1–5)
            let created = try await work.task(["title": "Report", "assignee_id": work.memberID.uuidString,
                                              "brief": ["checklist": ["Numbers checked", "Charts labelled"], "delegation_level": 6]])
            let id = try #require(created["task"]["id"].string)
            let items = created["brief"]["checklist"].array.compactMap { $0["id"].string }
            let done = work.stages["Done"]!.uuidString
            let refused = try await work.member.patch("/api/v1/tasks/\(id)", ["version": 1, "stage_id": done])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorField == "stage_id")
            #expect(refused.json["error"]["message"].string?.contains("“Numbers checked”, “Charts labelled”") == true)

            #expect(try await work.member.send(.PATCH, "/api/v1/tasks/\(id)/checklist/\(items[0])", ["checked": true]).json["checked"].bool == true)
            let stillOpen = try await work.member.patch("/api/v1/tasks/\(id)", ["version": 2, "stage_id": done])
            #expect(stillOpen.json["error"]["message"].string?.contains("“Charts labelled”") == true)
            // waivers are the delegator's
            #expect(try await work.owner.send(.PATCH, "/api/v1/tasks/\(id)/checklist/\(items[1])", ["waived_reason": ""]).errorField == "reason")
            #expect(try await work.owner.send(.PATCH, "/api/v1/tasks/\(id)/checklist/\(items[1])", ["waived_reason": "No charts this time"]).status == .ok)
            let finished = try await work.member.patch("/api/v1/tasks/\(id)", ["version": 3, "stage_id": done])
            #expect(finished.status == .ok, "\(finished.body)")
            #expect(finished.json["task"]["completed_at"].string != nil)
            let reopened = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 4, "stage_id": work.stages["In progress"]!.uuidString])
            #expect(reopened.json["task"]["completed_at"].isNull)
            let history = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array
            #expect(history.contains { $0["data"]["reopened"].string == "true" })
            #expect(history.contains { $0["kind"].string == "task.checklist_waived" })
        }
    }

    @Test("the assignee accepts or asks; checkpoints are reviewed; comments record mentions", arguments: TestDatabase.available)
    func handoff(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Pitch", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            #expect(try await work.owner.post("/api/v1/tasks/\(id)/accept").status == .forbidden)
            let asked = try await work.member.post("/api/v1/tasks/\(id)/clarification", ["question": "Which audience?"])
            #expect(asked.json["task"]["handoff_state"].string == "clarification_requested")
            #expect(try await work.member.post("/api/v1/tasks/\(id)/clarification", ["question": " "]).errorField == "question")
            let accepted = try await work.member.post("/api/v1/tasks/\(id)/accept")
            #expect(accepted.json["task"]["handoff_state"].string == "accepted")
            #expect(try await work.member.post("/api/v1/tasks/\(id)/accept").status == .conflict)

            let checkpoint = try await work.owner.post("/api/v1/tasks/\(id)/checkpoints", ["title": "First draft", "due_at": "2026-12-01T09:00:00Z"])
            #expect(checkpoint.status == .created)
            let cid = try #require(checkpoint.json["id"].string)
            #expect(try await work.owner.post("/api/v1/tasks/\(id)/checkpoints/\(cid)/review", ["status": "fine"]).errorField == "status")
            let reviewed = try await work.owner.post("/api/v1/tasks/\(id)/checkpoints/\(cid)/review", ["status": "at_risk", "note": "Slides missing"])
            #expect(reviewed.json["status"].string == "at_risk")

            let me = try await work.member.get("/api/v1/me").json["user"]["email"].string!
            let handle = String(me.split(separator: "@")[0])
            let comment = try await work.owner.post("/api/v1/tasks/\(id)/comments", ["body": "Looks good @\(handle), ping `@nobody`"])
            #expect(comment.status == .created)
            #expect(comment.json["mention_ids"].array.compactMap(\.uuid) == [work.memberID])
            #expect(try await work.owner.get("/api/v1/tasks/\(id)/comments").json["data"].array.count == 1)
            let kinds = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array.compactMap { $0["kind"].string }
            for kind in ["task.clarification_requested", "task.handoff_accepted", "task.checkpoint_added", "task.checkpoint_reviewed", "task.commented"] {
                #expect(kinds.contains(kind), "\(kind)")
            }
        }
    }

    @Test("task lists filter and page by cursor", arguments: TestDatabase.available)
    func listing(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            for index in 0..<7 {
                _ = try await work.task(["title": "Task \(index)", "assignee_id": index % 2 == 0 ? work.memberID.uuidString : nil,
                                         "priority": index == 3 ? "urgent" : "normal", "tags": index < 2 ? ["alpha"] : [],
                                         "due_at": "2026-12-0\(index + 1)T12:00:00Z"])
                clock.advance(index == 4 ? 0 : 1) // two tasks share a creation time
            }
            var titles: [String] = []
            var cursor: String?
            repeat {
                let page = try await work.owner.get("\(work.projectBase)/tasks?limit=3" + (cursor.map { "&after=\($0)" } ?? "")).json
                titles += page["data"].array.compactMap { $0["title"].string }
                cursor = page["next_cursor"].string
            } while cursor != nil
            #expect(titles.count == 7)
            #expect(Set(titles).count == 7)
            #expect(titles.first == "Task 6")

            func count(_ query: String) async throws -> Int {
                try await work.owner.get("\(work.projectBase)/tasks?\(query)").json["data"].array.count
            }
            #expect(try await count("assignee=\(work.memberID)") == 4)
            #expect(try await count("assignee=none") == 3)
            #expect(try await count("priority=urgent") == 1)
            #expect(try await count("tag=ALPHA") == 2)
            #expect(try await count("due_before=2026-12-03T00:00:00Z") == 2)
            #expect(try await count("stage=\(work.stages["To do"]!)") == 7)
            #expect(try await count("category=done") == 0)
            for bad in ["assignee=bob", "priority=asap", "due_before=soon", "after=zzz", "limit=0", "category=later"] {
                let reply = try await work.owner.get("\(work.projectBase)/tasks?\(bad)")
                #expect(reply.status == .unprocessableEntity, "\(bad)")
            }
        }
    }

    @Test("bulk changes are one transaction: a refusing task changes nothing and is named; skip_failing changes the rest",
          arguments: TestDatabase.available)
    func bulk(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let a = try #require(try await work.task(["title": "A"])["task"]["id"].string)
            let b = try #require(try await work.task(["title": "B"])["task"]["id"].string)
            let c = try #require(try await work.task(["title": "C", "brief": ["checklist": ["Sign-off"]]])["task"]["id"].string)
            let eventsBefore = try await EventRecord.query(on: app.db).count()
            let done = work.stages["Done"]!.uuidString
            let failed = try await work.owner.post("\(work.projectBase)/tasks/bulk", ["task_ids": [a, b, c], "changes": ["stage_id": done]])
            #expect(failed.status == .unprocessableEntity)
            #expect(failed.json["error"]["message"].string?.contains("“C”") == true)
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageCategory == .done).count() == 0)
            #expect(try await EventRecord.query(on: app.db).count() == eventsBefore)
            #expect(failed.json["error"]["message"].string?.contains("1 of 3 tasks") == true)
            // told which refused, the user changes the others
            let rest = try await work.owner.post("\(work.projectBase)/tasks/bulk", ["task_ids": [a, b, c], "changes": ["stage_id": work.stages["In review"]!.uuidString],
                                                                                   "skip_failing": true])
            #expect(rest.status == .ok && rest.json["data"].array.count == 3)
            let skipped = try await work.owner.post("\(work.projectBase)/tasks/bulk", ["task_ids": [a, b, c], "changes": ["stage_id": done], "skip_failing": true])
            #expect(skipped.json["data"].array.compactMap { $0["title"].string }.sorted() == ["A", "B"], "\(skipped.body)")
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageCategory == .done).count() == 2)
            _ = try await work.owner.post("\(work.projectBase)/tasks/bulk", ["task_ids": [a, b], "changes": ["stage_id": work.stages["To do"]!.uuidString]])

            let moved = try await work.owner.post("\(work.projectBase)/tasks/bulk", [
                "task_ids": [a, b], "changes": ["stage_id": done, "assignee_id": work.memberID.uuidString],
            ])
            #expect(moved.status == .ok, "\(moved.body)")
            #expect(moved.json["data"].array.allSatisfy { $0["stage_category"].string == "done" && $0["assignee_id"].uuid == work.memberID })
            let events = try await EventRecord.query(on: app.db).filter(\.$kind == "task.stage_changed").count()
            #expect(events == 3 + 2 + 2 + 2)
            let other = try await WorkFixture.make(app)
            let foreign = try #require(try await other.task(["title": "X"])["task"]["id"].string)
            #expect(try await work.owner.post("\(work.projectBase)/tasks/bulk", ["task_ids": [a, foreign], "changes": ["stage_id": done]]).errorField == "task_ids")
        }
    }

    @Test("guests see only their projects and change only their own tasks", arguments: TestDatabase.available)
    func guests(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
            #expect(try await guest.get(work.projectBase).status == .notFound)
            #expect(try await guest.get("\(work.org.base)/projects").json["data"].array.isEmpty)
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
            #expect(try await guest.get(work.projectBase).status == .ok)
            let mine = try #require(try await work.task(["title": "Guest task", "assignee_id": guestID.uuidString])["task"]["id"].string)
            let theirs = try #require(try await work.task(["title": "Team task"])["task"]["id"].string)
            #expect(try await guest.patch("/api/v1/tasks/\(mine)", ["version": 1, "stage_id": work.stages["In progress"]!.uuidString]).status == .ok)
            #expect(try await guest.patch("/api/v1/tasks/\(theirs)", ["version": 1, "title": "Mine now"]).status == .forbidden)
            #expect(try await guest.post("\(work.projectBase)/tasks", ["title": "New"]).status == .forbidden)
            #expect(try await work.member.post("\(work.projectBase)/stages", ["name": "Nope"]).status == .forbidden)
        }
    }
}
