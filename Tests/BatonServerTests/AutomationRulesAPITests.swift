import BatonCore
import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import BatonServer

/// Rules over the API: who may change them, bad input refused with nothing saved, secrets never
/// shown, the dry run writing nothing, and webhooks signed and kept off private addresses.
@Suite("Automations: rules API")
struct AutomationRulesAPITests {
    @Test("an unknown field, another project's stage, a non-http webhook or an unparseable schedule is a 422 naming it, nothing saved",
          arguments: TestDatabase.available)
    func validation(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let other = try await work.owner.post("\(work.org.base)/projects", ["name": "Elsewhere"])
            let foreignStage = try #require(other.json["stages"][1]["id"].string)
            try await EventConsumers.catchUp(app)
            let rulesBefore = try await Rule.query(on: app.db).count()
            let eventsBefore = try await EventRecord.query(on: app.db).count()
            let notify: [String: Any] = ["type": "notify", "recipients": ["delegator"], "message": "Hi"]
            let cases: [([String: Any?], String)] = [
                (["name": "A", "trigger": ["type": "blocked"], "conditions": [["field": "colour", "op": "equals", "value": "red"]],
                  "actions": [notify]], "conditions.0.field"),
                (["name": "B", "trigger": ["type": "stage_changed", "to_stage": foreignStage], "actions": [notify]], "trigger.to_stage"),
                (["name": "C", "trigger": ["type": "blocked"], "actions": [["type": "webhook", "url": "ftp://example.com/x", "secret": "0123456789abcdef"]]],
                 "actions.0.url"),
                (["name": "D", "trigger": ["type": "schedule", "every": "day", "at": "25:00"], "actions": [notify]], "trigger.at"),
                (["name": "E", "trigger": ["type": "schedule", "every": "day", "at": "09:00", "time_zone": "Mars/Olympus"], "actions": [notify]],
                 "trigger.time_zone"),
                (["name": "F", "trigger": ["type": "field_changed", "field": "colour"], "actions": [notify]], "trigger.field"),
                (["name": "G", "trigger": ["type": "blocked", "colour": "red"], "actions": [notify]], "trigger.colour"),
                (["name": "H", "trigger": ["type": "blocked"], "actions": [["type": "notify", "recipients": ["everyone"]]]], "actions.0.recipients"),
                (["name": "I", "trigger": ["type": "blocked"], "actions": []], "actions"),
                (["name": "J", "trigger": ["type": "sometimes"], "actions": [notify]], "trigger.type"),
            ]
            for (body, field) in cases {
                let reply = try await work.owner.post("\(work.projectBase)/rules", body)
                #expect(reply.status == .unprocessableEntity, "\(field): \(reply.status) \(reply.body)")
                #expect(reply.json["error"]["field"].string == field, "\(reply.body)")
                #expect(reply.json["error"]["message"].string?.isEmpty == false)
            }
            #expect(try await Rule.query(on: app.db).count() == rulesBefore)
            #expect(try await EventRecord.query(on: app.db).count() == eventsBefore)
            // an edit that fails changes nothing either
            let rule = try await work.rule("blocked")
            let bad = try await work.owner.patch("/api/v1/rules/\(rule["id"].string!)",
                                                 ["name": "Renamed", "trigger": ["type": "stage_changed", "from_stage": foreignStage], "version": 1])
            #expect(bad.status == .unprocessableEntity && bad.json["error"]["field"].string == "trigger.from_stage", "\(bad.body)")
            #expect(try await work.rule("blocked")["name"].string == rule["name"].string)
            // a stale version is a conflict
            let renamed = try await work.owner.patch("/api/v1/rules/\(rule["id"].string!)", ["name": "Blocked alert", "version": 1])
            #expect(renamed.status == .ok && renamed.json["version"].int == 2, "\(renamed.body)")
            let stale = try await work.owner.patch("/api/v1/rules/\(rule["id"].string!)", ["name": "Again", "version": 1])
            #expect(stale.status == .conflict, "\(stale.body)")
        }
    }

    @Test("members read rules but only leads and admins change them; guests and other workspaces get 404; secrets are never shown",
          arguments: TestDatabase.available)
    func access(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
            try await EventConsumers.catchUp(app)
            let hook = try await work.addRule(["name": "To CRM", "trigger": ["type": "blocked"],
                                               "actions": [["type": "webhook", "url": "https://hooks.example.com/baton", "secret": "s3cret-s3cret-s3cret"]]])
            let ruleID = try #require(hook["id"].string)
            #expect(hook["actions"][0]["has_secret"].bool == true)
            // members read; the secret is nowhere in what they get
            let listed = try await work.member.get("\(work.projectBase)/rules")
            #expect(listed.status == .ok && listed.json["data"].array.count == 4)
            #expect(!listed.body.contains("s3cret"))
            // a webhook's address is often its credential: members see only its host
            let shown = listed.json["data"].array.first { $0["name"].string == "To CRM" }
            #expect(shown?["actions"][0]["url"].string == "https://hooks.example.com/…")
            #expect(try await work.owner.get("/api/v1/rules/\(ruleID)").json["actions"][0]["url"].string == "https://hooks.example.com/baton")
            #expect(try await work.member.post("\(work.projectBase)/rules", ["template_key": "urgent_created"]).status == .forbidden)
            #expect(try await work.member.patch("/api/v1/rules/\(ruleID)", ["enabled": false]).status == .forbidden)
            #expect(try await work.member.delete("/api/v1/rules/\(ruleID)").status == .forbidden)
            #expect(try await work.member.post("/api/v1/rules/\(ruleID)/dry-run", [:]).status == .forbidden)
            // guests do not see rules at all
            #expect(try await guest.get("\(work.projectBase)/rules").status == .notFound)
            #expect(try await guest.get("/api/v1/rules/\(ruleID)").status == .notFound)
            #expect(try await guest.get("/api/v1/rules/\(ruleID)/runs").status == .notFound)
            // another workspace's owner: 404, as for a rule that does not exist
            let outsider = try await Org.signUp(app, workspace: "Other")
            #expect(try await outsider.owner.get("/api/v1/rules/\(ruleID)").status == .notFound)
            #expect(try await outsider.owner.patch("/api/v1/rules/\(ruleID)", ["enabled": false]).status == .notFound)
            #expect(try await outsider.owner.get("/api/v1/rules/\(UUID())").status == .notFound)
            // the secret survives an edit that does not send it; a new address needs a new secret
            let renamed = try await work.owner.patch("/api/v1/rules/\(ruleID)", [
                "name": "To the CRM", "actions": [["type": "webhook", "url": "https://hooks.example.com/baton"]],
            ])
            #expect(renamed.status == .ok && renamed.json["actions"][0]["has_secret"].bool == true, "\(renamed.body)")
            let moved = try await work.owner.patch("/api/v1/rules/\(ruleID)", ["actions": [["type": "webhook", "url": "https://other.example.com/"]]])
            #expect(moved.status == .unprocessableEntity && moved.json["error"]["field"].string == "actions.0.secret", "\(moved.body)")
            // deleting
            #expect(try await work.owner.delete("/api/v1/rules/\(ruleID)").status == .noContent)
            #expect(try await work.owner.get("/api/v1/rules/\(ruleID)").status == .notFound)
            #expect(try await work.org.eventKinds().contains("rule.deleted"))
        }
    }

    @Test("a dry run lists the tasks a rule would act on and what it would do, and writes nothing", arguments: TestDatabase.available)
    func dryRun(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.task(["title": "Urgent one", "priority": "urgent", "assignee_id": work.memberID.uuidString])
            _ = try await work.task(["title": "Calm one", "priority": "low"])
            try await work.settle(app)
            let rule = try await work.rule("stage_moved")
            let counts = { () async throws -> [Int] in
                [try await EventRecord.query(on: app.db).count(), try await RuleRun.query(on: app.db).count(),
                 try await InboxEntry.query(on: app.db).count(), try await Rule.query(on: app.db).count()]
            }
            let before = try await counts()
            // the saved rule with a condition added
            let tried = try await work.owner.post("/api/v1/rules/\(rule["id"].string!)/dry-run", [
                "conditions": [["field": "priority", "op": "in", "value": "urgent, high"]],
                "actions": [["type": "notify", "recipients": ["assignee"], "message": "{{title}} is {{priority}}"]],
            ])
            #expect(tried.status == .ok, "\(tried.body)")
            #expect(tried.json["matching"].int == 1 && tried.json["examined"].int == 2)
            #expect(tried.json["tasks"][0]["title"].string == "Urgent one")
            #expect(tried.json["tasks"][0]["actions"][0].string == "Would notify Tom Becker: “Urgent one is urgent”", "\(tried.body)")
            // a rule not saved yet
            let draft = try await work.owner.post("\(work.projectBase)/rules/dry-run", ["template_key": "urgent_created"])
            #expect(draft.status == .ok && draft.json["matching"].int == 1, "\(draft.body)")
            #expect(try await counts() == before)
            // one that finds its tasks by deadline (its occasions are named by the rule it does not have yet)
            _ = try await work.task(["title": "Due in an hour", "due_at": BatonDate.iso(Date().addingTimeInterval(3600))])
            let before2 = try await counts()
            let deadline = try await work.owner.post("\(work.projectBase)/rules/dry-run", [
                "trigger": ["type": "due_soon", "within_hours": 48, "unchanged_hours": 0],
                "actions": [["type": "notify", "recipients": ["assignee"], "message": "Soon: {{title}}"]]])
            #expect(deadline.status == .ok && deadline.json["tasks"][0]["title"].string == "Due in an hour", "\(deadline.body)")
            #expect(try await counts() == before2)
            // bad input in a dry run is the same 422
            let bad = try await work.owner.post("/api/v1/rules/\(rule["id"].string!)/dry-run", ["conditions": [["field": "nope"]]])
            #expect(bad.status == .unprocessableEntity && bad.json["error"]["field"].string == "conditions.0.field")
        }
    }

    @Test("a webhook is posted signed with a timestamp; a private address is refused unless allowed", arguments: [TestDatabase.sqlite])
    func webhook(db: TestDatabase) async throws {
        // setup: a receiver on loopback that keeps what it gets
        let received = NIOLockedValueBox<[(HTTPHeaders, String)]>([])
        let receiver = try await Application.make(.testing)
        receiver.post("hook") { req -> HTTPStatus in
            received.withLockedValue { $0.append((req.headers, req.body.string ?? "")) }
            return .ok
        }
        try await receiver.server.start(address: .hostname("127.0.0.1", port: 0))
        let port = try #require(receiver.http.server.shared.localAddress?.port)
        defer { Task { await receiver.server.shutdown(); try? await receiver.asyncShutdown() } }
        let secret = "a-long-shared-secret"
        for allowPrivate in [false, true] {
            try await withBaton(db, config: { $0.webhooksMayReachPrivateHosts = allowPrivate }) { app in
                let work = try await WorkFixture.make(app)
                let rule = try await work.addRule(["name": "Hook", "trigger": ["type": "blocked"],
                                                   "actions": [["type": "webhook", "url": "http://127.0.0.1:\(port)/hook", "secret": secret]]])
                let taskID = try #require(try await work.task(["title": "Blocked thing"])["task"]["id"].string)
                try await work.settle(app)
                try await work.change(taskID, ["blocked": true, "blocked_reason": "Stuck"])
                try await work.settle(app)
                let runs = try await work.runs(try #require(rule["id"].string))
                if allowPrivate {
                    let got = try #require(received.withLockedValue { $0.last })
                    let body = JSON(data: Data(got.1.utf8))
                    #expect(body["task"]["id"].string == taskID.lowercased() && body["task"]["blocked"].bool == true)
                    #expect(body["rule"]["name"].string == "Hook")
                    let timestamp = try #require(got.0.first(name: "Baton-Timestamp"))
                    #expect(got.0.first(name: "Baton-Signature") == RuleWebhook.signature(secret: secret, timestamp: timestamp, body: got.1))
                    #expect(got.0.first(name: "Baton-Delivery")?.count == 32)
                    #expect(runs.allSatisfy { $0["status"].string == "done" }, "\(runs)")
                } else {
                    #expect(received.withLockedValue { $0.isEmpty })
                    #expect(runs.contains { $0["status"].string == "failed" && $0["error"].string?.contains("private or local address") == true },
                            "\(runs)")
                }
            }
        }
    }
}
