import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Invitation page")
struct InvitationPageTests {
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
