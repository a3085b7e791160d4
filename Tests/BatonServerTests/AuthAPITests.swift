import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Accounts and sign-in")
struct AuthAPITests {
    @Test("sign up makes the owner of a new workspace", arguments: TestDatabase.available)
    func signup(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // act
            let org = try await Org.signUp(app, email: "Ada@Example.com", workspace: "Acme Product")
            let me = try await org.owner.get("/api/v1/me")
            // check
            #expect(me.status == .ok)
            #expect(me.json["user"]["email"].string == "ada@example.com")
            #expect(me.json["workspaces"][0]["name"].string == "Acme Product")
            #expect(me.json["workspaces"][0]["role"].string == "owner")
            #expect(try await org.eventKinds() == ["workspace.created", "member.joined"])
        }
    }

    @Test("bad sign-ups are refused with the field named, and write nothing", arguments: TestDatabase.available)
    func signupValidation(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let api = APIClient(app: app)
            _ = try await Org.signUp(app, email: "taken@example.com")
            let good: [String: Any?] = ["email": "new@example.com", "password": "long enough pw", "name": "N", "workspace_name": "W"]
            func with(_ key: String, _ value: Any?) -> [String: Any?] { var body = good; body[key] = value; return body }
            // act + check
            let cases: [([String: Any?], HTTPResponseStatus, String?)] = [
                (with("email", "taken@example.com"), .conflict, "email"),
                (with("email", "TAKEN@example.com"), .conflict, "email"),
                (with("email", "not-an-email"), .unprocessableEntity, "email"),
                (with("password", "short"), .unprocessableEntity, "password"),
                (with("name", "   "), .unprocessableEntity, "name"),
                (with("workspace_name", ""), .unprocessableEntity, "workspace_name"),
                (with("email", 42), .unprocessableEntity, "email"),
                (good.filter { $0.key != "password" }, .unprocessableEntity, "password"),
            ]
            for (body, status, field) in cases {
                let reply = try await api.post("/api/v1/auth/signup", body)
                #expect(reply.status == status, "\(body): \(reply.body)")
                #expect(reply.errorField == field, "\(body): \(reply.body)")
            }
            let count = try await User.query(on: app.db).count()
            #expect(count == 1)
        }
    }

    @Test("malformed JSON is 400, oversized bodies 413, missing auth 401", arguments: TestDatabase.available)
    func requestErrors(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let api = APIClient(app: app)
            let broken = try await api.send(.POST, "/api/v1/auth/signup", raw: "{\"email\": ")
            #expect(broken.status == .badRequest)
            #expect(broken.errorCode == "bad_request")
            #expect(broken.json["error"]["message"].string != nil)
            #expect(broken.json["error"]["field"].isNull)

            let notObject = try await api.send(.POST, "/api/v1/auth/login", raw: "[1,2]")
            #expect(notObject.status == .badRequest)

            let anonymous = try await api.get("/api/v1/me")
            #expect(anonymous.status == .unauthorized)
            #expect(anonymous.errorCode == "unauthorized")
            let bogus = try await api.authed("not-a-real-token").get("/api/v1/me")
            #expect(bogus.status == .unauthorized)
        }
    }

    @Test("a body over 1 MiB is refused with 413 by the real server", arguments: TestDatabase.available)
    func oversizedBody(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                let huge = String(repeating: "x", count: 1_100_000)
                let response = try await app.client.post("http://127.0.0.1:\(port)/api/v1/auth/signup") { request in
                    request.headers.contentType = .json
                    request.body = ByteBuffer(string: "{\"name\": \"\(huge)\"}")
                }
                #expect(response.status == .payloadTooLarge)
                let body = JSON(data: Data(buffer: response.body ?? ByteBuffer()))
                #expect(body["error"]["code"].string == "payload_too_large")
                #expect(try await User.query(on: app.db).count() == 0)
            }
        }
    }

    @Test("login, logout, and a wrong password", arguments: TestDatabase.available)
    func login(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app, email: "lee@example.com")
            let wrong = try await org.api.post("/api/v1/auth/login", ["email": "lee@example.com", "password": "wrong password!"])
            #expect(wrong.status == .unauthorized)
            #expect(wrong.errorCode == "invalid_credentials")

            let login = try await org.api.post("/api/v1/auth/login", ["email": " LEE@example.com ", "password": "correct horse battery"])
            #expect(login.status == .ok)
            let session = org.api.authed(login.json["token"].string)
            #expect(try await session.get("/api/v1/me").status == .ok)
            #expect(try await session.post("/api/v1/auth/logout").status == .noContent)
            #expect(try await session.get("/api/v1/me").status == .unauthorized)
            // both ends of the session are in the audit trail
            let kinds = try await EventRecord.query(on: app.db).filter(\.$actorID == org.ownerID).all().map(\.kind)
            #expect(kinds.filter { $0 == "user.signed_in" }.count == 1)
            #expect(kinds.filter { $0 == "user.signed_out" }.count == 1)
        }
    }

    @Test("ten failed logins lock the account for fifteen minutes with Retry-After", arguments: TestDatabase.available)
    func loginRateLimit(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup
            let org = try await Org.signUp(app, email: "rate@example.com")
            for _ in 0..<10 {
                let reply = try await org.api.post("/api/v1/auth/login", ["email": "rate@example.com", "password": "guess guess guess"])
                #expect(reply.status == .unauthorized)
                clock.advance(10)
            }
            // act: even the right password is refused now
            let blocked = try await org.api.post("/api/v1/auth/login", ["email": "rate@example.com", "password": "correct horse battery"])
            // check
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.errorCode == "rate_limited")
            let retryAfter = try #require(blocked.headers.first(name: .retryAfter).flatMap(Int.init))
            #expect(retryAfter > 700 && retryAfter <= 900)
            // another account is not affected
            _ = try await Org.signUp(app, email: "other@example.com")
            #expect(try await org.api.post("/api/v1/auth/login", ["email": "other@example.com", "password": "correct horse battery"]).status == .ok)
            clock.advance(Double(retryAfter))
            #expect(try await org.api.post("/api/v1/auth/login", ["email": "rate@example.com", "password": "correct horse battery"]).status == .ok)
        }
    }

    @Test("profile edits and password change", arguments: TestDatabase.available)
    func profileAndPassword(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app, email: "pat@example.com")
            let updated = try await org.owner.patch("/api/v1/me", ["name": "Pat Doe", "time_zone": "Europe/Berlin"])
            #expect(updated.status == .ok)
            #expect(updated.json["time_zone"].string == "Europe/Berlin")
            let badZone = try await org.owner.patch("/api/v1/me", ["time_zone": "Mars/Olympus"])
            #expect(badZone.status == .unprocessableEntity)
            #expect(badZone.errorField == "time_zone")
            let title = try await org.owner.patch("\(org.base)/members/\(org.ownerID)", ["title": "Head of Ops"])
            #expect(title.json["title"].string == "Head of Ops")

            // a second browser session is signed out by the change; the current one keeps working
            let other = try await org.api.post("/api/v1/auth/login", ["email": "pat@example.com", "password": "correct horse battery"])
            let otherSession = org.api.authed(other.json["token"].string)
            let wrongCurrent = try await org.owner.post("/api/v1/me/password", ["current_password": "nope nope nope", "new_password": "brand new password"])
            #expect(wrongCurrent.errorField == "current_password")
            let weak = try await org.owner.post("/api/v1/me/password", ["current_password": "correct horse battery", "new_password": "short"])
            #expect(weak.errorField == "new_password")
            let changed = try await org.owner.post("/api/v1/me/password", ["current_password": "correct horse battery", "new_password": "brand new password"])
            #expect(changed.status == .noContent)
            #expect(try await org.owner.get("/api/v1/me").status == .ok)
            #expect(try await otherSession.get("/api/v1/me").status == .unauthorized)
            #expect(try await org.api.post("/api/v1/auth/login", ["email": "pat@example.com", "password": "brand new password"]).status == .ok)
            let kinds = try await org.eventKinds()
            #expect(kinds.contains("user.profile_updated"))
            #expect(kinds.contains("user.password_changed"))
            #expect(kinds.contains("member.title_changed"))
        }
    }

    @Test("personal API tokens are shown once, work, and stop working when revoked", arguments: TestDatabase.available)
    func tokens(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let created = try await org.owner.post("/api/v1/me/tokens", ["name": "CI"])
            #expect(created.status == .created)
            let secret = try #require(created.json["token"].string)
            let id = try #require(created.json["id"].string)
            let list = try await org.owner.get("/api/v1/me/tokens")
            #expect(list.json["data"].array.count == 1)
            #expect(list.json["data"][0]["token"].isNull)
            let stored = try await AuthToken.query(on: app.db).filter(\.$name == "CI").first()
            #expect(stored?.tokenHash == Secret.hash(secret))
            #expect(stored?.tokenHash != secret)

            #expect(try await org.api.authed(secret).get("/api/v1/me").status == .ok)
            #expect(try await org.owner.post("/api/v1/me/tokens", ["name": ""]).errorField == "name")
            #expect(try await org.owner.delete("/api/v1/me/tokens/\(id)").status == .noContent)
            #expect(try await org.api.authed(secret).get("/api/v1/me").status == .unauthorized)
            #expect(try await org.owner.delete("/api/v1/me/tokens/\(id)").status == .notFound)
            let kinds = try await org.eventKinds()
            #expect(kinds.contains("token.created") && kinds.contains("token.revoked"))
        }
    }

    @Test("a person can belong to several workspaces and switch between them", arguments: TestDatabase.available)
    func severalWorkspaces(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let first = try await Org.signUp(app, workspace: "First")
            let created = try await first.owner.post("/api/v1/workspaces", ["name": "Second"])
            #expect(created.status == .created)
            let secondID = try #require(created.json["id"].uuid)
            // someone else's workspace invites the same person, who joins while signed in
            let other = try await Org.signUp(app, workspace: "Third")
            let me = try await first.owner.get("/api/v1/me")
            let email = try #require(me.json["user"]["email"].string)
            let invite = try await other.owner.post("\(other.base)/invitations", ["email": email, "role": "admin"])
            let secret = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
            let anonymous = try await first.api.post("/api/v1/invitations/\(secret)/accept", ["password": "correct horse battery"])
            #expect(anonymous.errorCode == "sign_in_required")
            let joined = try await first.owner.post("/api/v1/invitations/\(secret)/accept", [:])
            #expect(joined.status == .created, "\(joined.body)")

            let names = try await first.owner.get("/api/v1/me").json["workspaces"].array.compactMap { $0["name"].string }
            #expect(names == ["First", "Second", "Third"])
            #expect(try await first.owner.get("/api/v1/workspaces/\(secondID)/members").status == .ok)
            #expect(try await first.owner.get("\(other.base)/members").status == .ok)
        }
    }
}
