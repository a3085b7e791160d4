import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Work pages")
struct WorkPagesTests {
    /// A signed-in browser on a workspace with a project and three tasks.
    func setUp(_ app: Application) async throws -> (PagesTests.Browser, String, String, [String: UUID]) {
        let browser = PagesTests.Browser(app: app)
        _ = try await browser.get("/signup")
        let signup = try await browser.post("/signup", ["name": "Pia Lead", "email": "pia@example.com", "password": "a long password", "workspace_name": "P"])
        let base = String(try #require(signup.headers.first(name: .location)).dropLast("/people".count))
        let created = try await browser.post("\(base)/projects", ["name": "Apollo", "description": "Moon"])
        let projectPath = try #require(created.headers.first(name: .location))
        let projectID = String(projectPath.split(separator: "/").last!)
        let stages = try await Stage.query(on: app.db).all()
        var ids: [String: UUID] = [:]
        for stage in stages { ids[stage.name] = stage.id }
        for title in ["Alpha", "Beta", "Gamma"] {
            let added = try await browser.post("\(base)/projects/\(projectID)/tasks", ["title": title, "stage_id": ids["To do"]!.uuidString])
            #expect(added.status == .seeOther)
        }
        return (browser, base, projectID, ids)
    }

    @Test("projects, board, task page and dashboards render with the workspace's data", arguments: TestDatabase.available)
    func pages(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let (browser, base, projectID, _) = try await setUp(app)
            #expect(try await browser.get("\(base)/projects").body.contains("Apollo"))
            let board = try await browser.get("\(base)/projects/\(projectID)")
            #expect(board.status == .ok)
            #expect(board.body.contains("data-stage-id") && board.body.contains("Gamma"))
            #expect(!board.body.contains("data-assignee="))
            let lanes = try await browser.get("\(base)/projects/\(projectID)?lanes=assignee")
            #expect(lanes.status == .ok)
            #expect(lanes.body.contains("class=\"lane-head\">Unassigned"))
            #expect(lanes.body.contains("data-assignee=\"none\""))
            let task = try #require(try await WorkTask.query(on: app.db).filter(\.$title == "Beta").first())
            let page = try await browser.get("\(base)/tasks/\(task.id!)")
            #expect(page.body.contains("Handoff brief") && page.body.contains("Acceptance checklist"))
            // saving the task form changes only what changed, with the version
            let saved = try await browser.post("\(base)/tasks/\(task.id!)", ["version": "1", "title": "Beta two", "description": "",
                                                                          "stage_id": task.stageID.uuidString, "priority": "high", "due_at": "",
                                                                          "tags": "x, y", "brief": "1", "outcome": "Shipped", "constraints": "",
                                                                          "success_criteria": "", "risk_tolerance": "low", "delegation_level": "7",
                                                                          "skills": "", "decide_alone": "copy\nlayout", "consult_first": "", "escalate": ""])
            #expect(saved.status == .seeOther)
            let reloaded = try #require(try await WorkTask.find(task.id!, on: app.db))
            #expect(reloaded.title == "Beta two" && reloaded.priority == .high && reloaded.delegationLevel == 7 && reloaded.outcome == "Shipped")
            let stale = try await browser.post("\(base)/tasks/\(task.id!)", ["version": "1", "title": "Late edit"])
            #expect(stale.status == .conflict)
            #expect(stale.body.contains("Someone else changed this task"))
            // custom fields, estimate and checkpoints from the task page
            let scope = try await WorkScope.project(id: task.projectID, for: reloaded.createdBy, on: app.db)
            let tier = try await app.work.createField(scope, name: "Tier", type: .singleSelect, options: ["Gold", "Silver"], currency: nil)
            let signed = try await app.work.createField(scope, name: "Signed", type: .checkbox, options: [], currency: nil)
            #expect(try await browser.get("\(base)/tasks/\(task.id!)").body.contains("name=\"cf_\(tier.id!)\""))
            let fields = try await browser.post("\(base)/tasks/\(task.id!)", [
                "version": String(reloaded.version), "estimate": "2.5", "cf_present_\(tier.id!)": "single_select", "cf_\(tier.id!)": "Silver",
                "cf_present_\(signed.id!)": "checkbox", "cf_\(signed.id!)": "on"])
            #expect(fields.status == .seeOther)
            let values = try await TaskFieldValue.query(on: app.db).filter(\.$taskID == task.id!).all().map(\.value).sorted()
            #expect(values == ["Silver", "true"])
            #expect(try await WorkTask.find(task.id!, on: app.db)?.estimate == 2.5)
            let badField = try await browser.post("\(base)/tasks/\(task.id!)", [
                "version": String(reloaded.version + 1), "cf_present_\(tier.id!)": "single_select", "cf_\(tier.id!)": "Bronze"])
            #expect(badField.status == .unprocessableEntity)
            // subtasks and watchers from the task page
            #expect(try await browser.post("\(base)/tasks/\(task.id!)/subtasks", ["subtask_title": "Collect quotes"]).status == .seeOther)
            let subtask = try #require(try await WorkTask.query(on: app.db).filter(\.$title == "Collect quotes").first())
            #expect(subtask.parentID == task.id)
            let parentPage = try await browser.get("\(base)/tasks/\(task.id!)").body
            #expect(parentPage.contains(">Collect quotes</a>"))
            #expect(try await browser.get("\(base)/tasks/\(subtask.id!)").body.contains("Part of <a href=\"/w/"))
            let emptySubtask = try await browser.post("\(base)/tasks/\(task.id!)/subtasks", ["subtask_title": "  "])
            #expect(emptySubtask.status == .unprocessableEntity)
            #expect(emptySubtask.body.contains("id=\"subtask-title-error\""))
            let pia = try #require(try await User.query(on: app.db).filter(\.$name == "Pia Lead").first()?.id)
            func watching() async throws -> Int { try await TaskWatcher.query(on: app.db).filter(\.$taskID == task.id!).filter(\.$userID == pia).count() }
            #expect(try await watching() == 1)
            #expect(try await browser.post("\(base)/tasks/\(task.id!)/watchers", ["user_id": pia.uuidString, "action": "remove"]).status == .seeOther)
            #expect(try await watching() == 0)
            #expect(try await browser.post("\(base)/tasks/\(task.id!)/watchers", ["user_id": pia.uuidString]).status == .seeOther)
            #expect(try await watching() == 1)
            let checkpoint = try await browser.post("\(base)/tasks/\(task.id!)/checkpoints", ["title": "Draft", "due_at": "2026-12-01T10:00"])
            #expect(checkpoint.status == .seeOther)
            let cp = try #require(try await Checkpoint.query(on: app.db).first())
            _ = try await browser.post("\(base)/tasks/\(task.id!)/checkpoints/\(cp.id!)", ["status": "at_risk", "note": "Late"])
            #expect(try await Checkpoint.find(cp.id!, on: app.db)?.status == .atRisk)
            #expect(try await browser.get("\(base)/dashboard").body.contains("Burn-up"))
            #expect(try await browser.get("\(base)/projects/\(projectID)/dashboard").body.contains("Apollo"))
        }
    }

