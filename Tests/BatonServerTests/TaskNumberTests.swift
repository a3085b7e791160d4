import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import BatonServer

@Suite("Task numbers")
struct TaskNumberTests {
    private func numbers(_ app: Application, workspace: UUID) async throws -> [Int] {
        try await PlainSQL.rows(on: app.db, "SELECT number FROM tasks WHERE workspace_id = \(bind: workspace) ORDER BY number")
            .map { try $0.decode(column: "number", as: Int.self) }
    }

    @Test("tasks are numbered per workspace, in order, with none twice: created, imported, or at once", arguments: TestDatabase.available)
    func numbering(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            // act: three created, two imported, twelve at once
            for title in ["One", "Two", "Three"] { _ = try await work.task(["title": title]) }
            let imported = try await ImportExportTests().upload(work.owner, "\(work.projectBase)/tasks/import", "title\n" + (1...12).map { "Imported \($0 < 10 ? "0" : "")\($0)" }.joined(separator: "\n") + "\n")
            #expect(imported.status == .created, "\(imported.body)")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<12 { group.addTask { _ = try await work.task(["title": "Racing \(index)"]) } }
                try await group.waitForAll()
            }
            // check
            #expect(try await numbers(app, workspace: work.org.workspaceID) == Array(1...27))
            // an import's rows are numbered in the order of its file
            let imports = try await PlainSQL.rows(on: app.db, "SELECT title, number FROM tasks WHERE title LIKE 'Imported %' ORDER BY number")
            let titles = try imports.map { try $0.decode(column: "title", as: String.self) }
            #expect(titles == titles.sorted() && titles.count == 12)
            #expect(try imports.map { try $0.decode(column: "number", as: Int.self) } == Array(4...15))
            let other = try await WorkFixture.make(app)
            _ = try await other.task(["title": "Elsewhere"])
            #expect(try await numbers(app, workspace: other.org.workspaceID) == [1])
        }
    }

    @Test("#2 in a comment links to task 2 of the workspace; the page shows its own number", arguments: TestDatabase.available)
    func references(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let first = try #require(try await work.task(["title": "Plan"])["task"]["id"].string)
            let second = try #require(try await work.task(["title": "Budget"])["task"]["id"].string)
            _ = try await work.owner.post("/api/v1/tasks/\(first)/comments", ["body": "Waiting on #2, not #99 or #2a."])
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = work.org.token
            // act
            let page = try await browser.get("/w/\(work.org.workspaceID)/tasks/\(first)")
            // check
            #expect(page.body.contains("<span class=\"task-number\">#1</span> Plan"))
            let link = WorkPaths.task.url(work.org.workspaceID, try #require(UUID(uuidString: second)))
            #expect(page.body.contains("<a href=\"\(link)\" class=\"reference\" title=\"#2 Budget\">#2</a>"))
            #expect(page.body.contains("not #99 or #2a."))
            #expect(TaskNumbers.references(in: "see #12, #3; a#4 ##5 #") == [12, 3, 4, 5])
        }
    }

    @Test("a guest's page never shows the title of a task outside the project they are looking at", arguments: TestDatabase.available)
    func guestReferences(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: a guest on project Open; task #2 lives in project Secret
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gail", role: "guest")
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
            let secret = try await work.owner.post("\(work.org.base)/projects", ["name": "Secret"])
            let secretID = try #require(secret.json["id"].string)
            let visible = try #require(try await work.task(["title": "Visible"])["task"]["id"].string)
            _ = try await work.owner.post("/api/v1/projects/\(secretID)/tasks", ["title": "Acquisition of Beta Corp"])
            _ = try await work.owner.post("/api/v1/tasks/\(visible)/comments", ["body": "Related to #2 and #1."])
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = guest.token
            // act
            let page = try await browser.get("/w/\(work.org.workspaceID)/tasks/\(visible)")
            // check: #1 (this project) is a link, #2 (the other) stays text and its title appears nowhere
            #expect(page.status == .ok)
            #expect(page.body.contains("title=\"#1 Visible\">#1</a>"))
            #expect(!page.body.contains("Acquisition"))
            #expect(page.body.contains("Related to #2 and"))
        }
    }
}
