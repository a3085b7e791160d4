import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Task page: someone else saved first")
struct TaskFormMergeTests {
    @Test("a field only I changed is saved over a newer version; a field we both changed is a 409 that names it and changes nothing",
          arguments: TestDatabase.available)
    func merge(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: Pia opens Alpha's page
            let (browser, base, _, stages) = try await WorkPagesTests().setUp(app)
            let task = try #require(try await WorkTask.query(on: app.db).filter(\.$title == "Alpha").first())
            let page = try await browser.get("\(base)/tasks/\(task.id!)").body
            let match = try #require(page.firstMatch(of: /name="base" value="([^"]*)"/))
            let fingerprint = String(match.output.1).replacingOccurrences(of: "&amp;", with: "&")
            let pia = try #require(try await User.query(on: app.db).filter(\.$email == "pia@example.com").first()?.id)
            // someone else renames it meanwhile (version 2)
            var rename = TaskChanges()
            rename.title = "Alpha v2"
            _ = try await WorkService(store: app.store).updateTask(task.id!, for: pia, version: 1, rename)
            // the form as it was shown, with only the description edited
            var form = ["version": "1", "base": fingerprint, "brief": "1", "title": "Alpha", "description": "Mine",
                        "stage_id": stages["To do"]!.uuidString, "assignee_id": "", "priority": "normal", "due_at": "", "start_at": "",
                        "estimate": "", "tags": "", "blocked_reason": "", "outcome": "", "constraints": "", "success_criteria": "",
                        "risk_tolerance": "", "delegation_level": "", "decide_alone": "", "consult_first": "", "escalate": "", "skills": ""]
            // act 1: merged
            let merged = try await browser.post("\(base)/tasks/\(task.id!)", form)
            #expect(merged.status == .seeOther, "\(merged.body.prefix(400))")
            let after = try #require(try await WorkTask.find(task.id!, on: app.db))
            #expect(after.title == "Alpha v2" && after.description == "Mine" && after.version == 3)
            // act 2: the same stale form now changes the title too: a clash
            form["title"] = "My title"
            let clash = try await browser.post("\(base)/tasks/\(task.id!)", form)
            #expect(clash.status == .conflict)
            #expect(clash.body.contains("Someone else saved this task after you opened it") && clash.body.contains("Title (you changed it too)"))
            let unchanged = try #require(try await WorkTask.find(task.id!, on: app.db))
            #expect(unchanged.title == "Alpha v2" && unchanged.version == 3)
        }
    }
}
