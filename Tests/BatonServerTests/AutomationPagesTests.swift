import BatonCore
import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Rules in the browser: the list with templates and switches, the editor with errors beside
/// the fields and the preview, and the run history.
@Suite("Automations: pages")
struct AutomationPagesTests {
    @Test("the rules page lists the defaults; a template is one click; a switch turns a rule off; members see but cannot change",
          arguments: TestDatabase.available)
    func list(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            try await EventConsumers.catchUp(app)
            let olive = try await NotificationPagesTests.browser(app, token: work.org.token)
            let base = "/w/\(work.org.workspaceID)"
            let page = try await olive.get("\(base)/projects/\(work.projectID)/rules")
            #expect(page.status == .ok, "\(page.body.prefix(500))")
            #expect(page.body.contains("Tell the delegator when work moves") && page.body.contains("When a task moves to another stage → notify the delegator"))
            #expect(page.body.contains("Missed checkpoint"))
            // one click adds a template
            let added = try await olive.post("\(base)/projects/\(work.projectID)/rules/from-template", ["template_key": "checkpoint_missed"])
            #expect(added.status == .seeOther || added.status == .found, "\(added.status) \(added.body.prefix(300))")
            #expect(try await work.rules().count == 4)
            // the switch
            let blocked = try await work.rule("blocked")
            _ = try await olive.post("\(base)/rules/\(blocked["id"].string!)/toggle", [:])
            #expect(try await work.rule("blocked")["enabled"].bool == false)
            // the settings page links here
            let settings = try await olive.get("\(base)/projects/\(work.projectID)/settings")
            #expect(settings.body.contains("Manage rules") && settings.body.contains("3 on, 1 off"), "\(settings.status) \(settings.body.components(separatedBy: "<main").last?.prefix(1500) ?? "")")
            // Tom, a member, sees the rules but no switches or editor
            let tom = try await NotificationPagesTests.browser(app, token: try #require(work.member.token))
            let his = try await tom.get("\(base)/projects/\(work.projectID)/rules")
            #expect(his.status == .ok && !his.body.contains("role=\"switch\"") && his.body.contains("Only the project lead and admins"))
            #expect(try await tom.post("\(base)/rules/\(blocked["id"].string!)/toggle", [:]).status == .forbidden)
            #expect(try await tom.get("\(base)/projects/\(work.projectID)/rules/new").status == .forbidden)
            #expect(try await work.rule("blocked")["enabled"].bool == false)
        }
    }

    @Test("the editor shows an error beside the field and keeps what was typed; the preview lists tasks and writes nothing; saving works",
          arguments: TestDatabase.available)
    func editor(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.task(["title": "Urgent one", "priority": "urgent", "assignee_id": work.memberID.uuidString])
            try await work.settle(app)
            let olive = try await NotificationPagesTests.browser(app, token: work.org.token)
            let base = "/w/\(work.org.workspaceID)"
            let editor = try await olive.get("\(base)/projects/\(work.projectID)/rules/new?template=urgent_created")
            #expect(editor.status == .ok && editor.body.contains("value=\"Urgent work reaches the lead\""), "\(editor.body.prefix(400))")
            var form = ["name": "Urgent to lead", "trigger_type": "task_created", "match": "all",
                        "c0_field": "priority", "c0_op": "equals", "c0_value": "urgentish",
                        "a0_type": "notify", "a0_r_lead": "on", "a0_message": "New: {{title}}"]
            // a bad value: 422, the message under the condition, the typed name kept, nothing saved
            let bad = try await olive.post("\(base)/projects/\(work.projectID)/rules/new", form)
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("Priority is urgent, high, normal or low.") && bad.body.contains("value=\"Urgent to lead\""))
            #expect(try await work.rules().count == 3)
            // the preview
            form["c0_value"] = "urgent"
            let eventsBefore = try await EventRecord.query(on: app.db).count()
            let preview = try await olive.post("\(base)/projects/\(work.projectID)/rules/preview", form)
            #expect(preview.status == .ok)
            #expect(preview.body.contains("<strong>1</strong> of 1 open tasks") && preview.body.contains("Would notify Olive Owner: “New: Urgent one”"),
                    "\(preview.body)")
            #expect(try await EventRecord.query(on: app.db).count() == eventsBefore)
            #expect(try await work.rules().count == 3)
            // saving
            let saved = try await olive.post("\(base)/projects/\(work.projectID)/rules/new", form)
            #expect(saved.status == .seeOther || saved.status == .found, "\(saved.status) \(saved.body.prefix(300))")
            let rule = try #require(try await work.rules().first { $0["name"].string == "Urgent to lead" })
            #expect(rule["conditions"][0]["value"].string == "urgent" && rule["actions"][0]["recipients"].array.map(\.string) == ["lead"])
            // editing: the form shows the saved rule; a stale version is refused
            let edit = try await olive.get("\(base)/rules/\(rule["id"].string!)")
            #expect(edit.body.contains("value=\"Urgent to lead\"") && edit.body.contains("name=\"a0_r_lead\" checked"))
            var change = form
            change["name"] = "Urgent to the lead"
            change["version"] = "1"
            change["enabled"] = "on"
            #expect(try await olive.post("\(base)/rules/\(rule["id"].string!)", change).status == .seeOther)
            #expect(try await olive.post("\(base)/rules/\(rule["id"].string!)", change).status == .conflict)
            // the run history page
            _ = try await work.task(["title": "Another urgent", "priority": "urgent"])
            try await work.settle(app)
            let runs = try await olive.get("\(base)/rules/\(rule["id"].string!)/runs")
            #expect(runs.status == .ok && runs.body.contains("Another urgent") && runs.body.contains("run-done"), "\(runs.body.prefix(300))")
            // another workspace cannot reach it through its own URL
            let outsider = try await Org.signUp(app, workspace: "Other")
            let stranger = try await NotificationPagesTests.browser(app, token: outsider.token)
            #expect(try await stranger.get("/w/\(outsider.workspaceID)/rules/\(rule["id"].string!)").status == .notFound)
            #expect(try await stranger.get("\(base)/rules/\(rule["id"].string!)").status == .notFound)
        }
    }
}
