import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Tenancy: another workspace's data is always 404")
struct TenancyTests {
    @Test("every workspace route answers 404 to an outsider", arguments: TestDatabase.available)
    func everyRouteIsScoped(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: workspace A with one of everything, and an outsider who owns workspace B
            let a = try await Org.signUp(app, workspace: "A")
            let (memberID, ann) = try await a.addMember("Ann")
            let teamID = try #require(try await a.owner.post("\(a.base)/teams", ["name": "T"]).json["id"].string)
            let invitationID = try #require(try await a.owner.post("\(a.base)/invitations", ["email": "p@example.com"]).json["id"].string)
            let tokenID = try #require(try await a.owner.post("/api/v1/me/tokens", ["name": "A"]).json["id"].string)
            let project = try await a.owner.post("\(a.base)/projects", ["name": "Secret"])
            let projectID = try #require(project.json["id"].string)
            let stageID = try #require(project.json["stages"][0]["id"].string)
            let task = try await a.owner.post("/api/v1/projects/\(projectID)/tasks", ["title": "Hidden", "assignee_id": memberID.uuidString,
                "brief": ["checklist": ["Item"], "checkpoints": [["title": "CP", "due_at": "2026-12-01T00:00:00Z"]]]])
            let taskID = try #require(task.json["task"]["id"].string)
            let browserA = PagesTests.Browser(app: app)
            browserA.cookies[SessionCookie.name] = a.token
            _ = try await browserA.get("/w/\(a.workspaceID)/people")
            _ = try await browserA.post("/w/\(a.workspaceID)/projects/\(projectID)/views", ["name": "Mine", "query": "priority=high"])
            let viewID = try #require(try await SavedView.query(on: app.db).first()?.id?.uuidString)
            let proposal = try await ann.post("/api/v1/tasks/\(taskID)/brief-proposals", ["field": "outcome", "text": "Sharper"])
            try await EventConsumers.catchUp(app)
            let reminderID = try #require(try await a.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": "2030-01-01T09:00:00Z"])
                .json["id"].string)
            let notificationID = try #require(try await InboxEntry.query(on: app.db).filter(\.$userID == memberID).first()?.id?.uuidString)
            let approvals = try await a.approvalRecords(requester: ann)
            let channelID = try #require(try await a.owner.post("\(a.base)/channels", ["kind": "private", "name": "Secret plans"]).json["id"].string)
            let messageID = try #require(try await a.owner.post("/api/v1/channels/\(channelID)/messages", ["body": "Hidden words"]).json["id"].string)
            let scheduledID = try #require(try await a.owner.post("/api/v1/channels/\(channelID)/scheduled-messages",
                                                                  ["body": "Later", "send_at": BatonDate.iso(Date().addingTimeInterval(86_400))]).json["id"].string)
            let b = try await Org.signUp(app, workspace: "B")
            let ids = ["templateID": approvals.templateID, "requestID": approvals.requestID, "channelID": channelID, "messageID": messageID, "scheduledID": scheduledID,
                       "pinID": try #require(try await a.owner.post("/api/v1/channels/\(channelID)/pins", ["kind": "message", "message_id": messageID])
                           .json["id"].string),"userID": memberID.uuidString, "teamID": teamID, "invitationID": invitationID, "tokenID": tokenID,
                       "projectID": projectID, "stageID": stageID, "taskID": taskID,
                       "itemID": try #require(task.json["brief"]["checklist"][0]["id"].string),
                       "checkpointID": try #require(task.json["brief"]["checkpoints"][0]["id"].string),
                       "proposalID": try #require(proposal.json["id"].string), "viewID": viewID,
                       "notificationID": notificationID, "reminderID": reminderID,
                       "ruleID": try #require(try await Rule.query(on: app.db).first()?.id?.uuidString)]
            let body: [String: Any?] = ["title": "x", "name": "x", "email": "x@example.com", "user_id": b.ownerID.uuidString, "role": "member",
                                        "version": 1, "text": "x", "question": "x", "body": "x", "checked": true, "status": "on_track",
                                        "due_at": "2026-12-01T00:00:00Z", "stage_ids": [], "task_ids": [], "changes": ["due_at": "2026-12-01T00:00:00Z"],
                                        "decision": "accept", "answer": "x", "field": "outcome", "reason": "x", "feedback": "x",
                                        "remind_at": "2030-01-01T09:00:00Z", "note": "x"]
            let before = try await EventRecord.query(on: app.db).filter(\.$workspaceID == a.workspaceID).count()

            // Every route with a parameter, API and pages alike, found in the router. A parameter
            // this test cannot fill with one of A's records fails it: a new module's `:goalID`
            // must be added to `ids`, it cannot slip past.
            let exempt = ["secret": "an invitation's secret is its own credential: whoever holds it may read and accept it"]
            let scoped = app.routes.all.filter { route in
                route.path.contains { if case .parameter = $0 { true } else { false } }
            }
            #expect(scoped.count >= 70)
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = b.token
            _ = try await browser.get("/w/\(b.workspaceID)/people")
            for route in scoped {
                let names = route.path.compactMap { component -> String? in
                    if case .parameter(let name) = component { return name }
                    return nil
                }
                if names.contains(where: { exempt[$0] != nil }) { continue }
                if let missing = names.first(where: { $0 != "workspaceID" && ids[$0] == nil }) {
                    Issue.record("\(route.method) \(route.path.string): no record of workspace A for :\(missing); add one to `ids`")
                    continue
                }
                func fill(workspace: UUID) -> String {
                    "/" + route.path.map { component -> String in
                        guard case .parameter(let name) = component else { return component.description }
                        return name == "workspaceID" ? workspace.uuidString : ids[name]!
                    }.joined(separator: "/")
                }
                func send(_ path: String) async throws -> Reply {
                    if route.path.first?.description == "api" {
                        // only the keys this operation takes: an unknown key is a 422 before anything is looked up
                        let known = (app.modules.contract.requestSchema(method: route.method, path: route.path)?["properties"]
                            as? [String: Any]).map { Set($0.keys) } ?? []
                        var sent = body.filter { known.contains($0.key) }
                        if path.hasSuffix("waiver-decision") { sent["decision"] = "grant" }
                        return try await b.owner.send(route.method, path, route.method == .GET ? nil : sent)
                    }
                    if route.method == .GET { return try await browser.get(path) }
                    return try await browser.post(path, ["name": "x", "title": "x", "body": "x", "text": "x", "email": "x@example.com",
                                                       "user_id": b.ownerID.uuidString])
                }
                // act 1: B's owner addresses workspace A (or A's record) directly
                let path = fill(workspace: a.workspaceID)
                let reply = try await send(path)
                // check
                #expect(reply.status == .notFound, "\(route.method) \(path) -> \(reply.status) \(reply.body.prefix(300))")

                // act 2: B's own workspace in the path, but A's records in it
                guard names.contains("workspaceID"), names.count > 1 else { continue }
                let crossed = fill(workspace: b.workspaceID)
                let crossedReply = try await send(crossed)
                #expect(crossedReply.status == .notFound, "\(route.method) \(crossed) -> \(crossedReply.status) \(crossedReply.body.prefix(300))")
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
