import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Archiving projects")
struct ProjectArchiveTests {
    @Test("the lead archives a project (off the list, no new work, history kept) and restores it; a member cannot",
          arguments: TestDatabase.available)
    func archive(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.task(["title": "Kept"])
            #expect(try await work.member.post("\(work.projectBase)/archive").status == .forbidden)
            let archived = try await work.owner.post("\(work.projectBase)/archive")
            #expect(archived.status == .ok && archived.json["archived_at"].string != nil, "\(archived.body)")
            #expect(try await work.owner.post("\(work.projectBase)/archive").status == .conflict)
            #expect(try await work.owner.get("\(work.org.base)/projects").json["data"].array.isEmpty)
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "New"]).status == .conflict)
            #expect(try await WorkTask.query(on: app.db).count() == 1)
            // the projects page offers it back
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = work.org.token
            let page = try await browser.get("/w/\(work.org.workspaceID)/projects")
            #expect(page.body.contains("Archived") && page.body.contains("/projects/\(work.projectID)/restore"))
            let restored = try await work.owner.post("\(work.projectBase)/restore")
            #expect(restored.status == .ok && restored.json["archived_at"].isNull)
            #expect(try await work.owner.get("\(work.org.base)/projects").json["data"].array.count == 1)
            let kinds = try await EventRecord.query(on: app.db).filter(\.$kind ~~ ["project.archived", "project.restored"]).count()
            #expect(kinds == 2)
        }
    }

    @Test("the delegator archives a task (off the lists and dashboards, kept with its history) and restores it; the assignee cannot",
          arguments: TestDatabase.available)
    func archiveTask(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Old idea", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            _ = try await work.task(["title": "Current"])
            #expect(try await work.member.post("/api/v1/tasks/\(id)/archive").status == .forbidden)
            let archived = try await work.owner.post("/api/v1/tasks/\(id)/archive")
            #expect(archived.json["task"]["archived_at"].string != nil, "\(archived.body)")
            #expect(try await work.owner.post("/api/v1/tasks/\(id)/archive").status == .conflict)
            let listed = try await work.owner.get("\(work.projectBase)/tasks").json["data"].array.compactMap { $0["title"].string }
            #expect(listed == ["Current"])
            #expect(try await work.owner.get("\(work.projectBase)/tasks?archived=true").json["data"].array.compactMap { $0["title"].string } == ["Old idea"])
            #expect(try await work.owner.get("/api/v1/dashboards/projects/\(work.projectID)").json["counts"]["todo"].int == 1)
            #expect(try await work.owner.get("/api/v1/tasks/\(id)").status == .ok)
            let restored = try await work.owner.post("/api/v1/tasks/\(id)/restore")
            #expect(restored.json["task"]["archived_at"].isNull)
            #expect(try await work.owner.get("\(work.projectBase)/tasks").json["data"].array.count == 2)
            let kinds = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array.compactMap { $0["kind"].string }
            #expect(kinds.contains("task.archived") && kinds.contains("task.restored"))
        }
    }
}