    @Test("table: filters, saved views and bulk edits; my work; calendar", arguments: TestDatabase.available)
    func table(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let (browser, base, projectID, stages) = try await setUp(app)
            let table = try await browser.get("\(base)/projects/\(projectID)/table")
            #expect(table.status == .ok)
            #expect(table.body.contains("Alpha") && table.body.contains("Gamma"))
            #expect(!(try await browser.get("\(base)/projects/\(projectID)/table?priority=urgent")).body.contains("Alpha"))
            #expect(try await browser.get("\(base)/projects/\(projectID)/table?due_before=2030-01-01").status == .ok)
            let badDate = try await browser.get("\(base)/projects/\(projectID)/table?due_before=someday")
            #expect(badDate.status == .unprocessableEntity)
            #expect(badDate.body.contains("data-field=\"due_before\""))
            #expect(try await browser.post("\(base)/projects/\(projectID)/settings/fields",
                                           ["name": "Tier", "type": "single_select", "options": "Gold, Silver"]).status == .seeOther)
            let badValue = try await browser.get("\(base)/projects/\(projectID)/table?field=Tier&field_value=Bronze")
            #expect(badValue.status == .unprocessableEntity)
            #expect(badValue.body.contains("data-field=\"field_value\""))
            #expect(badValue.body.contains("aria-invalid=\"true\""))
            let noGold = try await browser.get("\(base)/projects/\(projectID)/table?field=Tier&field_value=gold")
            #expect(noGold.status == .ok)
            #expect(noGold.body.contains("No tasks match these filters."))

            // server-side sort: the headers link to the other direction; the rows come back in the server's order
            let byTitle = try await browser.get("\(base)/projects/\(projectID)/table?sort=title").body
            #expect(byTitle.contains("aria-sort=\"ascending\""))
            #expect(byTitle.contains("sort=-title"))
            let titleOrder = ["Alpha", "Beta", "Gamma"].compactMap { byTitle.range(of: ">\($0)</a>")?.lowerBound }
            #expect(titleOrder.count == 3 && titleOrder == titleOrder.sorted())
            let descending = try await browser.get("\(base)/projects/\(projectID)/table?sort=-title").body
            let reversed = ["Gamma", "Beta", "Alpha"].compactMap { descending.range(of: ">\($0)</a>")?.lowerBound }
            #expect(reversed.count == 3 && reversed == reversed.sorted())

            _ = try await browser.post("\(base)/projects/\(projectID)/views", ["name": "Urgent", "query": "priority=urgent"])
            #expect(try await browser.get("\(base)/projects/\(projectID)/table").body.contains(">Urgent</a>"))

            let ids = try await WorkTask.query(on: app.db).all().compactMap(\.id)
            let me = try #require(try await User.query(on: app.db).first()?.id)
            var form = ["stage_id": stages["In progress"]!.uuidString, "assignee_id": me.uuidString, "due_at": "2026-12-24", "query": ""]
            for (index, id) in ids.enumerated() { form["task_ids[\(index)]"] = id.uuidString }
            let bulk = try await browser.post("\(base)/projects/\(projectID)/bulk", form)
            #expect(bulk.status == .seeOther)
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageCategory == .inProgress).count() == 3)
            #expect(try await browser.get(bulk.headers.first(name: .location)!).body.contains("Updated 3 tasks."))
            // one task refuses Done (an open acceptance item): the table names it, keeps the selection, offers the rest
            let held = try #require(ids.first)
            _ = try await WorkService(store: app.store).addChecklistItem(held, by: me, text: "Signed off")
            form["stage_id"] = stages["Done"]!.uuidString
            let refused = try await browser.post("\(base)/projects/\(projectID)/bulk", form)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("1 of the selected tasks cannot take this change") && refused.body.contains("Change the other 2"))
            #expect(refused.body.contains("value=\"\(held)\" aria-label=") && refused.body.contains(" checked>"))
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageCategory == .done).count() == 0)
            form["skip_failing"] = "1"
            #expect(try await browser.post("\(base)/projects/\(projectID)/bulk", form).status == .seeOther)
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageCategory == .done).count() == 2)

            let mine = try await browser.get("\(base)/my-work")
            #expect(mine.body.contains("Alpha") && mine.body.contains("Apollo"))
            #expect(!(try await browser.get("\(base)/my-work?tab=delegated")).body.contains("Alpha"))
            #expect(try await browser.get("\(base)/my-work?after=zzz").status == .unprocessableEntity)
            let calendar = try await browser.get("\(base)/calendar?month=2026-12")
            #expect(calendar.body.contains("December 2026"))
            #expect(calendar.body.contains("aria-label=\"2026-12-24\""))
            #expect(calendar.body.contains(">Alpha</a>"))
            let week = try await browser.get("\(base)/calendar?view=week&week=2026-12-24")
            #expect(week.status == .ok)
            #expect(week.body.contains("Week of 21 Dec 2026"))
            #expect(week.body.contains("aria-label=\"2026-12-24\""))
            #expect(!week.body.contains("aria-label=\"2026-12-28\""))
            #expect(week.body.contains(">Alpha<span class=\"cal-detail\">"))
            #expect(week.body.contains("week=2026-12-14") && week.body.contains("week=2026-12-28"))
        }
    }
}

