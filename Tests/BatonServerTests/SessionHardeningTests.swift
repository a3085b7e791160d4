import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import BatonServer

/// Issue 11, items 4–6: live sockets end with their credential, response headers and cookies,
/// secrets at rest, who may read /metrics.
@Suite("Session hardening")
struct SessionHardeningTests {
    @Test("signing out, revoking a token and changing the password close the sockets opened with them",
          arguments: TestDatabase.available)
    func socketsEndWithTheirCredential(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                // setup: three browser sessions and a personal token, each with a socket
                let org = try await Org.signUp(app, email: "sock@example.com")
                func session() async throws -> String {
                    try #require(try await org.api.post("/api/v1/auth/login", ["email": "sock@example.com", "password": "correct horse battery"])
                        .json["token"].string)
                }
                let (first, second, third) = (try await session(), try await session(), try await session())
                let personal = try await org.owner.post("/api/v1/me/tokens", ["name": "Script"])
                let personalSecret = try #require(personal.json["token"].string)
                let personalID = try #require(personal.json["id"].string)
                let sockets = [first, second, third, personalSecret].map { token in { try await LiveClient.connect(port: port, token: token) } }
                var clients: [LiveClient] = []
                for connect in sockets { clients.append(try await connect()) }
                let (firstSocket, secondSocket, thirdSocket, personalSocket) = (clients[0], clients[1], clients[2], clients[3])

                // act + check: signing out ends only that session's socket
                #expect(try await org.api.authed(first).post("/api/v1/auth/logout").status == .noContent)
                try await eventually { firstSocket.isClosed }
                #expect(!secondSocket.isClosed && !thirdSocket.isClosed && !personalSocket.isClosed)

                // revoking the personal token ends its socket
                #expect(try await org.owner.delete("/api/v1/me/tokens/\(personalID)").status == .noContent)
                try await eventually { personalSocket.isClosed }
                #expect(!secondSocket.isClosed && !thirdSocket.isClosed)

