import Foundation
import Testing
import Vapor
import Fluent
@testable import BatonServer

@Suite("Invitation page")
struct InvitationPageTests {
    @Test("a pending invitation's link can be made again from the people page: the old one stops working",
          arguments: TestDatabase.available)
    func newLink(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let invite = try await org.owner.post("\(org.base)/invitations", ["email": "late@example.com"])
            let old = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
            let id = try #require(invite.json["id"].string)
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = org.token
            _ = try await browser.get("/w/\(org.workspaceID)/people")
            let renewed = try await browser.post("/w/\(org.workspaceID)/invitations/\(id)/new-link", [:])
            #expect(renewed.status == .seeOther)
            let page = try await browser.get(try #require(renewed.headers.first(name: .location)))
            let link = try #require(page.body.firstMatch(of: /id="share" readonly value="[^"]*\/invite\/([A-Za-z0-9_-]+)"/)?.output.1)
            #expect(String(link) != old)
            #expect(try await PagesTests.Browser(app: app).get("/invite/\(old)").status == .notFound)
            #expect(try await PagesTests.Browser(app: app).get("/invite/\(link)").status == .ok)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "invitation.link_renewed").count() == 1)
        }
    }

    @Test("a used invitation's page says so and offers sign-in", arguments: TestDatabase.available)
    func usedInvitation(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let invite = try await org.owner.post("\(org.base)/invitations", ["email": "used@example.com"])
            let secret = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
            _ = try await APIClient(app: app).post("/api/v1/invitations/\(secret)/accept", ["name": "Ula", "password": "correct horse battery"])
            let page = try await PagesTests.Browser(app: app).get("/invite/\(secret)")
            #expect(page.status == .gone)
            #expect(page.body.contains("can no longer be used") && page.body.contains("href=\"/login\""))
        }
    }
}