@Suite("Project settings page")
struct ProjectSettingsPageTests {
    @Test("stages, fields and CSV import from the settings page", arguments: TestDatabase.available)
    func settings(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let (browser, base, projectID, stages) = try await WorkPagesTests().setUp(app)
            let settings = "\(base)/projects/\(projectID)/settings"
            #expect(try await browser.get(settings).body.contains("Import and export"))
            #expect(try await browser.post("\(settings)/stages", ["name": "QA", "category": "in_progress", "color": "#8a94a6"]).status == .seeOther)
            let duplicate = try await browser.post("\(settings)/stages", ["name": "qa", "category": "in_progress", "color": "#8a94a6"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.contains("id=\"new-stage-error\""))
            let qa = try #require(try await Stage.query(on: app.db).filter(\.$name == "QA").first())
            _ = try await browser.post("\(settings)/stages/\(qa.id!)/move", ["direction": "up"])
            #expect(try await Stage.find(qa.id!, on: app.db)?.position == 3)
            _ = try await browser.post("\(settings)/stages/\(stages["To do"]!)/remove", ["move_to": qa.id!.uuidString])
            #expect(try await WorkTask.query(on: app.db).filter(\.$stageID == qa.id!).count() == 3)
            #expect(try await browser.post("\(settings)/fields", ["name": "Tier", "type": "single_select", "options": "Gold, Silver"]).status == .seeOther)
            #expect(try await CustomField.query(on: app.db).first()?.optionList == ["Gold", "Silver"])

            // a multipart upload, with the CSRF token inside the body like any form field (never in the URL)
            let boundary = "----baton\(UUID().uuidString.prefix(8))"
            let csrf = browser.cookies[CSRF.cookie] ?? ""
            func upload(_ csv: String, dryRun: Bool, token: String? = csrf, query: String = "") async throws -> Reply {
                var body = token.map { "--\(boundary)\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n\($0)\r\n" } ?? ""
                body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"tasks.csv\"\r\nContent-Type: text/csv\r\n\r\n\(csv)\r\n"
                if dryRun { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"dry_run\"\r\n\r\non\r\n" }
                body += "--\(boundary)--\r\n"
                var headers = HTTPHeaders()
                headers.add(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
                headers.add(name: .contentType, value: "multipart/form-data; boundary=\(boundary)")
                let response = try await app.testing().sendRequest(.POST, "\(settings)/import\(query)", headers: headers, body: ByteBuffer(string: body))
                return Reply(status: response.status, headers: response.headers, body: response.body.string)
            }
            #expect(try await upload("title\nSneaky\n", dryRun: false, token: nil, query: "?_csrf=\(csrf)").status == .forbidden)
            #expect(try await upload("title\nSneaky\n", dryRun: false, token: (csrf.hasPrefix("x") ? "y" : "x") + csrf.dropFirst()).status == .forbidden)
            let dry = try await upload("title,Tier\nOne,Gold\n,Bronze\n", dryRun: true)
            #expect(dry.status == .ok)
            #expect(dry.body.contains("Line 3"))
            let real = try await upload("title,Tier\nOne,Gold\nTwo,Silver\n", dryRun: false)
            #expect(real.status == .seeOther)
            #expect(try await WorkTask.query(on: app.db).count() == 5)
        }
    }
}

extension WorkPagesTests {
    @Test("a task's description and comments render as sanitized markdown, mentions linked", arguments: TestDatabase.available)
    func markdown(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let (browser, base, _, _) = try await setUp(app)
            let task = try #require(try await WorkTask.query(on: app.db).filter(\.$title == "Alpha").first())
            let pia = try #require(try await User.query(on: app.db).filter(\.$email == "pia@example.com").first())
            _ = try await browser.post("\(base)/tasks/\(task.id!)", ["version": "1", "title": "Alpha",
                                                                    "description": "Read **this**\n\n- [x] done\n\n<script>alert(1)</script>"])
            _ = try await browser.post("\(base)/tasks/\(task.id!)/comments", ["body": "Thanks @pia, see [docs](https://example.com) and [x](javascript:alert(1))"])
            // act
            let page = try await browser.get("\(base)/tasks/\(task.id!)")
            // check
            #expect(page.body.contains("<p>Read <strong>this</strong></p>"))
            #expect(page.body.contains(#"<li class="task"><input type="checkbox" checked disabled aria-label="done"> done</li>"#))
            #expect(page.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!page.body.contains("<script>alert"))
            #expect(page.body.contains(#"<a href="\#(base)/people#member-\#(pia.id!)" class="mention" title="Pia Lead">@pia</a>"#), "\(page.body)")
            #expect(page.body.contains(#"<a href="https://example.com" rel="noopener nofollow">docs</a>"#))
            #expect(!page.body.contains("javascript:alert"))
        }
    }
}
