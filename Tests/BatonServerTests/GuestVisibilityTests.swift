import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Guests see what they may use")
struct GuestVisibilityTests {
    @Test("a guest sees the people on their projects by name (no emails, managers or teams), no settings, no export",
          arguments: TestDatabase.available)
    func guestSees(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: Gus is a guest on Launch with Tom; Lena works elsewhere
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
            let (lenaID, _) = try await work.org.addMember("Lena Novak")
            _ = try await work.owner.patch("\(work.org.base)/members/\(work.memberID)", ["manager_id": work.org.ownerID.uuidString])
            _ = try await work.owner.post("\(work.org.base)/teams", ["name": "Core"])
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": work.memberID.uuidString])
            // act
            let members = try await guest.get("\(work.org.base)/members")
            // check: the project's people, by name, nothing more
            let ids = Set(members.json["data"].array.compactMap { $0["user_id"].uuid })
            #expect(ids == [guestID, work.memberID, work.org.ownerID], "\(members.body)")
            #expect(!ids.contains(lenaID))
            #expect(!members.body.contains("@example.com"))
            #expect(members.json["data"].array.allSatisfy { $0["manager_id"].isNull && $0["team_ids"].array.isEmpty })
            #expect(try await guest.get("\(work.org.base)/teams").json["data"].array.isEmpty)
            #expect(try await guest.get("\(work.projectBase)/tasks/export.csv").status == .forbidden)
            // the pages agree
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = guest.token
            let people = try await browser.get("/w/\(work.org.workspaceID)/people")
            #expect(people.status == .ok)
            #expect(!people.body.contains("@example.com") && !people.body.contains("Lena Novak") && !people.body.contains("Teams</h2>"))
            #expect(try await browser.get("/w/\(work.org.workspaceID)/projects/\(work.projectID)/settings").status == .forbidden)
            #expect(!(try await browser.get("/w/\(work.org.workspaceID)/projects/\(work.projectID)").body.contains(">Settings</a>")))
            #expect(!(try await browser.get("/w/\(work.org.workspaceID)/projects/\(work.projectID)/table").body.contains("Lena Novak")))
            // a member still sees everyone, with emails; the settings page shows a member no buttons that would fail
            #expect(try await work.member.get("\(work.org.base)/members").body.contains("@example.com"))
            let tom = PagesTests.Browser(app: app)
            tom.cookies[SessionCookie.name] = work.member.token
            let settings = try await tom.get("/w/\(work.org.workspaceID)/projects/\(work.projectID)/settings")
            #expect(settings.status == .ok && !settings.body.contains("Add stage") && !settings.body.contains("Add field")
                    && !settings.body.contains(">Remove</button>") && !settings.body.contains("Archive this project"))
        }
    }
}
