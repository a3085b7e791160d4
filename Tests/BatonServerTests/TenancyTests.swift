import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Tenancy: another workspace's data is always 404")
struct TenancyTests {
    @Test("every workspace route answers 404 to an outsider", arguments: TestDatabase.available)
    func everyRouteIsScoped(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: workspace A with one of everything, and an outsider who owns workspace B
            let a = try await Org.signUp(app, workspace: "A")
            let (memberID, _) = try await a.addMember("Ann")
            let teamID = try #require(try await a.owner.post("\(a.base)/teams", ["name": "T"]).json["id"].string)
            let invitationID = try #require(try await a.owner.post("\(a.base)/invitations", ["email": "p@example.com"]).json["id"].string)
            let tokenID = try #require(try await a.owner.post("/api/v1/me/tokens", ["name": "A"]).json["id"].string)
            let project = try await a.owner.post("\(a.base)/projects", ["name": "Secret"])
            let projectID = try #require(project.json["id"].string)
            let stageID = try #require(project.json["stages"][0]["id"].string)
            let task = try await a.owner.post("/api/v1/projects/\(projectID)/tasks", ["title": "Hidden", "brief": [
                "checklist": ["Item"], "checkpoints": [["title": "CP", "due_at": "2026-12-01T00:00:00Z"]]]])
            let taskID = try #require(task.json["task"]["id"].string)
            let b = try await Org.signUp(app, workspace: "B")
            let ids = ["userID": memberID.uuidString, "teamID": teamID, "invitationID": invitationID, "tokenID": tokenID,
                       "projectID": projectID, "stageID": stageID, "taskID": taskID,
                       "itemID": try #require(task.json["brief"]["checklist"][0]["id"].string),
                       "checkpointID": try #require(task.json["brief"]["checkpoints"][0]["id"].string)]
            let body: [String: Any?] = ["title": "x", "name": "x", "email": "x@example.com", "user_id": b.ownerID.uuidString, "role": "member",
                                        "version": 1, "text": "x", "question": "x", "body": "x", "checked": true, "status": "on_track",
                                        "due_at": "2026-12-01T00:00:00Z", "stage_ids": [], "task_ids": [], "changes": ["due_at": "2026-12-01T00:00:00Z"]]
            let before = try await EventRecord.query(on: app.db).filter(\.$workspaceID == a.workspaceID).count()

            let scoped = app.routes.all.filter { route in
                route.path.first?.description == "api"
                    && route.path.contains { [":workspaceID", ":tokenID", ":projectID", ":taskID"].contains($0.description) }
            }
            #expect(scoped.count >= 38)
            for route in scoped {
                // act 1: B's owner addresses workspace A directly
                func fill(workspace: UUID) -> String {
                    "/" + route.path.map { component -> String in
                        let text = component.description
                        if text == ":workspaceID" { return workspace.uuidString }
                        if text.hasPrefix(":") { return ids[String(text.dropFirst())] ?? UUID().uuidString }
                        return text
                    }.joined(separator: "/")
                }
                let path = fill(workspace: a.workspaceID)
                // only the keys this operation takes: an unknown key is a 422 before anything is looked up
                let known = (app.modules.contract.requestSchema(method: route.method, path: route.path)?["properties"] as? [String: Any]).map { Set($0.keys) } ?? []
                let body = route.method == .GET ? nil : body.filter { known.contains($0.key) }
                let reply = try await b.owner.send(route.method, path, body)
                // check
                #expect(reply.status == .notFound, "\(route.method) \(path) -> \(reply.status) \(reply.body)")
                #expect(reply.errorCode == "not_found")

                // act 2: B's own workspace in the path, but A's records in it
                guard route.path.contains(where: { $0.description.hasPrefix(":") && $0.description != ":workspaceID" }) else { continue }
                let crossed = fill(workspace: b.workspaceID)
                let crossedReply = try await b.owner.send(route.method, crossed, body)
                #expect(crossedReply.status == .notFound, "\(route.method) \(crossed) -> \(crossedReply.status) \(crossedReply.body)")
            }
            // the workspace's pages are 404 to the outsider too (form posts are covered in PagesTests)
            let pages = app.routes.all.filter { $0.method == .GET && $0.path.first?.description == "w" }
            #expect(pages.count >= 3)
            for route in pages {
                let path = "/" + route.path.map { $0.description == ":workspaceID" ? a.workspaceID.uuidString : $0.description }.joined(separator: "/")
                let reply = try await b.owner.get(path)
                #expect(reply.status == .notFound, "GET \(path) -> \(reply.status)")
            }
            // nothing an outsider sent changed anything in A
            let after = try await EventRecord.query(on: app.db).filter(\.$workspaceID == a.workspaceID).count()
            #expect(after == before)
        }
    }

    @Test("the live socket refuses a workspace the caller is not in", arguments: TestDatabase.available)
    func liveIsScoped(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let a = try await Org.signUp(app)
            let b = try await Org.signUp(app)
            let reply = try await b.owner.get("/api/v1/live?workspace_id=\(a.workspaceID)")
            #expect(reply.status == .notFound)
            #expect(try await APIClient(app: app).get("/api/v1/live").status == .unauthorized)
            // a browser session may only open the socket from our own origin
            var headers = HTTPHeaders()
            headers.add(name: .cookie, value: "\(SessionCookie.name)=\(b.token)")
            headers.add(name: .host, value: "baton.test")
            headers.add(name: .origin, value: "https://evil.example")
            let hijack = try await app.testing().sendRequest(.GET, "/api/v1/live", headers: headers)
            #expect(hijack.status == .forbidden)
            // the caller's own workspace, but a plain GET rather than an upgrade: a clear 400, not an empty 101
            let plain = try await b.owner.get("/api/v1/live?workspace_id=\(b.workspaceID)")
            #expect(plain.status == .badRequest)
            #expect(LiveRoute.isSameHost(origin: "http://127.0.0.1:8080", host: "127.0.0.1:8080"))
            #expect(!LiveRoute.isSameHost(origin: "http://127.0.0.1:8081", host: "127.0.0.1:8080"))
            #expect(!LiveRoute.isSameHost(origin: "https://baton.example.evil", host: "baton.example"))
        }
    }
}
