import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Approvals pages: the form with its route, the request page and its actions, the inbox buttons, templates, the matrix, out of office")
struct ApprovalPagesTests {
    func browser(_ app: Application, _ client: APIClient) async throws -> PagesTests.Browser {
        try await NotificationPagesTests.browser(app, token: try #require(client.token))
    }

    @Test("ask through the form: the route shows before sending, problems sit beside their field, then the approver decides from the inbox",
          arguments: TestDatabase.available)
    func requestFlow(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let templateID = try #require(try await fixture.template()["id"].string)
            let ws = fixture.org.workspaceID
            let ana = try await browser(app, fixture.ana.api)
            let list = try await ana.get("/w/\(ws)/approvals?view=mine")
            #expect(list.status == .ok && list.body.contains("Purchase"), "\(list.status)")
            let form = try await ana.get("/w/\(ws)/approvals/new/\(templateID)")
            #expect(form.status == .ok && form.body.contains("Fill in the form to see who it goes to."))
            let preview = try await ana.post("/w/\(ws)/approvals/new/\(templateID)/preview", ["f__item": "Servers", "f__amount": "20000"])
            #expect(preview.body.contains("This goes to Dana Head, then Finn Ledger."), "\(preview.body.suffix(3000))")
            #expect(try await ApprovalRequest.query(on: app.db).count() == 0, "the preview sends nothing")

            let missing = try await ana.post("/w/\(ws)/approvals/new/\(templateID)", ["f__item": "Servers", "f__amount": "lots"])
            #expect(missing.status == .unprocessableEntity)
            #expect(missing.body.contains("id=\"f-amount-error\"") && missing.body.contains("Amount must be a number."))
            #expect(missing.body.contains("value=\"Servers\""), "what was typed stays")
            let sent = try await ana.post("/w/\(ws)/approvals/new/\(templateID)", ["f__item": "Mouse", "f__amount": "40"])
            #expect(sent.status == .seeOther || sent.status == .found, "\(sent.status) \(sent.body.prefix(500))")
            let request = try #require(try await ApprovalRequest.query(on: app.db).first())
            let requestID = try request.requireID()
            let page = try await ana.get("/w/\(ws)/approvals/requests/\(requestID)")
            #expect(page.body.contains("Waiting on <strong>Maya Chen</strong>") && page.body.contains("Withdraw the request"))

            try await settleJobs(app)
            let maya = try await browser(app, fixture.maya.api)
            let inbox = try await maya.get("/w/\(ws)/inbox")
            #expect(inbox.body.contains("value=\"approve\"") && inbox.body.contains("/approvals/requests/\(requestID)/act"), "\(inbox.body.suffix(2000))")
            let bare = try await maya.post("/w/\(ws)/approvals/requests/\(requestID)/act", ["action": "reject", "back": "inbox"])
            #expect(bare.status == .unprocessableEntity && bare.body.contains("Say why (a comment is needed)."))
            let stranger = try await browser(app, try await fixture.org.addMember("Sam Stranger").api)
            #expect(try await stranger.get("/w/\(ws)/approvals/requests/\(requestID)").status == .notFound)
            #expect(try await stranger.post("/w/\(ws)/approvals/requests/\(requestID)/act", ["action": "approve"]).status == .notFound)
            let approved = try await maya.post("/w/\(ws)/approvals/requests/\(requestID)/act", ["action": "approve", "back": "inbox"])
            #expect(approved.headers.first(name: .location) == "/w/\(ws)/inbox")
            #expect(try await ApprovalRequest.find(requestID, on: app.db)?.status == "approved")
            let done = try await ana.get("/w/\(ws)/approvals/requests/\(requestID)")
            #expect(done.body.contains("Maya Chen approved") && !done.body.contains("Withdraw the request"))
        }
    }

    @Test("templates: admins edit the form and flow as JSON with problems beside them; members see the matrix and set out of office",
          arguments: TestDatabase.available)
    func adminPages(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let ws = fixture.org.workspaceID
            let owner = try await NotificationPagesTests.browser(app, token: fixture.org.token)
            let blank = try await owner.get("/w/\(ws)/approvals/templates/new")
            #expect(blank.status == .ok && blank.body.contains("If Amount &gt; 5000: Department head"), "\(blank.body.suffix(1500))")
            let fields = #"[{"key":"item","label":"What","type":"text","required":true},{"key":"amount","label":"Amount","type":"money"}]"#
            let badFlow = #"{"default_steps":[{"name":"Lead","approvers":[{"type":"requester_manager"}]}],"colour":"red"}"#
            let refused = try await owner.post("/w/\(ws)/approvals/templates/new", ["name": "Kit", "fields": fields, "flow": badFlow])
            #expect(refused.status == .unprocessableEntity && refused.body.contains("id=\"t-flow-error\"") && refused.body.contains("flow.colour"))
            let broken = try await owner.post("/w/\(ws)/approvals/templates/new", ["name": "Kit", "fields": "[{", "flow": badFlow])
            #expect(broken.body.contains("id=\"t-fields-error\"") && broken.body.contains("not valid JSON"))
            let flow = #"{"branches":[{"name":"Big","conditions":[{"field":"amount","op":"gt","value":"100"}],"steps":[{"name":"Head","approvers":[{"type":"manager_up","levels":2}]}]}],"default_steps":[{"name":"Lead","approvers":[{"type":"requester_manager"}]}]}"#
            let saved = try await owner.post("/w/\(ws)/approvals/templates/new", ["name": "Kit", "fields": fields, "flow": flow, "active": "on",
                                                                                 "remind_after_hours": "24", "escalate_after_hours": "48", "escalate_to": "manager"])
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.body.prefix(800))")
            let template = try #require(try await ApprovalTemplate.query(on: app.db).first())
            #expect(template.remindAfterHours == 24 && template.escalateTo == "manager" && template.active)
            let list = try await owner.get("/w/\(ws)/approvals/templates")
            #expect(list.body.contains("If Amount &gt; 100: Head"))
            let member = try await browser(app, fixture.ana.api)
            #expect(try await member.get("/w/\(ws)/approvals/templates").status == .forbidden)