                // changing the password from the second session ends the third's socket, not its own
                let change = try await org.api.authed(second).post("/api/v1/me/password",
                                                                    ["current_password": "correct horse battery", "new_password": "a whole new password"])
                #expect(change.status == .noContent)
                try await eventually { thirdSocket.isClosed }
                #expect(!secondSocket.isClosed)
                await secondSocket.close()
            }
        }
    }

    @Test("every response carries the security headers; the policy allows no inline script or style")
    func securityHeaders() async throws {
        try await withBaton(.sqlite) { app in
            // setup
            let org = try await Org.signUp(app)
            let api = APIClient(app: app)
            // act
            let replies = [try await api.get("/login"), try await api.get("/api/v1/me"), try await org.owner.get("/api/v1/me"),
                           try await api.get("/baton.css"), try await api.get("/no-such-page")]
            // check
            for reply in replies {
                let policy = try #require(reply.headers.first(name: "Content-Security-Policy"), "\(reply.status)")
                #expect(policy.contains("script-src 'self'"))
                #expect(policy.contains("frame-ancestors 'none'"))
                #expect(!policy.contains("unsafe-inline"))
                #expect(reply.headers.first(name: "X-Content-Type-Options") == "nosniff")
                #expect(reply.headers.first(name: "Referrer-Policy") == "same-origin")
            }
            // no page template writes an inline script, handler or style for the policy to break
            let views = try FileManager.default.subpathsOfDirectory(atPath: app.directory.viewsDirectory)
            for view in views where view.hasSuffix(".leaf") {
                let text = try String(contentsOfFile: app.directory.viewsDirectory + view, encoding: .utf8)
                #expect(!text.contains("style=\""), "\(view)")
                #expect(!text.contains("<script>") && !text.contains(" onclick=") && !text.contains(" onsubmit="), "\(view)")
            }
        }
    }

    @Test("cookies are Secure behind https, and the CSRF token is never read from the URL")
    func cookiesAndCSRF() async throws {
        try await withBaton(.sqlite, config: { $0.publicURL = "https://baton.example.com" }) { app in
            // setup
            let browser = PagesTests.Browser(app: app)
            let form = try await browser.get("/signup")
            // check: the CSRF cookie, the session cookie and the flash cookie are all Secure
            #expect(form.headers.setCookie?[CSRF.cookie]?.isSecure == true)
            let signup = try await browser.post("/signup", ["name": "Sec", "email": "sec@example.com", "password": "a long password",
                                                            "workspace_name": "Sec"])
            #expect(signup.status == .seeOther)
            let cookies = try #require(signup.headers.setCookie)
            #expect(cookies[SessionCookie.name]?.isSecure == true)
            #expect(cookies[PageRenderer.flashCookie]?.isSecure == true)
            #expect(signup.headers.first(name: "Strict-Transport-Security") != nil)
            // a token in the query string is not accepted
            let token = try #require(browser.cookies[CSRF.cookie])
            let viaQuery = try await browser.post("/workspaces?_csrf=\(token)", ["name": "Second"], csrf: false)
            #expect(viaQuery.status == .forbidden)
            #expect(try await Workspace.query(on: app.db).count() == 1)
        }
    }

    @Test("an invitation link is in plain text only until it is needed no more", arguments: TestDatabase.available)
    func invitationSecretsAtRest(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let org = try await Org.signUp(app)
            let invite = try await org.owner.post("\(org.base)/invitations", ["email": "new@example.com"])
            let link = try #require(invite.json["accept_url"].string)
            let secret = try #require(link.split(separator: "/").last.map(String.init))
            let sql = app.db as! any SQLDatabase
            func rowsHolding(_ text: String) async throws -> Int {
                let jobs = try await sql.raw("SELECT id FROM jobs WHERE payload LIKE \(bind: "%" + text + "%")").all().count
                let outbox = try await sql.raw("""
                    SELECT id FROM outbox_emails WHERE body LIKE \(bind: "%" + text + "%") OR secret_link LIKE \(bind: "%" + text + "%")
                    """).all().count
                return jobs + outbox
            }
            #expect(try await rowsHolding(secret) == 1)   // the queued job, before it ran
            // act 1: the email job runs
            #expect(try await app.jobs.runDue(app: app) == 1)
            // check 1: the job row forgot it; the outbox holds it in its own column, not in the body
            let jobPayload = try await sql.raw("SELECT payload FROM jobs WHERE kind = 'invitation.email'").first()?
                .decode(column: "payload", as: String.self)
            #expect(jobPayload?.contains(secret) == false)
            let email = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(!email.body.contains(secret))
            #expect(email.secretLink == link)
            #expect(email.composedBody.contains(link))
            // act 2: the invitation is accepted
            #expect(try await APIClient(app: app).post("/api/v1/invitations/\(secret)/accept",
                                                     ["name": "New", "password": "another good password"]).status == .created)
            // check 2: nothing keeps the secret any more
            #expect(try await rowsHolding(secret) == 0)

            // a sent message loses its link too
            let second = try await org.owner.post("\(org.base)/invitations", ["email": "later@example.com"])
            let secondSecret = try #require(second.json["accept_url"].string?.split(separator: "/").last.map(String.init))
            while try await app.jobs.runDue(app: app) > 0 {}
            let queued = try #require(try await OutboxEmail.query(on: app.db).filter(\.$toAddress == "later@example.com").first())
            try await app.store.write { ctx in try await OutboxEmail.markSent(try queued.requireID(), ctx: ctx) }
            #expect(try await rowsHolding(secondSecret) == 0)
        }
    }

    @Test("/metrics answers loopback clients and holders of the metrics token, nobody else")
    func metricsAccess() async throws {
        let token = "metrics-token-0123456789"
        try await withBaton(.sqlite, config: { $0.metricsToken = token }) { app in
            // an in-memory request has no loopback peer: like a client from elsewhere
            let anonymous = try await APIClient(app: app).get("/metrics")
            #expect(anonymous.status == .notFound)
            #expect(try await APIClient(app: app).authed("wrong-token-0123456789").get("/metrics").status == .notFound)
            let withToken = try await APIClient(app: app).authed(token).get("/metrics")
            #expect(withToken.status == .ok)
            #expect(withToken.body.contains("baton_http_requests_total"))
            try await withRunningServer(app) { port in
                let local = try await app.client.get("http://127.0.0.1:\(port)/metrics")
                #expect(local.status == .ok)
            }
        }
    }
}
