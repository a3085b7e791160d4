import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Invitations, roles, managers, teams")
struct MembersAPITests {
    @Test("an invitation link works once, and the new member appears in the list", arguments: TestDatabase.available)
    func inviteAndAccept(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let org = try await Org.signUp(app)
            // act
            let invite = try await org.owner.post("\(org.base)/invitations", ["email": "Newbie@Example.com", "role": "member"])
            // check
            #expect(invite.status == .created)
            let url = try #require(invite.json["accept_url"].string)
            #expect(url.hasPrefix("http://baton.test/invite/"))
            #expect(invite.json["state"].string == "pending")
            let secret = String(url.split(separator: "/").last!)
            let stored = try await Invitation.query(on: app.db).first()
            #expect(stored?.tokenHash == Secret.hash(secret))

            let preview = try await org.api.get("/api/v1/invitations/\(secret)")
            #expect(preview.json["email"].string == "newbie@example.com")
            #expect(preview.json["has_account"].isNull)
            let weak = try await org.api.post("/api/v1/invitations/\(secret)/accept", ["name": "Nia", "password": "short"])
            #expect(weak.errorField == "password")
            let accepted = try await org.api.post("/api/v1/invitations/\(secret)/accept", ["name": "Nia New", "password": "a good long password"])
            #expect(accepted.status == .created)
            let member = org.api.authed(accepted.json["token"].string)
            #expect(try await member.get("/api/v1/me").json["workspaces"][0]["role"].string == "member")

            let again = try await org.api.post("/api/v1/invitations/\(secret)/accept", ["name": "Nia", "password": "a good long password"])
            #expect(again.status == .gone)
            let members = try await member.get("\(org.base)/members")
            #expect(members.json["data"].array.compactMap { $0["name"].string }.sorted() == ["Nia New", "Olive Owner"])
            let kinds = try await org.eventKinds()
            #expect(kinds.filter { $0 == "member.joined" }.count == 2)
            #expect(kinds.contains("member.invited"))
            #expect(try await org.api.get("/api/v1/invitations/nonsense").status == .notFound)
        }
    }

    @Test("invitations expire after seven days and can be revoked", arguments: TestDatabase.available)
    func expiryAndRevocation(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let org = try await Org.signUp(app)
            let first = try await org.owner.post("\(org.base)/invitations", ["email": "late@example.com"])
            let second = try await org.owner.post("\(org.base)/invitations", ["email": "revoked@example.com"])
            let duplicate = try await org.owner.post("\(org.base)/invitations", ["email": "late@example.com"])
            #expect(duplicate.status == .conflict)
            #expect(try await org.owner.post("\(org.base)/invitations", ["email": "x@example.com", "role": "emperor"]).errorField == "role")
            let existing = try await org.owner.post("\(org.base)/invitations", ["email": try await org.owner.get("/api/v1/me").json["user"]["email"].string])
            #expect(existing.status == .conflict)

            let revokeID = try #require(second.json["id"].string)
            #expect(try await org.owner.delete("\(org.base)/invitations/\(revokeID)").status == .noContent)
            #expect(try await org.owner.delete("\(org.base)/invitations/\(revokeID)").status == .conflict)
            let revokedSecret = String(second.json["accept_url"].string!.split(separator: "/").last!)
            let revoked = try await org.api.post("/api/v1/invitations/\(revokedSecret)/accept", ["name": "R", "password": "a good long password"])
            #expect(revoked.status == .gone)
            #expect(revoked.errorCode == "invitation_revoked")

            clock.advance(7 * 24 * 3600 + 1)
            let lateSecret = String(first.json["accept_url"].string!.split(separator: "/").last!)
            let late = try await org.api.post("/api/v1/invitations/\(lateSecret)/accept", ["name": "L", "password": "a good long password"])
            #expect(late.status == .gone)
            #expect(late.errorCode == "invitation_expired")
            // the expiry job records it in the activity feed
            try await app.jobs.runDue(app: app)
            #expect(try await org.eventKinds().contains("invitation.expired"))
            let list = try await org.owner.get("\(org.base)/invitations")
            #expect(Set(list.json["data"].array.compactMap { $0["state"].string }) == ["expired", "revoked"])
        }
    }

    @Test("only admins manage people; members may edit their own title", arguments: TestDatabase.available)
    func permissions(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (memberID, member) = try await org.addMember("Mo Member")
            #expect(try await member.post("\(org.base)/invitations", ["email": "a@example.com"]).status == .forbidden)
            #expect(try await member.patch("\(org.base)/members/\(org.ownerID)", ["title": "Boss"]).status == .forbidden)
            #expect(try await member.patch("\(org.base)/members/\(memberID)", ["role": "admin"]).status == .forbidden)
            #expect(try await member.patch("\(org.base)/members/\(memberID)", ["title": "Analyst"]).status == .ok)
            // every member may catch up on events, but sees only what their live socket would
            let events = try await member.get("\(org.base)/events")
            #expect(events.status == .ok)
            #expect(!events.json["data"].array.contains { $0["kind"].string == "member.invited" })
            #expect(try await member.get("\(org.base)/invitations").status == .forbidden)
            #expect(try await member.post("\(org.base)/teams", ["name": "T"]).status == .forbidden)
            // an admin cannot make owners
            let (_, admin) = try await org.addMember("Ari Admin", role: "admin")
            #expect(try await admin.patch("\(org.base)/members/\(memberID)", ["role": "owner"]).status == .forbidden)
            #expect(try await admin.post("\(org.base)/invitations", ["email": "o@example.com", "role": "owner"]).status == .forbidden)
            #expect(try await admin.patch("\(org.base)/members/\(memberID)", ["role": "guest"]).status == .ok)
        }
    }

    @Test("roles: the last owner stays an owner", arguments: TestDatabase.available)
    func lastOwner(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let demote = try await org.owner.patch("\(org.base)/members/\(org.ownerID)", ["role": "admin"])
            #expect(demote.status == .unprocessableEntity)
            #expect(demote.errorField == "role")
            let (otherID, _) = try await org.addMember("Second Owner")
            #expect(try await org.owner.patch("\(org.base)/members/\(otherID)", ["role": "owner"]).status == .ok)
            #expect(try await org.owner.patch("\(org.base)/members/\(org.ownerID)", ["role": "admin"]).status == .ok)
            let events = try await org.owner.get("\(org.base)/events?limit=200").json["data"].array
            let roleChanges = events.filter { $0["kind"].string == "member.role_changed" }
            #expect(roleChanges.count == 2)
            #expect(roleChanges.last?["data"]["from"].string == "owner")
            #expect(roleChanges.last?["data"]["to"].string == "admin")
        }
    }

    @Test("managers: set, clear, no loops, only members of this workspace", arguments: TestDatabase.available)
    func managers(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (a, _) = try await org.addMember("Ann")
            let (b, _) = try await org.addMember("Ben")
            let stranger = try await Org.signUp(app)
            #expect(try await org.owner.patch("\(org.base)/members/\(a)", ["manager_id": org.ownerID.uuidString]).json["manager_id"].uuid == org.ownerID)
            #expect(try await org.owner.patch("\(org.base)/members/\(b)", ["manager_id": a.uuidString]).status == .ok)
            let loop = try await org.owner.patch("\(org.base)/members/\(a)", ["manager_id": b.uuidString])
            #expect(loop.status == .unprocessableEntity)
            #expect(loop.errorField == "manager_id")
            #expect(try await org.owner.patch("\(org.base)/members/\(a)", ["manager_id": a.uuidString]).errorField == "manager_id")
            #expect(try await org.owner.patch("\(org.base)/members/\(a)", ["manager_id": stranger.ownerID.uuidString]).errorField == "manager_id")
            #expect(try await org.owner.patch("\(org.base)/members/\(a)", ["manager_id": "not-a-uuid"]).errorField == "manager_id")
            let cleared = try await org.owner.patch("\(org.base)/members/\(b)", ["manager_id": nil])
            #expect(cleared.status == .ok)
            #expect(cleared.json["manager_id"].isNull)
            #expect(try await org.eventKinds().filter { $0 == "member.manager_changed" }.count == 3)
        }
    }

    @Test("a failed change writes nothing: no partial update, no event", arguments: TestDatabase.available)
    func atomicFailure(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (a, _) = try await org.addMember("Ann")
            let before = try await org.eventKinds().count
            // the role change is valid, the manager is not: neither may stick
            let reply = try await org.owner.patch("\(org.base)/members/\(a)", ["role": "admin", "title": "Lead", "manager_id": a.uuidString])
            #expect(reply.status == .unprocessableEntity)
            let member = try await org.owner.get("\(org.base)/members").json["data"].array.first { $0["user_id"].uuid == a }
            #expect(member?["role"].string == "member")
            #expect(member?["title"].string == "")
            #expect(try await org.eventKinds().count == before)
        }
    }

    @Test("deactivation ends access at once and keeps history", arguments: TestDatabase.available)
    func deactivate(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (id, member) = try await org.addMember("Dee")
            let token = try await member.post("/api/v1/me/tokens", ["name": "script"]).json["token"].string
            #expect(try await member.get("\(org.base)/members").status == .ok)
            let reply = try await org.owner.post("\(org.base)/members/\(id)/deactivate")
            #expect(reply.status == .ok)
            #expect(reply.json["active"].bool == false)
            #expect(try await member.get("/api/v1/me").status == .unauthorized)
            #expect(try await org.api.authed(token).get("/api/v1/me").status == .unauthorized)
            #expect(try await member.get("\(org.base)/members").status == .unauthorized)
            // the account cannot sign in again while it has no active workspace
            let me = try await org.owner.get("\(org.base)/members").json["data"].array.first { $0["user_id"].uuid == id }
            #expect(me?["active"].bool == false)
            let login = try await org.api.post("/api/v1/auth/login", ["email": me?["email"].string, "password": "another good password"])
            #expect(login.status == .unauthorized)
            #expect(try await org.eventKinds().contains("member.deactivated"))
            #expect(try await org.owner.post("\(org.base)/members/\(org.ownerID)/deactivate").status == .unprocessableEntity)
            // reactivated, they can sign in again
            #expect(try await org.owner.post("\(org.base)/members/\(id)/reactivate").json["active"].bool == true)
            #expect(try await org.api.post("/api/v1/auth/login", ["email": me?["email"].string, "password": "another good password"]).status == .ok)
        }
    }

    @Test("a member deactivated in one workspace keeps the others", arguments: TestDatabase.available)
    func deactivateInOneOfTwo(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (id, member) = try await org.addMember("Dual")
            let own = try await member.post("/api/v1/workspaces", ["name": "Side project"])
            let ownID = try #require(own.json["id"].string)
            #expect(try await org.owner.post("\(org.base)/members/\(id)/deactivate").status == .ok)
            #expect(try await member.get("\(org.base)/members").status == .notFound)
            #expect(try await member.get("/api/v1/workspaces/\(ownID)/members").status == .ok)
            #expect(try await member.get("/api/v1/me").json["workspaces"].array.count == 1)
        }
    }

    @Test("teams: create, add, remove", arguments: TestDatabase.available)
    func teams(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let (a, _) = try await org.addMember("Ann")
            let team = try await org.owner.post("\(org.base)/teams", ["name": "Engineering"])
            #expect(team.status == .created)
            let teamID = try #require(team.json["id"].string)
            #expect(try await org.owner.post("\(org.base)/teams", ["name": "Engineering"]).status == .conflict)
            #expect(try await org.owner.post("\(org.base)/teams/\(teamID)/members", ["user_id": a.uuidString]).status == .noContent)
            #expect(try await org.owner.post("\(org.base)/teams/\(teamID)/members", ["user_id": a.uuidString]).status == .conflict)
            #expect(try await org.owner.post("\(org.base)/teams/\(teamID)/members", ["user_id": UUID().uuidString]).errorField == "user_id")
            let listed = try await org.owner.get("\(org.base)/teams")
            #expect(listed.json["data"][0]["member_ids"].array.compactMap(\.uuid) == [a])
            let members = try await org.owner.get("\(org.base)/members").json["data"].array
            #expect(members.first { $0["user_id"].uuid == a }?["team_ids"][0].string == teamID)
            #expect(try await org.owner.delete("\(org.base)/teams/\(teamID)/members/\(a)").status == .noContent)
            #expect(try await org.owner.delete("\(org.base)/teams/\(teamID)/members/\(a)").status == .notFound)
            let kinds = try await org.eventKinds()
            #expect(kinds.contains("team.created") && kinds.contains("team.member_added") && kinds.contains("team.member_removed"))
        }
    }
}
