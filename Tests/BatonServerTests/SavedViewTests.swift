import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Saved views")
struct SavedViewTests {
    @Test("its owner deletes a saved view (an event); someone else's is 404 and stays", arguments: TestDatabase.available)
    func delete(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let owner = PagesTests.Browser(app: app)
            owner.cookies[SessionCookie.name] = work.org.token
            _ = try await owner.get("/w/\(work.org.workspaceID)/people")
            _ = try await owner.post("/w/\(work.org.workspaceID)/projects/\(work.projectID)/views", ["name": "Urgent", "query": "priority=urgent"])
            let view = try #require(try await SavedView.query(on: app.db).first())
            let path = "/w/\(work.org.workspaceID)/projects/\(work.projectID)/views/\(view.id!)/delete"
            // someone else cannot
            let tom = PagesTests.Browser(app: app)
            tom.cookies[SessionCookie.name] = work.member.token
            _ = try await tom.get("/w/\(work.org.workspaceID)/people")
            #expect(try await tom.post(path, [:]).status == .notFound)
            #expect(try await SavedView.query(on: app.db).count() == 1)
            // the owner can, once
            #expect(try await owner.post(path, [:]).status == .seeOther)
            #expect(try await SavedView.query(on: app.db).count() == 0)
            #expect(try await owner.post(path, [:]).status == .notFound)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "view.deleted").count() == 1)
        }
    }
}
