import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Approvals API: templates, the route preview, submitting, the matrix and out of office")
struct ApprovalTemplatesAPITests {
    @Test("admins add and edit templates; members read them; bad flows are 422s naming the place and save nothing", arguments: TestDatabase.available)
    func templates(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let template = try await fixture.template()
            let id = try #require(template["id"].string)
            #expect(template["flow"]["branches"].array.count == 2 && template["warnings"].array.isEmpty)
            #expect(template["flow"]["branches"][1]["steps"][0]["approvers"][0]["type"].string == "manager_up")
            #expect(try await fixture.ana.api.get("/api/v1/approval-templates/\(id)").status == .ok)
            #expect(try await fixture.ana.api.post("\(fixture.org.base)/approval-templates", ["name": "Mine", "fields": [], "flow": [:]]).status == .forbidden)
            let outsider = try await Org.signUp(app, workspace: "Other")
            #expect(try await outsider.owner.get("/api/v1/approval-templates/\(id)").status == .notFound)
            #expect(try await outsider.owner.patch("/api/v1/approval-templates/\(id)", ["name": "Mine"]).status == .notFound)

            let templates = try await ApprovalTemplate.query(on: app.db).count()
            let events = try await EventRecord.query(on: app.db).count()
            var unknownField = ApprovalOrgFixture.purchaseFlow
            unknownField["branches"] = [["name": "Odd", "conditions": [["field": "budget", "op": "gt", "value": "5"]],
                                         "steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])]]]
            let cases: [([String: Any?], String)] = [
                (["flow": unknownField], "flow.branches.0.conditions.0.field"),
                (["flow": ["default_steps": []]], "flow.default_steps"),
                (["flow": ["default_steps": [ApprovalOrgFixture.step("Nobody", [])]]], "flow.default_steps.0.approvers"),
                (["flow": ["default_steps": [ApprovalOrgFixture.step("Them", [["type": "people", "people": [outsider.ownerID.uuidString]]])]]],
                 "flow.default_steps.0.approvers.0.people.0"),
                (["flow": ["default_steps": [ApprovalOrgFixture.step("Head", [["type": "manager_up", "levels": "two"]])]]],
                 "flow.default_steps.0.approvers.0.levels"),
                (["fields": [["key": "amount", "label": "Amount", "type": "money"], ["key": "amount", "label": "Again", "type": "text"]]], "fields.1.key"),
                (["fields": [["key": "kind", "label": "Kind", "type": "single_select"]]], "fields.0.options"),
                (["flow": ["default_steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])], "colour": "red"]], "flow.colour"),
                (["remind_after_hours": 24, "escalate_after_hours": 12, "escalate_to": "manager"], "escalate_after_hours"),
                (["escalate_after_hours": 12], "escalate_to"),
                (["flow": ["default_steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])],
                           "cc": [["type": "manager_up", "levels": -1]]]], "flow.cc.0.levels"),
            ]
            for (change, field) in cases {
                var body: [String: Any?] = ["name": "Bad", "fields": ApprovalOrgFixture.purchaseFields, "flow": ApprovalOrgFixture.purchaseFlow]
                body.merge(change) { $1 }
                let reply = try await fixture.owner.post("\(fixture.org.base)/approval-templates", body)
                #expect(reply.status == .unprocessableEntity && reply.json["error"]["field"].string == field, "\(field): \(reply.status) \(reply.body)")
                let patched = try await fixture.owner.patch("/api/v1/approval-templates/\(id)", change)
                #expect(patched.status == .unprocessableEntity && patched.json["error"]["field"].string == field, "PATCH \(field): \(patched.body)")
            }
            #expect(try await ApprovalTemplate.query(on: app.db).count() == templates)
            #expect(try await EventRecord.query(on: app.db).count() == events)
            #expect(try await fixture.owner.get("/api/v1/approval-templates/\(id)").json["version"].int == 1)

            // a branch that overlaps an earlier one is saved, with a warning the editor shows
            var overlapping = ApprovalOrgFixture.purchaseFlow
            overlapping["branches"] = [
                ["name": "Up to 5k", "conditions": [["field": "amount", "op": "le", "value": "5000"]], "steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])]],
                ["name": "Up to 2k", "conditions": [["field": "amount", "op": "lt", "value": "2000"]], "steps": [ApprovalOrgFixture.step("Lead", [["type": "requester_manager"]])]],
            ]
            let edited = try await fixture.owner.patch("/api/v1/approval-templates/\(id)", ["flow": overlapping, "version": 1])
            #expect(edited.status == .ok && edited.json["version"].int == 2)
            #expect(edited.json["warnings"][0]["field"].string == "flow.branches.1.conditions")
            #expect(try await fixture.owner.patch("/api/v1/approval-templates/\(id)", ["name": "Stale", "version": 1]).status == .conflict)
        }
    }

    @Test("the preview routes by amount and risk to people, and creates nothing", arguments: TestDatabase.available)
    func preview(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let id = try #require(try await fixture.template()["id"].string)
            let events = try await EventRecord.query(on: app.db).count()
            func route(_ values: [String: Any?]) async throws -> JSON {
                let reply = try await fixture.ana.api.post("/api/v1/approval-templates/\(id)/preview-route", ["values": values])
                #expect(reply.status == .ok, "\(reply.body)")
                return reply.json
            }
            func people(_ preview: JSON) -> [[String]] {
                preview["steps"].array.map { $0["approvers"].array.compactMap { $0["user_id"].string } }
            }
            let small = try await route(["item": "Mouse", "amount": 40])
            #expect(people(small) == [[fixture.maya.id.uuidString]] && small["branches"].array.map(\.string) == ["Small"])
            #expect(small["summary"].string == "This goes to Maya Chen.")
            #expect(people(try await route(["item": "Desk", "amount": "5000"])) == [[fixture.dana.id.uuidString]])
            let large = try await route(["item": "Servers", "amount": 20_000])
            #expect(people(large) == [[fixture.dana.id.uuidString], [fixture.finn.id.uuidString]])
            #expect(large["summary"].string == "This goes to Dana Head, then Finn Ledger.")
            #expect(people(try await route(["item": "Cheap but risky", "amount": 10, "risk": "high"])).count == 1, "the first route branch wins")
            let risky = try await route(["item": "Risky", "amount": 5000, "risk": "high"])
            #expect(people(risky) == [[fixture.dana.id.uuidString], [fixture.finn.id.uuidString]])

            let bad: [([String: Any?], String)] = [(["amount": 40], "values.item"), (["item": "X", "amount": "lots"], "values.amount"),
                                    (["item": "X", "amount": 5, "colour": "red"], "values.colour"), (["item": "X", "amount": 5, "risk": "extreme"], "values.risk"),
                                    (["item": ["a"], "amount": 5], "values.item")]
            for (values, field) in bad {
                let reply = try await fixture.ana.api.post("/api/v1/approval-templates/\(id)/preview-route", ["values": values])
                #expect(reply.status == .unprocessableEntity && reply.json["error"]["field"].string == field, "\(field): \(reply.body)")
                let submitted = try await fixture.ana.api.post("/api/v1/approval-templates/\(id)/requests", ["values": values])
                #expect(submitted.status == .unprocessableEntity && submitted.json["error"]["field"].string == field, "\(field): \(submitted.body)")
            }
            #expect(try await EventRecord.query(on: app.db).count() == events)
            #expect(try await ApprovalRequest.query(on: app.db).count() == 0)
        }
    }

    @Test("special cases: the requester as approver, a deactivated approver, nobody found, a substitute while out of office",
          arguments: TestDatabase.available)
    func specialCases(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let self_ = try await fixture.template(["name": "Self", "flow": ["default_steps": [
                ApprovalOrgFixture.step("Leads", [["type": "people", "people": [fixture.ana.id.uuidString, fixture.maya.id.uuidString]]], quorum: "all"),
            ]], "policy": ["requester_is_approver": "auto_approve"]])
            let auto = try await fixture.submit(try #require(self_["id"].string), ["item": "Book", "amount": 20])
            #expect(fixture.waiting(auto) == [fixture.maya.id.uuidString])
            #expect(auto["steps"][0]["approvers"][0]["automatic"].bool == true)
            #expect(auto["path"].array.contains { $0["kind"].string == "auto_approved" && $0["target_id"].string == fixture.ana.id.uuidString })

            let purchase = try #require(try await fixture.template()["id"].string)
            // out of office: Finn approves for Maya during her absence, and the trail shows both
            let away = try await fixture.maya.api.send(.PUT, "/api/v1/me/out-of-office", [
                "substitute_id": fixture.finn.id.uuidString, "from": BatonDate.iso(clock.now.addingTimeInterval(-60)),
                "until": BatonDate.iso(clock.now.addingTimeInterval(7 * 86_400)),
            ])
            #expect(away.status == .ok && away.json["substitute_name"].string == "Finn Ledger", "\(away.body)")
            let covered = try await fixture.submit(purchase, ["item": "Mouse", "amount": 40])
            #expect(fixture.waiting(covered) == [fixture.finn.id.uuidString])
            #expect(covered["steps"][0]["approvers"][0]["acting_for_name"].string == "Maya Chen")
            #expect(covered["steps"][0]["approvers"][0]["note"].string == "out_of_office")
            let approved = try await fixture.act(try #require(covered["id"].string), "approve", as: fixture.finn.api)
            #expect(approved.status == .ok && approved.json["status"].string == "approved", "\(approved.body)")
            #expect(approved.json["path"].array.last?["acting_for_name"].string == "Maya Chen")
            let badAbsences: [([String: Any?], String)] = [(["substitute_id": fixture.maya.id.uuidString, "from": "2027-01-01T00:00:00Z", "until": "2027-02-01T00:00:00Z"], "substitute_id"),
                                  (["substitute_id": fixture.finn.id.uuidString, "from": "2027-03-01T00:00:00Z", "until": "2027-02-01T00:00:00Z"], "until"),
                                  (["substitute_id": UUID().uuidString, "from": "2027-01-01T00:00:00Z", "until": "2027-02-01T00:00:00Z"], "substitute_id")]
            for (body, field) in badAbsences {
                let reply = try await fixture.maya.api.send(.PUT, "/api/v1/me/out-of-office", body)
                #expect(reply.status == .unprocessableEntity && reply.json["error"]["field"].string == field, "\(reply.body)")
            }
            // a second save replaces the first
            let moved = try await fixture.maya.api.send(.PUT, "/api/v1/me/out-of-office", [
                "substitute_id": fixture.dana.id.uuidString, "from": BatonDate.iso(clock.now), "until": BatonDate.iso(clock.now.addingTimeInterval(86_400)),
            ])
            #expect(moved.status == .ok && moved.json["substitute_name"].string == "Dana Head")
            #expect(try await OutOfOffice.query(on: app.db).filter(\.$userID == fixture.maya.id).count() == 1)
            #expect(try await fixture.maya.api.delete("/api/v1/me/out-of-office").status == .noContent)
            #expect(try await fixture.maya.api.get("/api/v1/me/out-of-office").status == .notFound)

            // Maya deactivated: her manager Dana takes her place
            #expect(try await fixture.owner.post("\(fixture.org.base)/members/\(fixture.maya.id)/deactivate").status == .ok)
            let handed = try await fixture.submit(purchase, ["item": "Cable", "amount": 10])
            #expect(fixture.waiting(handed) == [fixture.dana.id.uuidString])
            #expect(handed["steps"][0]["approvers"][0]["note"].string == "handed_over")

            // nobody above Nora: the template's owner decides, never a silent approval
            let nora = try await fixture.org.addMember("Nora New")
            let orphan = try await fixture.submit(purchase, ["item": "Chair", "amount": 90], as: nora.api)
            #expect(orphan["status"].string == "pending" && fixture.waiting(orphan) == [fixture.org.ownerID.uuidString])
            #expect(orphan["steps"][0]["approvers"][0]["note"].string == "no_approver")
            // the owner asking with nobody above them: never their own approver, a 422 instead
            let own = try await fixture.owner.post("/api/v1/approval-templates/\(purchase)/requests", ["values": ["item": "Sofa", "amount": 90]])
            #expect(own.status == .unprocessableEntity && own.json["error"]["field"].string == "values", "\(own.body)")

            // a job title is not a role: calling yourself "Finance" routes nothing to you
            #expect(try await fixture.ana.api.patch("\(fixture.org.base)/members/\(fixture.ana.id)", ["title": "Finance"]).status == .ok)
            let large = try await fixture.dana.api.post("/api/v1/approval-templates/\(purchase)/preview-route", ["values": ["item": "Servers", "amount": 20_000]])
            #expect(large.json["steps"][1]["approvers"].array.compactMap { $0["user_id"].string } == [fixture.finn.id.uuidString], "\(large.body)")
        }
    }

    @Test("the decision-rights matrix: every member reads it, admins replace it, templates route by it", arguments: TestDatabase.available)
    func matrix(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let base = fixture.org.base
            #expect(try await fixture.ana.api.get("\(base)/decision-rights").json["decisions"].array.isEmpty)
            let matrix: [String: Any?] = ["decisions": [[
                "key": "budget", "label": "Budget decisions", "entries": [
                    ["holder": ["type": "role", "role": "member"], "right": "decide", "up_to_amount": 500],
                    ["holder": ["type": "person", "user_id": fixture.maya.id.uuidString], "right": "approve", "up_to_amount": 5000],
                    ["holder": ["type": "role", "role": "Finance"], "right": "approve"],
                    ["holder": ["type": "person", "user_id": fixture.dana.id.uuidString], "right": "consult"],
                ],
            ]]]
            #expect(try await fixture.ana.api.send(.PUT, "\(base)/decision-rights", matrix).status == .forbidden)
            let bad: [String: Any?] = ["decisions": [["key": "budget", "label": "B", "entries": [
                ["holder": ["type": "role", "role": "member"], "right": "decide", "up_to_tier": "gold"]]]]]
            let refused = try await fixture.owner.send(.PUT, "\(base)/decision-rights", bad)
            #expect(refused.status == .unprocessableEntity && refused.json["error"]["field"].string == "decisions.0.entries.0.up_to_tier")
            let saved = try await fixture.owner.send(.PUT, "\(base)/decision-rights", matrix)
            #expect(saved.status == .ok && saved.json["version"].int == 1, "\(saved.body)")
            #expect(try await fixture.ana.api.get("\(base)/decision-rights").json["decisions"][0]["entries"].array.count == 4)
            var stale = matrix
            stale["version"] = 0
            #expect(try await fixture.owner.send(.PUT, "\(base)/decision-rights", stale).status == .conflict)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "decision_rights.changed").count() == 1)
            // two first saves of another workspace's matrix at once: one wins, the other is told (409), never a 500
            let other = try await Org.signUp(app, workspace: "Racing")
            @Sendable func firstSave() -> [String: Any?] { ["decisions": [["key": "budget", "label": "Budget", "entries": []]], "version": 0] }
            async let one = other.owner.send(.PUT, "\(other.base)/decision-rights", firstSave())
            async let two = other.owner.send(.PUT, "\(other.base)/decision-rights", firstSave())
            let statuses = try await [one, two].map(\.status)
            #expect(statuses.filter { $0 == .ok }.count == 1 && statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")

            let template = try await fixture.template(["name": "Budget", "decision": "budget", "flow": ["default_steps": [
                ApprovalOrgFixture.step("Budget owner", [["type": "matrix", "decision": "budget"]]),
            ]]])
            let id = try #require(template["id"].string)
            func approvers(_ amount: Int) async throws -> [String] {
                let reply = try await fixture.ana.api.post("/api/v1/approval-templates/\(id)/preview-route", ["values": ["item": "X", "amount": amount]])
                return reply.json["steps"][0]["approvers"].array.compactMap { $0["user_id"].string }
            }
            #expect(try await approvers(3000) == [fixture.maya.id.uuidString])
            #expect(try await approvers(30_000) == [fixture.finn.id.uuidString])
            let unknown = try await fixture.owner.post("\(base)/approval-templates", ["name": "Odd", "fields": ApprovalOrgFixture.purchaseFields,
                "flow": ["default_steps": [ApprovalOrgFixture.step("X", [["type": "matrix", "decision": "travel"]])]]])
            #expect(unknown.status == .unprocessableEntity && unknown.json["error"]["field"].string == "flow.default_steps.0.approvers.0.decision")
        }
    }
}
