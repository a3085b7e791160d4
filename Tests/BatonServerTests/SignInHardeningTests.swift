import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Issue 11, items 1–3: invitations, the login throttle, redirects after sign-in.
@Suite("Sign-in hardening")
struct SignInHardeningTests {
    static func secret(of invite: Reply) throws -> String {
        try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
    }

    @Test("an invitation for an existing account never checks its password; it is accepted signed in",
          arguments: TestDatabase.available)
    func invitationTakesNoPassword(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: the victim has an account; someone else invites the victim's email
            let victim = try await Org.signUp(app, email: "victim@example.com", workspace: "Victim's")
            let attacker = try await Org.signUp(app, email: "attacker@example.com", workspace: "Bait")
            let invite = try await attacker.owner.post("\(attacker.base)/invitations", ["email": "victim@example.com"])
            let secret = try Self.secret(of: invite)
            // act: guessing through the invitation, with a wrong and with the right password
            let preview = try await attacker.api.get("/api/v1/invitations/\(secret)")
            let wrong = try await attacker.api.post("/api/v1/invitations/\(secret)/accept", ["password": "not the password"])
            let right = try await attacker.api.post("/api/v1/invitations/\(secret)/accept", ["password": "correct horse battery"])
            // check: the same refusal either way, no session, nothing joined
            #expect(preview.status == .ok)
            #expect(preview.json["has_account"].isNull)
            for reply in [wrong, right] {
                #expect(reply.status == .conflict, "\(reply.body)")
                #expect(reply.errorCode == "sign_in_required")
                #expect(reply.json["token"].isNull)
            }
            #expect(wrong.json.description == right.json.description)
            #expect(try await LoginFailure.query(on: app.db).count() == 0)
            let members = try await attacker.owner.get("\(attacker.base)/members")
            #expect(members.json["data"].array.count == 1)

            // someone signed in as another account cannot accept it either
            let other = try await attacker.owner.post("/api/v1/invitations/\(secret)/accept", [:])
            #expect(other.errorCode == "sign_in_required")

            // the victim, signed in, joins with one call and keeps their session
            let joined = try await victim.owner.post("/api/v1/invitations/\(secret)/accept", [:])
            #expect(joined.status == .created, "\(joined.body)")
            #expect(joined.json["token"].isNull)
            #expect(joined.json["workspace_id"].uuid == attacker.workspaceID)
            #expect(try await victim.owner.get("\(attacker.base)/members").status == .ok)
        }
    }

    @Test("the invitation page looks the same whether or not the email has an account", arguments: TestDatabase.available)
    func invitationPageRevealsNothing(db: TestDatabase) async throws {
        // a fixed clock: two invitations made a second apart across a minute would show different expiry times
        try await withBaton(db, clock: TestClock()) { app in
            // setup
            _ = try await Org.signUp(app, email: "known@example.com")
            let org = try await Org.signUp(app)
            let known = try Self.secret(of: try await org.owner.post("\(org.base)/invitations", ["email": "known@example.com"]))
            let unknown = try Self.secret(of: try await org.owner.post("\(org.base)/invitations", ["email": "nobody@example.com"]))
            // act
            let browser = PagesTests.Browser(app: app)
            let knownPage = try await browser.get("/invite/\(known)")
            let unknownPage = try await browser.get("/invite/\(unknown)")
            // check: once the email and the secret are taken out, the pages are identical
            func normalized(_ page: Reply, _ email: String, _ secret: String) -> String {
                page.body.replacingOccurrences(of: email, with: "EMAIL").replacingOccurrences(of: secret, with: "SECRET")
            }
            #expect(knownPage.status == .ok && unknownPage.status == .ok)
            #expect(normalized(knownPage, "known@example.com", known) == normalized(unknownPage, "nobody@example.com", unknown))
            #expect(knownPage.body.contains("Sign in to accept"))
            #expect(!knownPage.body.contains("Enter its password"))

            // the form refuses an existing email with the same words signup uses, and offers sign-in
            let tried = try await browser.post("/invite/\(known)", ["name": "Known", "password": "correct horse battery"])
            #expect(tried.status == .conflict)
            #expect(tried.body.contains("Sign in as known@example.com to accept"))
            #expect(browser.cookies[SessionCookie.name] == nil)

            // signed in as the invitee, the page offers one button and joins
            let login = try await browser.post("/login", ["email": "known@example.com", "password": "correct horse battery",
                                                          "next": "/invite/\(known)"])
            #expect(login.headers.first(name: .location) == "/invite/\(known)")
            let signedIn = try await browser.get("/invite/\(known)")
            #expect(signedIn.body.contains("You are signed in as known@example.com"))
            #expect(!signedIn.body.contains("name=\"password\""))
            let joined = try await browser.post("/invite/\(known)", [:])
            #expect(joined.status == .seeOther, "\(joined.body)")
        }
    }

    @Test("thirty parallel wrong guesses: ten are checked, twenty are refused unchecked", arguments: TestDatabase.available)
    func throttleHoldsUnderConcurrency(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true) { app in
            // setup
            let org = try await Org.signUp(app, email: "busy@example.com")
            // act
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<30 {
                    group.addTask {
                        try await org.api.post("/api/v1/auth/login", ["email": "busy@example.com", "password": "guess number \(index)"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // check
            #expect(statuses.filter { $0 == .unauthorized }.count == 10, "\(statuses)")
            #expect(statuses.filter { $0 == .tooManyRequests }.count == 20, "\(statuses)")
            #expect(try await LoginFailure.query(on: app.db).count() == 10)
        }
    }

    /// A client behind the test's trusted proxy (the loopback peer), at a chosen address.
    static func login(_ app: Application, port: Int, email: String, password: String, from address: String) async throws -> HTTPStatus {
        let response = try await app.client.post("http://127.0.0.1:\(port)/api/v1/auth/login") { request in
            request.headers.replaceOrAdd(name: .xForwardedFor, value: "203.0.113.250, \(address)")
            try request.content.encode(["email": email, "password": password], as: .json)
        }
        return response.status
    }

    @Test("the throttle counts by account and address: the owner signs in while others hammer the account",
          arguments: TestDatabase.available)
    func throttleByAddress(db: TestDatabase) async throws {
        try await withBaton(db, config: { $0.trustedProxies = ["127.0.0.1"] }) { app in
            try await withRunningServer(app) { port in
                // setup: the owner has signed in from home before
                _ = try await Org.signUp(app, email: "owner@example.com")
                let good = "correct horse battery"
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "198.51.100.7") == .ok)
                // act 1: one address guesses until it is blocked
                for _ in 0..<10 {
                    #expect(try await Self.login(app, port: port, email: "owner@example.com", password: "wrong guess!", from: "192.0.2.66") == .unauthorized)
                }
                // check 1: that address is blocked, even with the right password; the owner is not
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "192.0.2.66") == .tooManyRequests)
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "198.51.100.8") == .ok)

                // act 2: many addresses together reach the account's ceiling (100 in the window)
                for host in 1...9 {
                    for _ in 0..<10 {
                        _ = try await Self.login(app, port: port, email: "owner@example.com", password: "wrong guess!", from: "192.0.2.\(host)")
                    }
                }
                _ = try await Self.login(app, port: port, email: "owner@example.com", password: "wrong guess!", from: "192.0.2.100")
                // check 2: a new address is refused; the addresses the owner signed in from still work
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "192.0.2.200") == .tooManyRequests)
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "198.51.100.7") == .ok)

                // act 3: one address sprays fifty unknown emails
                for index in 0..<50 {
                    #expect(try await Self.login(app, port: port, email: "nobody\(index)@example.com", password: "whatever it is",
                                                 from: "192.0.2.150") == .unauthorized)
                }
                // check 3: then it is blocked for every account, known or not
                #expect(try await Self.login(app, port: port, email: "nobody99@example.com", password: "whatever it is",
                                             from: "192.0.2.150") == .tooManyRequests)
                #expect(try await Self.login(app, port: port, email: "owner@example.com", password: good, from: "192.0.2.150") == .tooManyRequests)
                // an X-Forwarded-For from a client that is not a trusted proxy is ignored (peer address used)
                let sprayRows = try await LoginFailure.query(on: app.db).filter(\.$address == "192.0.2.150").count()
                #expect(sprayRows == 50)
            }
        }
    }

    @Test("an unknown email costs a password hash like a known one", arguments: [TestDatabase.sqlite])
    func unknownEmailTiming(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true, config: { $0.bcryptCost = 10 }) { app in
            // setup
            let org = try await Org.signUp(app, email: "real@example.com")
            func time(_ email: String, _ attempt: Int) async throws -> Double {
                let start = ContinuousClock.now
                _ = try await org.api.post("/api/v1/auth/login", ["email": email, "password": "wrong password \(attempt)"])
                let elapsed = ContinuousClock.now - start
                return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            // act: interleaved, so that whatever else the machine does weighs on both alike
            var known: [Double] = [], unknown: [Double] = []
            for attempt in 0..<8 {
                known.append(try await time("real@example.com", attempt))
                unknown.append(try await time("ghost\(attempt)@example.com", attempt))
            }
            // check: both pay for bcrypt at cost 10 (tens of milliseconds); the medians are alike
            let (knownMedian, unknownMedian) = (known.sorted()[4], unknown.sorted()[4])
            #expect(unknownMedian > knownMedian / 3 && unknownMedian < knownMedian * 3, "known \(known), unknown \(unknown)")
            #expect(unknownMedian > 0.02)
        }
    }

    @Test("the current password of a password change goes through the same throttle", arguments: TestDatabase.available)
    func passwordChangeThrottled(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app, email: "pw@example.com")
            for _ in 0..<10 {
                let reply = try await org.owner.post("/api/v1/me/password", ["current_password": "guess guess guess", "new_password": "brand new password"])
                #expect(reply.errorField == "current_password")
            }
            let blocked = try await org.owner.post("/api/v1/me/password", ["current_password": "correct horse battery", "new_password": "brand new password"])
            #expect(blocked.status == .tooManyRequests)
            #expect(blocked.headers.first(name: .retryAfter) != nil)
        }
    }

    @Test("after sign-in only a same-origin path is followed, checked after decoding",
          arguments: ["/%09/evil.com", "//evil.com", "/%2F%2Fevil.com", "/\\evil.com", "https://evil.com", "/%5C%5Cevil.com"])
    func openRedirect(next: String) async throws {
        try await withBaton(.sqlite) { app in
            // setup
            _ = try await Org.signUp(app, email: "nav@example.com")
            let browser = PagesTests.Browser(app: app)
            _ = try await browser.get("/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            // act: the form posts `next` as the browser decoded it (Browser percent-encodes every value)
            let decodedOnce = next.removingPercentEncoding ?? next
            let reply = try await browser.post("/login", ["email": "nav@example.com", "password": "correct horse battery", "next": decodedOnce])
            // check
            #expect(reply.status == .seeOther)
            #expect(reply.headers.first(name: .location) == "/")
            // the login page does not echo the foreign target into its form either
            let page = try await PagesTests.Browser(app: app).get("/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
            #expect(page.body.contains("name=\"next\" value=\"/\""))
        }
    }
}