            // the People page names a team's lead ("the team's lead" approver)
            let finance = try #require(try await Team.query(on: app.db).filter(\.$name == "Finance").first())
            let people = try await owner.get("/w/\(ws)/people")
            #expect(people.body.contains("id=\"lead-\(try finance.requireID())\""))
            _ = try await owner.post("/w/\(ws)/teams/\(try finance.requireID())/lead", ["lead_id": fixture.finn.id.uuidString])
            #expect(try await Team.find(finance.requireID(), on: app.db)?.leadID == fixture.finn.id)
            #expect(try await member.post("/w/\(ws)/teams/\(try finance.requireID())/lead", ["lead_id": ""]).status == .forbidden)

            let matrix = #"{"decisions":[{"key":"budget","label":"Budget","entries":[{"holder":{"type":"role","role":"member"},"right":"decide","up_to_amount":500}]}]}"#
            let savedMatrix = try await owner.post("/w/\(ws)/decision-rights", ["matrix": matrix, "version": "0"])
            #expect(savedMatrix.status == .seeOther || savedMatrix.status == .found, "\(savedMatrix.body.prefix(800))")
            let read = try await member.get("/w/\(ws)/decision-rights")
            #expect(read.status == .ok && read.body.contains("You decide alone up to 500."), "\(read.body.suffix(2000))")
            #expect(!read.body.contains("Edit the matrix"))
            #expect(try await member.post("/w/\(ws)/decision-rights", ["matrix": matrix]).status == .forbidden)
            // guests have no approvals: no link to them, and their pages are 404s
            let guest = try await browser(app, try await fixture.org.addMember("Gus Guest", role: "guest").api)
            #expect(!(try await guest.get("/w/\(ws)/inbox").body.contains("href=\"/w/\(ws)/approvals\"")))
            #expect(try await guest.get("/w/\(ws)/approvals").status == .notFound)
            #expect(try await guest.get("/w/\(ws)/decision-rights").status == .notFound)
            #expect(try await member.get("/w/\(ws)/inbox").body.contains("href=\"/w/\(ws)/approvals\""))

            let away = try await member.post("/w/\(ws)/out-of-office", ["substitute_id": "", "from": "2030-01-01T09:00", "until": "2030-01-05T09:00"])
            #expect(away.status == .unprocessableEntity && away.body.contains("id=\"away-substitute-error\""))
            let set = try await member.post("/w/\(ws)/out-of-office", ["substitute_id": fixture.maya.id.uuidString, "from": "2030-01-01T09:00",
                                                                        "until": "2030-01-05T09:00"])
            #expect(set.status == .seeOther || set.status == .found)
            #expect(try await member.get("/w/\(ws)/out-of-office").body.contains("Maya Chen approves for you"))
            #expect(try await member.get("/profile").body.contains("Maya Chen approves for you."), "the profile says so too")
        }
    }

    @Test("a task's page shows its requests and offers the template its escalate rights name; the board shows it waits",
          arguments: TestDatabase.available)
    func taskPanel(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let ws = fixture.org.workspaceID
            let project = try #require(try await fixture.owner.post("\(fixture.org.base)/projects", ["name": "Office"]).json["id"].string)
            let task = try await fixture.owner.post("/api/v1/projects/\(project)/tasks", ["title": "Furnish the room", "assignee_id": fixture.ana.id.uuidString,
                "brief": ["decision_rights": ["escalate": ["Any purchase over 1,000"]]]])
            let taskID = try #require(task.json["task"]["id"].string, "\(task.body)")
            _ = try await fixture.template(["name": "Travel"])
            let purchase = try #require(try await fixture.template()["id"].string)
            let ana = try await browser(app, fixture.ana.api)
            let page = try await ana.get("/w/\(ws)/tasks/\(taskID)")
            #expect(page.body.contains("Request approval:"), "\(page.body.suffix(3000))")
            #expect(page.body.contains("class=\"button\" href=\"/w/\(ws)/approvals/new/\(purchase)?task=\(taskID)\""), "the purchase template is suggested")
            let form = try await ana.get("/w/\(ws)/approvals/new/\(purchase)?task=\(taskID)")
            #expect(form.body.contains("The task waits for this decision"))
            _ = try await ana.post("/w/\(ws)/approvals/new/\(purchase)", ["f__item": "Desk", "f__amount": "1500", "task_id": taskID, "waiting_for_approval": "on"])
            let after = try await ana.get("/w/\(ws)/tasks/\(taskID)")
            #expect(after.body.contains("Waiting for approval: Purchase") && after.body.contains("status-pending"))
            let board = try await ana.get("/w/\(ws)/projects/\(project)")
            #expect(board.body.contains("Waiting for approval"), "the card shows what it waits for")
        }
    }
}
