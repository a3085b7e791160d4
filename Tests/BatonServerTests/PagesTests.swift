import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Web pages")
struct PagesTests {
    /// A browser-like client: keeps cookies, sends forms.
    final class Browser: @unchecked Sendable {
        let app: Application
        var cookies: [String: String] = [:]
        init(app: Application) { self.app = app }

        func get(_ path: String, headers extra: [String: String] = [:]) async throws -> Reply { try await send(.GET, path, form: nil, extra: extra) }

        func post(_ path: String, _ form: [String: String], csrf: Bool = true) async throws -> Reply {
            var fields = form
            if csrf { fields[CSRF.field] = cookies[CSRF.cookie] }
            return try await send(.POST, path, form: fields)
        }

        private func send(_ method: HTTPMethod, _ path: String, form: [String: String]?, extra: [String: String] = [:]) async throws -> Reply {
            var headers = HTTPHeaders()
            for (name, value) in extra { headers.add(name: name, value: value) }
            if !cookies.isEmpty { headers.add(name: .cookie, value: cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")) }
            var body: ByteBuffer?
            if let form {
                headers.contentType = .urlEncodedForm
                let encoded = form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }
                body = ByteBuffer(string: encoded.joined(separator: "&"))
            }
            let response = try await app.testing().sendRequest(method, path, headers: headers, body: body)
            for (name, value) in response.headers.setCookie?.all ?? [:] {
                if value.expires.map({ $0 < Date() }) == true || value.maxAge == 0 { cookies[name] = nil } else { cookies[name] = value.string }
            }
            return Reply(status: response.status, headers: response.headers, body: response.body.string)
        }
    }

    @Test("sign up through the form, land on the people page, see the layout", arguments: TestDatabase.available)
    func signupFlow(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let browser = Browser(app: app)
            let form = try await browser.get("/signup")
            #expect(form.status == .ok)
            #expect(browser.cookies[CSRF.cookie] != nil)
            #expect(form.body.contains("name=\"_csrf\" value=\"\(browser.cookies[CSRF.cookie]!)\""))

            let bad = try await browser.post("/signup", ["name": "Kim", "email": "kim@example.com", "password": "short", "workspace_name": "K"])
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.body.contains("id=\"password-error\""))
            #expect(bad.body.contains("value=\"kim@example.com\""))
            #expect(try await User.query(on: app.db).count() == 0)

