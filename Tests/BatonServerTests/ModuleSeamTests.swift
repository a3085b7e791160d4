import Fluent
import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Testing
import Vapor
@testable import BatonServer
import BatonCore

/// A module written the way a new one would be, installed beside Identity and Work: what it gets
/// from the seam without editing anything outside its own value.
@Suite("The module seam")
struct ModuleSeamTests {
    enum NoteEvent: String, EventKinds {
        case added = "note.added"
        case pinned = "note.pinned"

        var audience: EventAudience {
            switch self {
            case .added: .team
            case .pinned: .involved
            }
        }

        func sentence(_ line: EventLine) -> String {
            switch self {
            case .added: "\(line.who) added the note “\(line.data["text"] ?? "")”"
            case .pinned: "\(line.who) pinned a note"
            }
        }
    }

    struct CreateNotes: AsyncMigration {
        func prepare(on database: any Database) async throws {
            try await database.schema("notes").field("id", .uuid, .identifier(auto: false))
                .field("workspace_id", .uuid, .required).field("text", .string, .required).create()
        }
        func revert(on database: any Database) async throws { try await database.schema("notes").delete() }
    }

    struct NoteBody: Content { let text: String }

    static func addNote(_ req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let text = try req.content.decode(NoteBody.self).text
        let id = UUID()
        try await req.store.write { ctx in
            try await ctx.sql.insert(into: "notes").columns("id", "workspace_id", "text")
                .values(SQLBind(id), SQLBind(access.workspaceID), SQLBind(text)).run()
            ctx.record(NoteEvent.added, workspace: access.workspaceID, actor: access.userID,
                       subject: EventSubject(type: "note", id: id), data: ["text": text])
            try await ctx.enqueue(JobKind("note.index"), payload: ["id": id.uuidString])
        }
        return try await JSONResponse(["id": id.uuidString, "text": text]).encodeResponse(status: .created, for: req)
    }

    struct JSONResponse: Content {
        let fields: [String: String]
        init(_ fields: [String: String]) { self.fields = fields }
        func encode(to encoder: any Encoder) throws { try fields.encode(to: encoder) }
        init(from decoder: any Decoder) throws { fields = try [String: String](from: decoder) }
    }

    static let notesPage = PagePath("notes.list", "/w/:workspaceID/notes")

    static func notes(indexed: NIOLockedValueBox<[String]>) -> BatonModule {
        BatonModule(
            name: "notes",
            migrations: [CreateNotes()],
            events: [NoteEvent.self],
            jobs: [JobDefinition(kind: JobKind("note.index")) { job, _ in indexed.withLockedValue { $0.append(job.payload["id"] ?? "") } }],
            api: { api in api.workspace.post("notes", use: addNote) },
            pages: { pages in
                pages.workspace.get(notesPage.inWorkspace) { req in
                    Response(status: .ok, body: .init(string: "notes of \(try await req.workspaceAccess().workspaceName)"))
                }
                pages.workspace.post(notesPage.inWorkspace) { _ in Response(status: .seeOther, headers: ["Location": "/"]) }
                pages.workspace.delete(notesPage.inWorkspace) { _ in Response(status: .noContent) }
            },
            paths: [notesPage],
            navigation: [NavigationEntry(title: "Notes", path: notesPage, page: "notes", order: 60, shortcut: "n")],
            operations: [.init(method: "post", path: IdentityOpenAPI.ws + "/notes", summary: "Add a note", tag: "notes",
                               body: ("NoteRequest", ["text"]), success: (201, "Note"))],
            schemas: {
                ["NoteRequest": JSONSchema.request(["text": JSONSchema.string], required: ["text"]),
                 "Note": JSONSchema.object(["id": JSONSchema.uuid, "text": JSONSchema.string], required: ["id", "text"])]
            }
        )
    }

