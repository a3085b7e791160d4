import Fluent
import Foundation
import SQLKit
import Testing
import Vapor
@testable import BatonServer

/// Issue 11, items 7–15: every change goes through the service with its event; numbers are
/// finite; CSV round-trips; catch-up and guests.
@Suite("Data path")
struct DataPathTests {
    func history(_ work: WorkFixture, _ taskID: String) async throws -> [String] {
        try await work.owner.get("/api/v1/tasks/\(taskID)/history").json["data"].array.compactMap { $0["kind"].string }
    }

    @Test("making a stage a done stage moves each of its tasks as a stage change would, or refuses with the items",
          arguments: TestDatabase.available)
    func stageCategoryChange(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: two tasks in review, one with an open acceptance item
            let work = try await WorkFixture.make(app)
            let review = work.stages["In review"]!.uuidString
            let clean = try #require(try await work.task(["title": "Clean", "stage_id": review])["task"]["id"].string)
            let held = try #require(try await work.task(["title": "Held", "stage_id": review,
                                                          "brief": ["checklist": ["Legal sign-off"]]])["task"]["id"].string)
            // act 1: refused while an item is open
            let refused = try await work.owner.patch("\(work.projectBase)/stages/\(review)", ["category": "done"])
            // check 1
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorField == "category")
            #expect(refused.json["error"]["message"].string?.contains("1 task in this stage has") == true)
            #expect(refused.json["error"]["message"].string?.contains("“Held” (“Legal sign-off”)") == true)
            #expect(try await work.owner.get("/api/v1/tasks/\(clean)").json["task"]["stage_category"].string == "in_progress")

            // act 2: with the item waived, the change goes through task by task
            let detail = try await work.owner.get("/api/v1/tasks/\(held)")
            let item = try #require(detail.json["brief"]["checklist"][0]["id"].string)
            #expect(try await work.owner.patch("/api/v1/tasks/\(held)/checklist/\(item)", ["waived_reason": "Done by phone"]).status == .ok)
            let versionsBefore = [try await work.owner.get("/api/v1/tasks/\(clean)").json["task"]["version"].int,
                                  try await work.owner.get("/api/v1/tasks/\(held)").json["task"]["version"].int]
            let changed = try await work.owner.patch("\(work.projectBase)/stages/\(review)", ["category": "done"])
            // check 2: each task has its event, a new version and a completion time
            #expect(changed.status == .ok, "\(changed.body)")
            for (index, id) in [clean, held].enumerated() {
                let task = try await work.owner.get("/api/v1/tasks/\(id)").json["task"]
                #expect(task["stage_category"].string == "done")
                #expect(task["completed_at"].string != nil)
                #expect(task["version"].int == versionsBefore[index].map { $0 + 1 })
                #expect(try await history(work, id).last == "task.stage_changed")
            }
            // and back: reopened, completion cleared
            #expect(try await work.owner.patch("\(work.projectBase)/stages/\(review)", ["category": "in_progress"]).status == .ok)
            let reopened = try await work.owner.get("/api/v1/tasks/\(clean)").json["task"]
            #expect(reopened["completed_at"].isNull)
            #expect(reopened["stage_category"].string == "in_progress")
        }
    }

    @Test("a task created straight into a done stage obeys the done rule, from the API and from CSV",
          arguments: TestDatabase.available)
    func createIntoDone(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let done = work.stages["Done"]!.uuidString
            // act
            let refused = try await work.owner.post("\(work.projectBase)/tasks", ["title": "Shipped?", "stage_id": done,
                                                                                  "brief": ["checklist": ["QA passed"]]])
            let allowed = try await work.owner.post("\(work.projectBase)/tasks", ["title": "Shipped", "stage_id": done])
            // check
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorField == "stage_id")
            #expect(allowed.status == .created)
            #expect(allowed.json["task"]["completed_at"].string != nil)
            #expect(try await WorkTask.query(on: app.db).count() == 1)
            // a CSV row in stage Done (no acceptance items can come with it) is done, with its completion time
            let imported = try await ImportExportTests().upload(work.owner, "\(work.projectBase)/tasks/import", "title,stage\nShipped by CSV,Done\n")
            #expect(imported.json["created"].int == 1, "\(imported.body)")
            let row = try #require(try await WorkTask.query(on: app.db).filter(\.$title == "Shipped by CSV").first())
            #expect(row.stageCategory == .done && row.completedAt != nil)
        }
    }

    @Test("a new blocked reason is a change in the history, with a new version", arguments: TestDatabase.available)
    func blockedReason(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Waiting", "blocked": true, "blocked_reason": "Vendor"])["task"]["id"].string)
            // act
            let edited = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "blocked_reason": "Vendor and legal"])
            // check
            #expect(edited.status == .ok)
            #expect(edited.json["task"]["version"].int == 2)
            #expect(edited.json["task"]["blocked_reason"].string == "Vendor and legal")
            let entries = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array
            #expect(entries.last?["kind"].string == "task.updated")
            #expect(entries.last?["data"]["field"].string == "blocked_reason")
            #expect(entries.last?["data"]["to"].string == "Vendor and legal")
            // an empty reason on a blocked task is refused
            #expect(try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 2, "blocked_reason": "  "]).errorField == "blocked_reason")
        }
    }

    @Test("concurrent comments and checklist edits on one task each get their own version", arguments: TestDatabase.available)
    func atomicVersions(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Busy"])["task"]["id"].string)
            // act: 16 writers at once, none of them sending a version
            let statuses = try await withThrowingTaskGroup(of: HTTPResponseStatus.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        index.isMultiple(of: 2)
                            ? try await work.owner.post("/api/v1/tasks/\(id)/comments", ["body": "Note \(index)"]).status
                            : try await work.owner.post("/api/v1/tasks/\(id)/checklist", ["text": "Item \(index)"]).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // check: all succeeded, and the version counts every one of them
            #expect(statuses.allSatisfy { $0 == .created }, "\(statuses)")
            #expect(try await work.owner.get("/api/v1/tasks/\(id)").json["task"]["version"].int == 17)
        }
    }

    @Test("NaN and infinities are refused wherever numbers enter", arguments: TestDatabase.available)
    func finiteNumbers(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let id = try #require(try await work.task(["title": "Sized"])["task"]["id"].string)
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Score", "type": "number"])
            // act + check: JSON
            for raw in ["1e999", "-1e999"] {
                let reply = try await work.owner.send(.PATCH, "/api/v1/tasks/\(id)", raw: "{\"version\": 1, \"estimate\": \(raw)}")
                #expect(reply.status == .unprocessableEntity || reply.status == .badRequest, "\(raw): \(reply.body)")
            }
            for text in ["nan", "inf", "-Infinity"] {
                let field = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "custom_fields": ["Score": text]])
                #expect(field.errorField == "custom_fields.Score", "\(text): \(field.body)")
            }
            // the web form
            let browser = PagesTests.Browser(app: app)
            _ = try await browser.get("/login")
            _ = try await browser.post("/login", ["email": try #require(try await User.query(on: app.db).sort(\.$createdAt).first()?.email),
                                                  "password": "correct horse battery"])
            for text in ["nan", "inf", "NaN"] {
                let page = try await browser.post("/w/\(work.org.workspaceID)/tasks/\(id)", ["version": "1", "estimate": text])
                #expect(page.status == .unprocessableEntity, "\(text)")
            }
            // a forged cursor does not reach the database (or crash the server)
            let cursor = Data("priority|inf|\(UUID().uuidString)".utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "").replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            #expect(try await work.owner.get("\(work.projectBase)/tasks?sort=priority&after=\(cursor)").status == .unprocessableEntity)
            // nothing was stored, and the task and dashboard still read
            #expect(try await work.owner.get("/api/v1/tasks/\(id)").json["task"]["version"].int == 1)
            #expect(try await work.owner.get("/api/v1/dashboards/projects/\(work.projectID)").status == .ok)
        }
    }

    @Test("an export re-imports to exactly the same values", arguments: TestDatabase.available)
    func csvRoundTrip(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: values a spreadsheet would run or a parser would trip on
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Note", "type": "text"])
            let titles = ["- item", "@launch", "=SUM(A1)", "+1 idea", "'quoted", "'=literal", "comma, here", "quote \"x\"",
                          "Ünïcødé 日本語 🚀", "-5", "'Tis the season"]
            for (index, title) in titles.enumerated() {
                _ = try await work.task(["title": title, "description": index.isMultiple(of: 2) ? "line one\n- line two, \"quoted\"" : "@here",
                                         "tags": ["@tag", "x"], "custom_fields": ["Note": "=cell \(index)"]])
            }
            // act: export, import into a fresh project with the same field, export again
            let export = try await work.owner.get("\(work.projectBase)/tasks/export.csv")
            let copy = try await work.owner.post("\(work.org.base)/projects", ["name": "Copy"])
            let copyID = try #require(copy.json["id"].string)
            _ = try await work.owner.post("/api/v1/projects/\(copyID)/fields", ["name": "Note", "type": "text"])
            let imported = try await ImportExportTests().upload(work.owner, "/api/v1/projects/\(copyID)/tasks/import", export.body)
            #expect(imported.status == .created, "\(imported.body)")
            // check: the same values, field by field
            func values(_ project: String) async throws -> [[String]] {
                try await work.owner.get("/api/v1/projects/\(project)/tasks?limit=200").json["data"].array.map { task in
                    [task["title"].string ?? "", task["description"].string ?? "", task["tags"].array.compactMap(\.string).joined(separator: ";"),
                     task["custom_fields"].description]
                }.sorted { $0[0] < $1[0] }
            }
            let original = try await values(work.projectID.uuidString)
            let copied = try await values(copyID)
            #expect(original.count == titles.count)
            #expect(copied == original)
            #expect(Set(copied.map { $0[0] }) == Set(titles))
        }
    }

    @Test("every member catches up with exactly what their live socket got; guests follow their projects live",
          arguments: TestDatabase.available)
    func catchUp(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                // setup: a member, a guest in the project, a second project the guest is not in
                let work = try await WorkFixture.make(app)
                let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
                _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
                let hidden = try await work.owner.post("\(work.org.base)/projects", ["name": "Hidden"])
                let hiddenID = try #require(hidden.json["id"].string)
                let start = try #require(try await work.owner.get("\(work.org.base)/events?limit=200").json["data"].array.last?["id"].int)
                let sockets = [
                    ("owner", try await LiveClient.connect(port: port, token: work.org.token), work.owner),
                    ("member", try await LiveClient.connect(port: port, token: work.member.token!), work.member),
                    ("guest", try await LiveClient.connect(port: port, token: guest.token!), guest),
                ]
                // act: work in both projects, a team change, an admin-only invitation
                let seen = try #require(try await work.task(["title": "Visible", "assignee_id": guestID.uuidString])["task"]["id"].string)
                _ = try await work.owner.patch("/api/v1/tasks/\(seen)", ["version": 1, "priority": "high"])
                _ = try await work.owner.post("/api/v1/projects/\(hiddenID)/tasks", ["title": "Secret plan"])
                _ = try await work.owner.post("\(work.org.base)/teams", ["name": "Core"])
                _ = try await work.owner.post("\(work.org.base)/invitations", ["email": "later@example.com"])
                _ = try await guest.patch("/api/v1/tasks/\(seen)", ["version": 2, "stage_id": work.stages["In progress"]!.uuidString])
                // check
                try await eventually { sockets[0].1.eventKinds.last == "task.stage_changed" }
                try await eventually { sockets[2].1.eventKinds.last == "task.stage_changed" }
                try await Task.sleep(for: .milliseconds(300))
                for (name, socket, client) in sockets {
                    let live = socket.messages.withLockedValue { $0 }.filter { $0["type"].string == "event" }.compactMap { $0["event"]["id"].int }
                    let feed = try await client.get("\(work.org.base)/events?after=\(start)&limit=200")
                    #expect(feed.status == .ok, "\(name): \(feed.body)")
                    #expect(feed.json["data"].array.compactMap { $0["id"].int } == live, "\(name)")
                }
                let guestEvents = sockets[2].1.messages.withLockedValue { $0 }.filter { $0["type"].string == "event" }.map { $0["event"] }
                #expect(guestEvents.count >= 3)
                #expect(guestEvents.allSatisfy { $0["project_id"].uuid == work.projectID }, "\(guestEvents)")
                #expect(sockets[2].1.eventKinds.filter { $0 == "task.created" }.count == 1)
                #expect(!sockets[1].1.eventKinds.contains("member.invited"))
                #expect(sockets[1].1.eventKinds.contains("team.created"))
                for (_, socket, _) in sockets { await socket.close() }
            }
        }
    }

    @Test("a guest moves their task, ticks its items and answers the handoff, and changes nothing else",
          arguments: TestDatabase.available)
    func guestLimits(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
            _ = try await work.owner.post("\(work.projectBase)/members", ["user_id": guestID.uuidString])
            let created = try await work.task(["title": "Guest task", "assignee_id": guestID.uuidString, "brief": ["checklist": ["Photos"]]])
            let id = try #require(created["task"]["id"].string)
            let item = try #require(created["brief"]["checklist"][0]["id"].string)
            let base = "/api/v1/tasks/\(id)"
            // act + check: refused
            for body: [String: Any?] in [["title": "Mine now"], ["assignee_id": work.memberID.uuidString], ["priority": "urgent"],
                                         ["brief": ["outcome": "Whatever"]], ["tags": ["x"]], ["due_at": "2030-01-01T00:00:00Z"],
                                         ["title": "Mine now", "stage_id": work.stages["Done"]!.uuidString]] {
                var patch = body
                patch["version"] = 1
                let reply = try await guest.patch(base, patch)
                #expect(reply.status == .forbidden, "\(body): \(reply.body)")
            }
            #expect(try await guest.post("\(base)/checklist", ["text": "Extra"]).status == .forbidden)
            #expect(try await guest.patch("\(base)/checklist/\(item)", ["waived_reason": "No time"]).status == .forbidden)
            #expect(try await guest.post("\(base)/checkpoints", ["title": "Soon", "due_at": "2030-01-01T00:00:00Z"]).status == .forbidden)
            let unchanged = try await work.owner.get(base).json["task"]
            #expect(unchanged["title"].string == "Guest task" && unchanged["version"].int == 1)
            // allowed
            #expect(try await guest.post("\(base)/accept").status == .ok)
            #expect(try await guest.patch("\(base)/checklist/\(item)", ["checked": true]).status == .ok)
            #expect(try await guest.post("\(base)/comments", ["body": "Uploaded the photos"]).status == .created)
            let version = try #require(try await guest.get(base).json["task"]["version"].int)
            // the same title sent back (as a form does) is no change; the stage moves, and done waits
            // for the delegator's acceptance (level 5 by default)
            let moved = try await guest.patch(base, ["version": version, "title": "Guest task", "stage_id": work.stages["Done"]!.uuidString])
            #expect(moved.status == .ok, "\(moved.body)")
            #expect(moved.json["task"]["stage_id"].uuid == work.stages["In review"])
            #expect(moved.json["task"]["awaiting_acceptance_since"].string != nil)
            let accepted = try await work.owner.post("\(base)/completion", ["decision": "accept"])
            #expect(accepted.json["task"]["stage_category"].string == "done", "\(accepted.body)")
        }
    }

    @Test("a body with a key its operation does not take is refused with the key named, and writes nothing",
          arguments: TestDatabase.available)
    func unknownKeys(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let tasksBefore = try await WorkTask.query(on: app.db).count()
            // act + check
            let cases: [(String, String, [String: Any?], String)] = [
                ("POST", "\(work.projectBase)/tasks", ["title": "T", "brief": ["acceptance_checklist": ["x"]]], "brief.acceptance_checklist"),
                ("POST", "\(work.projectBase)/tasks", ["title": "T", "asignee_id": work.memberID.uuidString], "asignee_id"),
                ("POST", "\(work.projectBase)/tasks", ["title": "T", "brief": ["checkpoints": [["title": "A", "due_at": "2030-01-01T00:00:00Z", "owner": "me"]]]],
                 "brief.checkpoints.0.owner"),
                ("POST", "/api/v1/auth/signup", ["email": "x@example.com", "password": "long enough pw", "name": "X", "workspace_name": "W",
                                                 "role": "owner"], "role"),
                ("PATCH", "\(work.org.base)/members/\(work.memberID)", ["title": "Lead", "salary": 1], "salary"),
                ("POST", "\(work.projectBase)/tasks/bulk", ["task_ids": [], "changes": ["stage": "x"]], "changes.stage"),
            ]
            for (method, path, body, field) in cases {
                let reply = try await work.owner.send(HTTPMethod(rawValue: method), path, body)
                #expect(reply.status == .unprocessableEntity, "\(path): \(reply.body)")
                #expect(reply.errorField == field, "\(path): \(reply.body)")
            }
            // a body sent with another Content-Type is read as JSON all the same, so it is checked all the same
            let sneaky = try await work.owner.send(.POST, "\(work.projectBase)/tasks", raw: #"{"title": "T", "brief": {"acceptance_checklist": ["x"]}}"#,
                                                   headers: ["Content-Type": "text/plain"])
            #expect(sneaky.errorField == "brief.acceptance_checklist", "\(sneaky.body)")
            #expect(try await WorkTask.query(on: app.db).count() == tasksBefore)
            #expect(try await User.query(on: app.db).filter(\.$email == "x@example.com").count() == 0)
            // custom fields are keyed by the project's own field names: open, and checked by the service
            let custom = try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "custom_fields": ["Nope": "1"]])
            #expect(custom.errorField == "custom_fields.Nope")
            // the document says so too
            let document = try await work.owner.get("/api/v1/openapi.json")
            #expect(document.json["components"]["schemas"]["TaskRequest"]["additionalProperties"].bool == false)
            #expect(document.json["components"]["schemas"]["TaskRequest"]["properties"]["brief"]["additionalProperties"].bool == false)
        }
    }

    @Test("a read of several statements sees one moment, whatever commits meanwhile", arguments: TestDatabase.available)
    func snapshotReads(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            _ = try await work.task(["title": "Before"])
            let loop = app.eventLoopGroup.any()
            for point in [false, true] {
                // act: a write commits between the snapshot's two reads
                let (first, second) = try await app.store.snapshot(on: loop, point: point) { db in
                    let first = try await WorkTask.query(on: db).count()
                    _ = try await work.task(["title": "Meanwhile"])
                    let second = try await WorkTask.query(on: db).count()
                    return (first, second)
                }
                // check: the snapshot did not see it; a read after it does
                #expect(first == second, "point: \(point)")
                #expect(try await WorkTask.query(on: app.store.reader).count() == first + 1)
            }
        }
    }

    @Test("an import is announced once with its count; its tasks keep their own history", arguments: TestDatabase.available)
    func importAnnouncedOnce(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                // setup
                let work = try await WorkFixture.make(app)
                let start = try #require(try await work.owner.get("\(work.org.base)/events?limit=200").json["data"].array.last?["id"].int)
                let socket = try await LiveClient.connect(port: port, token: work.member.token!)
                let csv = (["title,stage"] + (0..<300).map { "Imported \($0),In progress" }).joined(separator: "\n")
                // act
                let imported = try await ImportExportTests().upload(work.owner, "\(work.projectBase)/tasks/import", csv)
                #expect(imported.json["created"].int == 300, "\(imported.body)")
                _ = try await work.owner.post("\(work.org.base)/teams", ["name": "After"])
                // check: one announcement, with the count, then the next event as usual
                try await eventually { socket.eventKinds.contains("team.created") }
                #expect(socket.eventKinds == ["tasks.imported", "team.created"], "\(socket.eventKinds)")
                let announced = socket.messages.withLockedValue { $0 }.first { $0["event"]["kind"].string == "tasks.imported" }
                #expect(announced?["event"]["data"]["count"].string == "300")
                let feed = try await work.member.get("\(work.org.base)/events?after=\(start)&limit=200")
                #expect(feed.json["data"].array.compactMap { $0["kind"].string } == ["tasks.imported", "team.created"])
                // every task's own history still says it was created, by whom, in that import
                let task = try #require(try await work.owner.get("\(work.projectBase)/tasks?limit=1").json["data"][0]["id"].string)
                let history = try await work.owner.get("/api/v1/tasks/\(task)/history").json["data"].array
                #expect(history.first?["kind"].string == "task.created")
                #expect(history.first?["actor_id"].uuid == work.org.ownerID)
                #expect(history.first?["data"]["import_id"].string == announced?["event"]["data"]["import_id"].string)
                #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "task.created").count() == 300)
                await socket.close()
            }
        }
    }

    @Test("tasks that share a time (an import's) page through every sort, and the export holds them all",
          arguments: TestDatabase.available)
    func pagingSharedTimes(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: 250 tasks written at one moment
            let work = try await WorkFixture.make(app)
            let csv = (["title,due"] + (0..<250).map { "Same \($0),2030-01-01" }).joined(separator: "\n")
            #expect(try await ImportExportTests().upload(work.owner, "\(work.projectBase)/tasks/import", csv).json["created"].int == 250)
            // act + check
            for sort in ["-created", "created", "-updated", "due", "-due"] {
                var seen: [String] = []
                var cursor: String?
                repeat {
                    let after = cursor.map { "&after=\($0)" } ?? ""
                    let page = try await work.owner.get("\(work.projectBase)/tasks?limit=100&sort=\(sort)\(after)")
                    try #require(page.status == .ok, "\(page.body)")
                    seen += page.json["data"].array.compactMap { $0["id"].string }
                    cursor = page.json["next_cursor"].string
                } while cursor != nil && seen.count <= 300
                #expect(seen.count == 250 && Set(seen).count == 250, "\(sort): \(seen.count) rows, \(Set(seen).count) distinct")
            }
            let export = try await work.owner.get("\(work.projectBase)/tasks/export.csv")
            #expect(export.body.split(separator: "\r\n").count == 251)
        }
    }
}
