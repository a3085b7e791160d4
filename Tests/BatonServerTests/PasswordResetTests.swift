import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// "Forgot password": the same answer for any address, a single-use link valid for an hour,
/// every browser signed out after, and requests counted so nobody can mail-bomb an address.
@Suite("Password reset")
struct PasswordResetTests {
    static func link(_ app: Application, to email: String) async throws -> [String] {
        try await OutboxEmail.query(on: app.db).filter(\.$toAddress == email).sort(\.$createdAt).all()
            .filter { $0.subject == "Reset your Baton password" }.compactMap(\.secretLink)
    }

    @Test("the answer is the same whether or not the address has an account; the link works once and signs everyone out",
          arguments: TestDatabase.available)
    func reset(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let email = "olive-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            let org = try await Org.signUp(app, email: email)
            let api = APIClient(app: app)
            // act: a known and an unknown address
            let known = try await api.post("/api/v1/auth/password-reset", ["email": email.uppercased()])
            let unknown = try await api.post("/api/v1/auth/password-reset", ["email": "nobody@example.com"])
            // check: the same 202 and words; one email, to the account's address, with the link
            #expect(known.status == .accepted && unknown.status == .accepted)
            #expect(known.body == unknown.body)
            #expect(try await OutboxEmail.query(on: app.db).filter(\.$toAddress == "nobody@example.com").count() == 0)
            let links = try await Self.link(app, to: email)
            let link = try #require(links.first)
            #expect(links.count == 1 && link.hasPrefix("http://baton.test/reset-password/"))
            let secret = String(link.split(separator: "/").last!)
            // the database holds only the hash
            #expect(try await PasswordResetLink.query(on: app.db).filter(\.$secretHash == secret).count() == 0)
            // a weak password is refused and the link still works
            let weak = try await api.post("/api/v1/auth/password-reset/\(secret)", ["password": "short"])
            #expect(weak.status == .unprocessableEntity && weak.errorField == "password")
            let done = try await api.post("/api/v1/auth/password-reset/\(secret)", ["password": "a brand new passphrase"])
            #expect(done.status == .ok, "\(done.body)")
            // the old session is signed out; the new password signs in, the old one does not
            #expect(try await org.owner.get("/api/v1/me").status == .unauthorized)
            #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": "a brand new passphrase"]).status == .ok)
            #expect(try await api.post("/api/v1/auth/login", ["email": email, "password": "correct horse battery"]).status == .unauthorized)
            // the link is spent, and gone from the outbox
            #expect(try await api.post("/api/v1/auth/password-reset/\(secret)", ["password": "yet another passphrase"]).status == .notFound)
            #expect(try await Self.link(app, to: email).isEmpty)
            #expect(try await api.post("/api/v1/auth/password-reset/made-up", ["password": "yet another passphrase"]).status == .notFound)
            let kinds = try await EventRecord.query(on: app.db).filter(\.$subjectID == org.ownerID).all().map(\.kind)
            #expect(kinds.contains("user.password_reset_requested") && kinds.contains("user.password_reset_by_link"))
        }
    }

    @Test("a link is dead after an hour; a fourth request within the hour sends nothing, known address or not",
          arguments: TestDatabase.available)
    func expiryAndThrottle(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let email = "tom-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            _ = try await Org.signUp(app, email: email)
            let api = APIClient(app: app)
            #expect(try await api.post("/api/v1/auth/password-reset", ["email": email]).status == .accepted)
            let secret = String(try #require(try await Self.link(app, to: email).first).split(separator: "/").last!)
            clock.advance(3601)
            #expect(try await api.post("/api/v1/auth/password-reset/\(secret)", ["password": "a brand new passphrase"]).status == .notFound)
            // three more within the hour are sent, the next is not (and still answers 202)
            for _ in 0..<4 { #expect(try await api.post("/api/v1/auth/password-reset", ["email": email]).status == .accepted) }
            #expect(try await OutboxEmail.query(on: app.db).filter(\.$toAddress == email).filter(\.$subject == "Reset your Baton password").count() == 4)
            // a bad address is a 422 naming the field
            let bad = try await api.post("/api/v1/auth/password-reset", ["email": "not an email"])
            #expect(bad.status == .unprocessableEntity && bad.errorField == "email")
        }
    }

    @Test("changing the password ends the links still open", arguments: TestDatabase.available)
    func changeRetiresLinks(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let email = "lena-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            let org = try await Org.signUp(app, email: email)
            let api = APIClient(app: app)
            #expect(try await api.post("/api/v1/auth/password-reset", ["email": email]).status == .accepted)
            let secret = String(try #require(try await Self.link(app, to: email).first).split(separator: "/").last!)
            let changed = try await org.owner.post("/api/v1/me/password", ["current_password": "correct horse battery",
                                                                            "new_password": "a changed passphrase"])
            #expect(changed.status == .noContent || changed.status == .ok, "\(changed.body)")
            #expect(try await api.post("/api/v1/auth/password-reset/\(secret)", ["password": "a brand new passphrase"]).status == .notFound)
            #expect(try await Self.link(app, to: email).isEmpty)
        }
    }

    @Test("the pages: ask for a link, choose a new password, land on sign-in", arguments: [TestDatabase.sqlite])
    func pages(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let email = "ana-\(UUID().uuidString.prefix(6).lowercased())@example.com"
            _ = try await Org.signUp(app, email: email)
            let browser = PagesTests.Browser(app: app)
            let login = try await browser.get("/login")
            #expect(login.body.contains("Forgot your password?"))
            #expect(try await browser.get("/forgot-password").status == .ok)
            let sent = try await browser.post("/forgot-password", ["email": email])
            #expect(sent.status == .ok && sent.body.contains("Check your email"))
            let secret = String(try #require(try await Self.link(app, to: email).first).split(separator: "/").last!)
            let gone = try await browser.get("/reset-password/nothing-like-it")
            #expect(gone.status == .notFound && gone.body.contains("Send a new link"))
            let form = try await browser.get("/reset-password/\(secret)")
            #expect(form.status == .ok && form.headers.first(name: "Referrer-Policy") == "same-origin")
            let weak = try await browser.post("/reset-password/\(secret)", ["password": "short"])
            #expect(weak.status == .unprocessableEntity && weak.body.contains("at least 10 characters"))
            let done = try await browser.post("/reset-password/\(secret)", ["password": "a brand new passphrase"])
            #expect(done.status == .seeOther && done.headers.first(name: .location) == "/login")
        }
    }
}