            let done = try await browser.post("/signup", ["name": "Kim Lee", "email": "kim@example.com", "password": "a long password", "workspace_name": "Kimco"])
            #expect(done.status == .seeOther)
            let location = try #require(done.headers.first(name: .location))
            #expect(location.hasSuffix("/people"))
            #expect(browser.cookies[SessionCookie.name] != nil)
            let cookie = try #require(done.headers.setCookie?[SessionCookie.name])
            #expect(cookie.isHTTPOnly)
            #expect(cookie.sameSite == .lax)
            #expect(cookie.path == "/")
            let people = try await browser.get(location)
            #expect(people.status == .ok)
            #expect(people.body.contains("Welcome to Baton"))
            #expect(people.body.contains("Kim Lee"))
            #expect(people.body.contains("data-workspace-id="))
            // the notice shows once
            #expect(!(try await browser.get(location)).body.contains("Welcome to Baton"))
        }
    }

    @Test("the workspace switcher lists every workspace and remembers the current one", arguments: TestDatabase.available)
    func switcher(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let browser = Browser(app: app)
            _ = try await browser.get("/signup")
            let first = try await browser.post("/signup", ["name": "Sol", "email": "sol@example.com", "password": "a long password", "workspace_name": "Alpha"])
            let alpha = try #require(first.headers.first(name: .location))
            let created = try await browser.post("/workspaces", ["name": "Beta"])
            let beta = try #require(created.headers.first(name: .location))
            #expect(beta != alpha)
            let page = try await browser.get(beta)
            #expect(page.body.contains(">Alpha</a>") && page.body.contains(">Beta</a>"))
            #expect(page.body.contains("<summary aria-label=\"Switch workspace\">Beta</summary>"))
            // the home page goes back to the workspace used last, to the owner's own work there
            func landing(_ people: String) -> String { String(people.dropLast("people".count)) + "my-work" }
            let home = try await browser.get("/")
            #expect(home.headers.first(name: .location) == landing(beta))
            _ = try await browser.get(alpha)
            #expect(try await browser.get("/").headers.first(name: .location) == landing(alpha))
        }
    }

    @Test("the stylesheet and script are served from Public; nothing under /api is a file")
    func staticFiles() async throws {
        try await withBaton(.sqlite) { app in
            let browser = Browser(app: app)
            let css = try await browser.get("/baton.css")
            #expect(css.status == .ok)
            #expect(css.headers.contentType?.subType == "css")
            #expect(try await browser.get("/baton.js").status == .ok)
            #expect(try await browser.get("/missing.css").status == .notFound)
            #expect(try await browser.get("/api/v1/baton.css").status == .notFound)
        }
    }

    @Test("a form post without the CSRF token is refused", arguments: TestDatabase.available)
    func csrf(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let browser = Browser(app: app)
            _ = try await browser.get("/login")
            let forged = try await browser.post("/signup", ["name": "Eve", "email": "eve@example.com", "password": "a long password", "workspace_name": "E"], csrf: false)
            #expect(forged.status == .forbidden)
            #expect(forged.body.contains("This form has expired"))
            #expect(try await User.query(on: app.db).count() == 0)

            // a signed-in browser may not write through the API without the token either
            _ = try await browser.post("/signup", ["name": "Eve", "email": "eve@example.com", "password": "a long password", "workspace_name": "E"])
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "\(SessionCookie.name)=\(browser.cookies[SessionCookie.name]!)")
            headers.contentType = .json
            let viaCookie = try await app.testing().sendRequest(.POST, "/api/v1/me/tokens", headers: headers, body: ByteBuffer(string: #"{"name":"x"}"#))
            #expect(viaCookie.status == .forbidden)
            let read = try await app.testing().sendRequest(.GET, "/api/v1/me", headers: headers)
            #expect(read.status == .ok)
        }
    }

    @Test("pages need a session, and another workspace's pages are 404", arguments: TestDatabase.available)
    func access(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let stranger = try await Org.signUp(app)
            let browser = Browser(app: app)
            let anonymous = try await browser.get("/w/\(stranger.workspaceID)/people")
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers.first(name: .location)?.hasPrefix("/login?next=") == true)
            _ = try await browser.get("/signup")
            _ = try await browser.post("/signup", ["name": "Nat", "email": "nat@example.com", "password": "a long password", "workspace_name": "N"])
            let other = try await browser.get("/w/\(stranger.workspaceID)/people")
            #expect(other.status == .notFound)
            #expect(other.body.contains("404"))
            #expect(try await browser.get("/w/\(stranger.workspaceID)/activity").status == .notFound)
            #expect(try await browser.post("/w/\(stranger.workspaceID)/teams", ["name": "Sneaky"]).status == .notFound)
            #expect(try await Team.query(on: app.db).count() == 0)
        }
    }

    @Test("invite, then the activity page and its live fragment show it", arguments: TestDatabase.available)
    func inviteAndActivity(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let browser = Browser(app: app)
            _ = try await browser.get("/signup")
            let signup = try await browser.post("/signup", ["name": "Ola", "email": "ola@example.com", "password": "a long password", "workspace_name": "O"])
            let people = try #require(signup.headers.first(name: .location))
            let base = String(people.dropLast("/people".count))
            let duplicate = try await browser.post("\(base)/invitations", ["email": "ola@example.com", "role": "member"])
            #expect(duplicate.status == .conflict)
            #expect(duplicate.body.contains("id=\"invite-email-error\""))
            let invited = try await browser.post("\(base)/invitations", ["email": "pia@example.com", "role": "member"])
            #expect(invited.status == .seeOther)
            let page = try await browser.get(people)
            #expect(page.body.contains("/invite/"))
            #expect(page.body.contains("pia@example.com"))
            let activity = try await browser.get("\(base)/activity")
            #expect(activity.body.contains("Ola invited pia@example.com as member"))
            let fragment = try await browser.get("\(base)/activity/items?after=2")
            #expect(fragment.body.contains("invited pia@example.com"))
            #expect(!fragment.body.contains("created the workspace"))
            // filtered by kind and person; each entry links to its subject where it has a page
            let project = try await browser.post("\(base)/projects", ["name": "Launch"])
            #expect(project.status == .seeOther)
            let work = try await browser.get("\(base)/activity?kind=project")
            #expect(work.body.contains("created the project Launch") && !work.body.contains("invited pia@example.com"))
            #expect(work.body.contains("<a href=\"\(base)/projects/"))
            let ola = try #require(try await User.query(on: app.db).filter(\.$email == "ola@example.com").first()?.id)
            #expect(try await browser.get("\(base)/activity?person=\(ola)").body.contains("invited pia@example.com"))
            #expect(!(try await browser.get("\(base)/activity?person=\(UUID())").body.contains("invited pia@example.com")))
            #expect(try await browser.get("\(base)/activity?kind=%25").status == .unprocessableEntity)
        }
    }

    @Test("people land on their own work; a lead with reports on the dashboard", arguments: TestDatabase.available)
    func landing(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let org = try await Org.signUp(app)
            let (memberID, member) = try await org.addMember("Ann")
            let lead = Browser(app: app)
            lead.cookies[SessionCookie.name] = org.token
            let report = Browser(app: app)
            report.cookies[SessionCookie.name] = member.token
            let workspace = "/w/\(org.workspaceID)"
            // act + check: nobody reports to the owner yet
            #expect(try await lead.get("/").headers.first(name: .location) == "\(workspace)/my-work")
            #expect(try await lead.get(workspace).headers.first(name: .location) == "\(workspace)/my-work")
            // once Ann reports to them, the owner starts on the dashboard; Ann still on her work
            _ = try await org.owner.patch("\(org.base)/members/\(memberID)", ["manager_id": org.ownerID.uuidString])
            #expect(try await lead.get("/").headers.first(name: .location) == "\(workspace)/dashboard")
            #expect(try await report.get(workspace).headers.first(name: .location) == "\(workspace)/my-work")
        }
    }
}