    @Test("a new module's routes, pages, events, jobs, navigation and document come from its one value", arguments: TestDatabase.available)
    func newModule(db: TestDatabase) async throws {
        let indexed = NIOLockedValueBox<[String]>([])
        try await withBaton(db, config: { $0.additionalModules = [Self.notes(indexed: indexed)] }) { app in
            // setup
            let a = try await Org.signUp(app, workspace: "A")
            let (_, member) = try await a.addMember("Ann")
            let (_, guest) = try await a.addMember("Gus", role: "guest")
            let outsider = try await Org.signUp(app, workspace: "B")
            let notes = "\(a.base)/notes"

            // API: signed in by default, tenancy on workspace routes, the request schema enforced
            #expect(try await a.api.post(notes, ["text": "x"]).status == .unauthorized)
            #expect(try await outsider.owner.post(notes, ["text": "x"]).status == .notFound)
            let unknown = try await a.owner.post(notes, ["text": "x", "colour": "red"])
            #expect(unknown.status == .unprocessableEntity)
            #expect(unknown.errorField == "colour")
            let added = try await a.owner.post(notes, ["text": "Ship it"])
            #expect(added.status == .created, "\(added.body)")
            let noteID = try #require(added.json["id"].string)

            // its event: in the log, seen by members (team audience), not by guests, in its own words
            let memberFeed = try await member.get("\(a.base)/events").json["data"].array
            #expect(memberFeed.contains { $0["kind"].string == "note.added" && $0["subject_id"].string?.lowercased() == noteID.lowercased() })
            #expect(!(try await guest.get("\(a.base)/events").json["data"].array.contains { $0["kind"].string == "note.added" }))
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = a.token
            let activity = try await browser.get("/w/\(a.workspaceID)/activity")
            #expect(activity.body.contains("Olive Owner added the note “Ship it”"))

            // its job: queued in the same transaction, run by the platform's worker
            try await app.jobs.runDue(app: app)
            #expect(indexed.withLockedValue { $0 } == [noteID])

            // pages: tenancy, and the CSRF check on every method but GET
            #expect(try await browser.get("/w/\(a.workspaceID)/notes").body == "notes of A")
            let stranger = PagesTests.Browser(app: app)
            stranger.cookies[SessionCookie.name] = outsider.token
            #expect(try await stranger.get("/w/\(a.workspaceID)/notes").status == .notFound)
            _ = try await browser.get("/w/\(a.workspaceID)/people")
            #expect(try await browser.post("/w/\(a.workspaceID)/notes", [:], csrf: false).status == .forbidden)
            #expect(try await browser.post("/w/\(a.workspaceID)/notes", [:]).status == .seeOther)
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; "))
            #expect(try await app.testing().sendRequest(.DELETE, "/w/\(a.workspaceID)/notes", headers: headers).status == .forbidden)

            // navigation: its link in the top bar, with its shortcut
            let people = try await browser.get("/w/\(a.workspaceID)/people")
            #expect(people.body.contains("href=\"/w/\(a.workspaceID)/notes\" data-shortcut=\"n\">Notes</a>"))

            // the document: its operation and schemas
            let document = try await a.api.get("/api/v1/openapi.json").json
            #expect(document["paths"]["/api/v1/workspaces/{workspace_id}/notes"]["post"]["summary"].string == "Add a note")
            #expect(document["components"]["schemas"]["Note"]["required"].array.count == 2)
        }
    }

    @Test("two modules declaring the same event kind stop the app at start-up")
    func duplicateKindsAreRefused() async {
        await #expect(processExitsWith: .failure) {
            _ = EventCatalog([ModuleSeamTests.NoteEvent.self, ModuleSeamTests.NoteEvent.self])
        }
        #expect(EventCatalog([IdentityEvent.self, NoteEvent.self]).kinds.contains("note.added"))
    }

    @Test("every page route is a declared page path, and no template spells a page path out")
    func pagePathsAreDeclaredOnce() async throws {
        try await withBaton(.sqlite) { app in
            let declared = Set(app.modules.paths.values.map(\.pattern))
            let operations: Set<String> = ["/healthz", "/readyz", "/metrics"]
            let pages = app.routes.all.map { "/" + $0.path.map(\.description).joined(separator: "/") }
                .filter { !$0.hasPrefix("/api/") && !operations.contains($0) }
            #expect(pages.count > 50)
            for page in pages { #expect(declared.contains(page), "\(page) is routed but not declared as a PagePath") }
            // and the reverse: every declared page is routed
            for pattern in declared { #expect(pages.contains(pattern), "\(pattern) is declared but not routed") }
            #expect(WorkPaths.task.url(UUID(uuidString: "00000000-0000-0000-0000-000000000001")!, "a b/c")
                    == "/w/00000000-0000-0000-0000-000000000001/tasks/a%20b%2Fc")
            #expect(IdentityPaths.home.url() == "/")

            let views = URL(fileURLWithPath: app.directory.viewsDirectory)
            let files = FileManager.default.enumerator(at: views, includingPropertiesForKeys: nil)?
                .compactMap { $0 as? URL }.filter { $0.pathExtension == "leaf" } ?? []
            #expect(files.count > 10)
            for file in files {
                let text = try String(contentsOf: file, encoding: .utf8)
                for prefix in ["\"/w/", "\"/login", "\"/signup", "\"/profile", "\"/tokens", "\"/invite", "\"/workspaces"] {
                    #expect(!text.contains(prefix), "\(file.lastPathComponent) writes a page path (\(prefix)…) instead of #path")
                }
            }
        }
    }
}
