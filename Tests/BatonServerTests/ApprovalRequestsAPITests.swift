import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Approvals API: every action on a request, who may take it, the views, the inbox and timeouts")
struct ApprovalRequestsAPITests {
    @Test("approve step by step; out of turn is 403, twice is 409, an outsider 404; the requester hears of the outcome",
          arguments: TestDatabase.available)
    func approve(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let template = try #require(try await fixture.template()["id"].string)
            let request = try await fixture.submit(template, ["item": "Servers", "amount": 20_000])
            let id = try #require(request["id"].string)
            #expect(request["status"].string == "pending" && fixture.waiting(request) == [fixture.dana.id.uuidString])
            #expect(request["can"].array.compactMap(\.string) == ["withdraw"])

            #expect(try await fixture.act(id, "approve", as: fixture.finn.api).status == .forbidden, "Finance's turn comes later")
            let stranger = try await fixture.org.addMember("Sam Stranger")
            #expect(try await fixture.act(id, "approve", as: stranger.api).status == .notFound)
            #expect(try await stranger.api.get("/api/v1/approval-requests/\(id)").status == .notFound)
            let outsider = try await Org.signUp(app, workspace: "Other")
            #expect(try await fixture.act(id, "approve", as: outsider.owner).status == .notFound)
            #expect(try await fixture.act(id, "approve", as: fixture.ana.api).status == .forbidden, "the requester does not approve")

            let first = try await fixture.act(id, "approve", ["comment": "Fine by me"], as: fixture.dana.api)
            #expect(first.status == .ok && fixture.waiting(first.json) == [fixture.finn.id.uuidString], "\(first.body)")
            #expect(first.json["steps"][0]["state"].string == "done" && first.json["steps"][1]["state"].string == "open")
            #expect(try await fixture.act(id, "approve", as: fixture.dana.api).status == .forbidden, "her step is over")
            let done = try await fixture.act(id, "approve", as: fixture.finn.api)
            #expect(done.json["status"].string == "approved" && done.json["decided_at"].string != nil)
            #expect(try await fixture.act(id, "approve", as: fixture.finn.api).status == .conflict)
            #expect(done.json["path"].array.compactMap { $0["kind"].string } == ["submitted", "approved", "approved"])
            #expect(done.json["path"][1]["waited_seconds"].value != nil && done.json["path"][1]["comment"].string == "Fine by me")

            try await settleJobs(app)
            let inbox = try await fixture.ana.api.get("/api/v1/me/notifications").json["data"].array
            #expect(inbox.contains { $0["kind"].string == "approval_update" && $0["lines"].array.contains { $0.string?.contains("was approved") == true } },
                    "\(inbox)")
            let finnInbox = try await fixture.finn.api.get("/api/v1/me/notifications").json["data"].array
            #expect(finnInbox.contains { $0["kind"].string == "approval" && $0["subject_id"].string == id })
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "approval.decided").count() == 1)
        }
    }

    @Test("reject needs a comment and ends an all-step at once; changes requested go back; resubmit reroutes; withdraw",
          arguments: TestDatabase.available)
    func rejectAndChanges(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let template = try #require(try await fixture.template()["id"].string)
            let id = try #require(try await fixture.submit(template, ["item": "Desk", "amount": 4000])["id"].string)
            let events = try await EventRecord.query(on: app.db).count()
            let bare = try await fixture.act(id, "reject", ["comment": "  "], as: fixture.dana.api)
            #expect(bare.status == .unprocessableEntity && bare.json["error"]["field"].string == "comment")
            #expect(try await fixture.act(id, "reject", [:], as: fixture.dana.api).status == .unprocessableEntity)
            #expect(try await EventRecord.query(on: app.db).count() == events, "a refused action writes nothing")

            let changes = try await fixture.act(id, "request-changes", ["comment": "Get a second quote"], as: fixture.dana.api)
            #expect(changes.json["status"].string == "changes_requested" && changes.json["waiting_on"].array.isEmpty)
            #expect(try await fixture.act(id, "approve", as: fixture.dana.api).status == .conflict)
            #expect(try await fixture.act(id, "resubmit", as: fixture.dana.api).status == .forbidden)
            // the second quote is cheaper: the new values take the small route, to Maya
            let resubmitted = try await fixture.act(id, "resubmit", ["values": ["item": "Desk", "amount": 800], "comment": "Cheaper one"],
                                                    as: fixture.ana.api)
            #expect(resubmitted.status == .ok && fixture.waiting(resubmitted.json) == [fixture.maya.id.uuidString], "\(resubmitted.body)")
            #expect(resubmitted.json["values"]["amount"].value as? Double == 800 && resubmitted.json["branches"].array.map(\.string) == ["Small"])
            let wrong = try await fixture.act(id, "resubmit", ["values": ["item": "Desk"]], as: fixture.ana.api)
            #expect(wrong.status == .unprocessableEntity && wrong.json["error"]["field"].string == "values.amount")

            let rejected = try await fixture.act(id, "reject", ["comment": "Not this quarter"], as: fixture.maya.api)
            #expect(rejected.json["status"].string == "rejected")
            #expect(try await fixture.act(id, "withdraw", as: fixture.ana.api).status == .conflict)

            let other = try #require(try await fixture.submit(template, ["item": "Lamp", "amount": 30])["id"].string)
            #expect(try await fixture.act(other, "withdraw", as: fixture.maya.api).status == .forbidden)
            let withdrawn = try await fixture.act(other, "withdraw", ["comment": "Found one at home"], as: fixture.ana.api)
            #expect(withdrawn.json["status"].string == "withdrawn" && withdrawn.json["waiting_on"].array.isEmpty)
            try await settleJobs(app)
            let mayaInbox = try await fixture.maya.api.get("/api/v1/me/notifications").json["data"].array
            #expect(mayaInbox.contains { $0["subject_id"].string == other && $0["lines"].array.contains { $0.string?.contains("withdrew") == true } })
        }
    }

    @Test("transfer with a reason, add an approver before or after oneself, return to an earlier step", arguments: TestDatabase.available)
    func reshape(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let template = try #require(try await fixture.template()["id"].string)
            let id = try #require(try await fixture.submit(template, ["item": "Servers", "amount": 20_000])["id"].string)

            let noReason = try await fixture.act(id, "transfer", ["to": fixture.maya.id.uuidString], as: fixture.dana.api)
            #expect(noReason.status == .unprocessableEntity && noReason.json["error"]["field"].string == "reason")
            let toSelf = try await fixture.act(id, "transfer", ["to": fixture.ana.id.uuidString, "reason": "x"], as: fixture.dana.api)
            #expect(toSelf.status == .unprocessableEntity && toSelf.json["error"]["field"].string == "to")
            let outsider = try await Org.signUp(app, workspace: "Other")
            let away = try await fixture.act(id, "transfer", ["to": outsider.ownerID.uuidString, "reason": "x"], as: fixture.dana.api)
            #expect(away.status == .unprocessableEntity && away.json["error"]["field"].string == "to")
            let moved = try await fixture.act(id, "transfer", ["to": fixture.maya.id.uuidString, "reason": "Maya owns this budget"], as: fixture.dana.api)
            #expect(moved.status == .ok && fixture.waiting(moved.json) == [fixture.maya.id.uuidString], "\(moved.body)")
            #expect(moved.json["path"].array.last?["target_name"].string == "Maya Chen")
            #expect(try await fixture.act(id, "approve", as: fixture.dana.api).status == .forbidden)

            let added = try await fixture.act(id, "add-approver", ["user_id": fixture.dana.id.uuidString, "position": "before"], as: fixture.maya.api)
            #expect(added.status == .ok && fixture.waiting(added.json) == [fixture.dana.id.uuidString], "\(added.body)")
            #expect(added.json["steps"].array.count == 3)
            #expect(try await fixture.act(id, "approve", as: fixture.dana.api).json["waiting_on"][0]["user_id"].string == fixture.maya.id.uuidString)
            let after = try await fixture.act(id, "add-approver", ["user_id": fixture.org.ownerID.uuidString, "position": "after"], as: fixture.maya.api)
            #expect(after.json["steps"].array.count == 4 && fixture.waiting(after.json) == [fixture.maya.id.uuidString])
            _ = try await fixture.act(id, "approve", as: fixture.maya.api)
            let owners = try await fixture.act(id, "approve", as: fixture.owner)
            #expect(fixture.waiting(owners.json) == [fixture.finn.id.uuidString], "\(owners.body)")

            let badStep = try await fixture.act(id, "return", ["step": 9, "comment": "Back"], as: fixture.finn.api)
            #expect(badStep.status == .unprocessableEntity && badStep.json["error"]["field"].string == "step")
            let back = try await fixture.act(id, "return", ["step": 1, "comment": "Maya, check the quote again"], as: fixture.finn.api)
            #expect(back.status == .ok && fixture.waiting(back.json) == [fixture.maya.id.uuidString], "\(back.body)")
            #expect(back.json["path"].array.map { $0["kind"].string } .contains("returned"))
        }
    }

    @Test("views: to approve, mine, CC'd and all (admins); waits per step and approver", arguments: TestDatabase.available)
    func views(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let flow: [String: Any?] = ["default_steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])],
                                        "cc": [["type": "people", "people": [fixture.finn.id.uuidString]]]]
            let template = try #require(try await fixture.template(["flow": flow])["id"].string)
            let first = try #require(try await fixture.submit(template, ["item": "A", "amount": 10])["id"].string)
            clock.advance(3600)
            let second = try #require(try await fixture.submit(template, ["item": "B", "amount": 20])["id"].string)
            func view(_ name: String, _ client: APIClient, _ query: String = "") async throws -> [String] {
                let reply = try await client.get("\(fixture.org.base)/approval-requests?view=\(name)\(query)")
                #expect(reply.status == .ok, "\(reply.body)")
                return reply.json["data"].array.compactMap { $0["id"].string }
            }
            #expect(try await view("to_approve", fixture.maya.api) == [second, first])
            #expect(try await view("mine", fixture.ana.api) == [second, first])
            #expect(try await view("cc", fixture.finn.api) == [second, first])
            #expect(try await view("to_approve", fixture.finn.api).isEmpty)
            #expect(try await fixture.finn.api.get("/api/v1/approval-requests/\(first)").status == .ok, "CC'd people read the request")
            #expect(try await fixture.ana.api.get("\(fixture.org.base)/approval-requests?view=all").status == .forbidden)
            #expect(try await view("all", fixture.owner) == [second, first])
            #expect(try await view("all", fixture.owner, "&limit=1").count == 1)
            let page = try await fixture.owner.get("\(fixture.org.base)/approval-requests?view=all&limit=1").json["next_cursor"].string
            #expect(try await view("all", fixture.owner, "&limit=1&after=\(try #require(page))") == [first])
            #expect(try await fixture.owner.get("\(fixture.org.base)/approval-requests?view=everything").status == .unprocessableEntity)

            clock.advance(2 * 3600)
            _ = try await fixture.act(first, "approve", as: fixture.maya.api)
            #expect(try await view("to_approve", fixture.maya.api) == [second])
            #expect(try await view("all", fixture.owner, "&status=approved") == [first])
            let waits = try await fixture.owner.get("\(fixture.org.base)/approval-waits")
            #expect(waits.status == .ok, "\(waits.body)")
            let maya = try #require(waits.json["approvers"].array.first { $0["label"].string == "Maya Chen" })
            #expect(maya["count"].int == 2 && maya["p90_seconds"].value as? Double == 3 * 3600)
            #expect(try await fixture.ana.api.get("\(fixture.org.base)/approval-waits").status == .forbidden)
        }
    }

    @Test("a late step reminds, then escalates to the approver's manager, through the job queue", arguments: TestDatabase.available)
    func timeouts(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let template = try #require(try await fixture.template(["remind_after_hours": 24, "escalate_after_hours": 48, "escalate_to": "manager"])["id"].string)
            let id = try #require(try await fixture.submit(template, ["item": "Mouse", "amount": 40])["id"].string)
            try await settleJobs(app)
            clock.advance(23 * 3600)
            try await settleJobs(app)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "approval.reminded").count() == 0)
            clock.advance(2 * 3600)
            try await settleJobs(app)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "approval.reminded").count() == 1)
            let reminders = try await fixture.maya.api.get("/api/v1/me/notifications").json["data"].array
            #expect(reminders.contains { $0["lines"].array.contains { $0.string?.hasPrefix("Reminder:") == true } }, "\(reminders)")
            clock.advance(24 * 3600)
            try await settleJobs(app)
            let escalated = try await fixture.dana.api.get("/api/v1/approval-requests/\(id)")
            #expect(escalated.status == .ok && fixture.waiting(escalated.json) == [fixture.dana.id.uuidString], "\(escalated.body)")
            #expect(escalated.json["path"].array.last?["kind"].string == "escalated")
            #expect(escalated.json["path"].array.last?["acting_for_name"].string == "Maya Chen")
            try await settleJobs(app)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "approval.escalated").count() == 1, "once, however often the queue runs")

            // acting in time: nothing fires
            let quick = try #require(try await fixture.submit(template, ["item": "Pen", "amount": 2])["id"].string)
            _ = try await fixture.act(quick, "approve", as: fixture.maya.api)
            clock.advance(72 * 3600)
            try await settleJobs(app)
            let path = try await fixture.ana.api.get("/api/v1/approval-requests/\(quick)").json["path"].array.compactMap { $0["kind"].string }
            #expect(path == ["submitted", "approved"])
        }
    }

    @Test("a task waits for approval: blocked while the request is open, released when it is decided; a rule follows the decision",
          arguments: TestDatabase.available)
    func waitingTask(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let project = try await fixture.owner.post("\(fixture.org.base)/projects", ["name": "Office"])
            let projectID = try #require(project.json["id"].string)
            let task = try await fixture.ana.api.post("/api/v1/projects/\(projectID)/tasks", ["title": "Furnish the room"])
            let taskID = try #require(task.json["task"]["id"].string, "\(task.body)")
            let template = try #require(try await fixture.template()["id"].string)
            let rule = try await fixture.owner.post("/api/v1/projects/\(projectID)/rules", [
                "name": "Go ahead", "trigger": ["type": "approval_approved"],
                "actions": [["type": "notify", "recipients": ["assignee"], "message": "Approved: {{title}} can go ahead"]]])
            #expect(rule.status == .created, "\(rule.body)")
            _ = try await fixture.ana.api.patch("/api/v1/tasks/\(taskID)", ["assignee_id": fixture.ana.id.uuidString, "version": 1])
            let bad = try await fixture.ana.api.post("/api/v1/approval-templates/\(template)/requests",
                                                    ["values": ["item": "Desk", "amount": 40], "waiting_for_approval": true])
            #expect(bad.status == .unprocessableEntity && bad.json["error"]["field"].string == "waiting_for_approval")
            let unseen = try await fixture.ana.api.post("/api/v1/approval-templates/\(template)/requests",
                                                       ["values": ["item": "Desk", "amount": 40], "task_id": UUID().uuidString])
            #expect(unseen.status == .unprocessableEntity && unseen.json["error"]["field"].string == "task_id")
            let request = try await fixture.submit(template, ["item": "Desk", "amount": 40], extra: ["task_id": taskID, "waiting_for_approval": true])
            #expect(request["task_id"].string == taskID && request["blocks_task"].bool == true)
            let blocked = try await fixture.ana.api.get("/api/v1/tasks/\(taskID)").json["task"]
            #expect(blocked["blocked"].bool == true && blocked["blocked_reason"].string?.hasPrefix("Waiting for approval") == true)
            _ = try await fixture.act(try #require(request["id"].string), "approve", as: fixture.maya.api)
            #expect(try await fixture.ana.api.get("/api/v1/tasks/\(taskID)").json["task"]["blocked"].bool == false)
            try await settleJobs(app)
            let history = try await fixture.ana.api.get("/api/v1/tasks/\(taskID)/history").body
            #expect(history.contains("was approved"), "\(history.prefix(1500))")
            let alerts = try await fixture.ana.api.get("/api/v1/me/notifications").json["data"].array.filter { $0["kind"].string == "rule" }
            #expect(alerts.contains { $0["lines"].array.contains { $0.string?.contains("Approved: Furnish the room can go ahead") == true } }, "\(alerts)")
        }
    }

    @Test("two approvers of an all-step approving at the same moment: both count, the request moves on once", arguments: TestDatabase.available)
    func concurrentApprovals(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let flow: [String: Any?] = ["default_steps": [
                ApprovalOrgFixture.step("Leads", [["type": "people", "people": [fixture.maya.id.uuidString, fixture.dana.id.uuidString]]], quorum: "all"),
                ApprovalOrgFixture.step("Finance", [["type": "role", "role": "Finance"]]),
            ]]
            let template = try #require(try await fixture.template(["flow": flow])["id"].string)
            for round in 0..<5 {
                let id = try #require(try await fixture.submit(template, ["item": "Round \(round)", "amount": 10])["id"].string)
                async let first = fixture.act(id, "approve", as: fixture.maya.api)
                async let second = fixture.act(id, "approve", as: fixture.dana.api)
                let replies = try await [first, second]
                #expect(replies.allSatisfy { $0.status == .ok }, "\(replies.map(\.body))")
                let request = try await fixture.finn.api.get("/api/v1/approval-requests/\(id)").json
                #expect(fixture.waiting(request) == [fixture.finn.id.uuidString], "\(request)")
                #expect(request["path"].array.filter { $0["kind"].string == "approved" }.count == 2)
                #expect(try await ApprovalWait.query(on: app.db).filter(\.$requestID == UUID(uuidString: id)!).count() == 1)
            }
        }
    }
}
