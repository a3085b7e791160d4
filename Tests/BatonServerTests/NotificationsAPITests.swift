import Fluent
import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import BatonServer

/// The inbox: who hears of what (owners and mentioned people, never the actor or the whole
/// project), bursts as one entry, read / archive, settings, and delivery exactly once.
@Suite("Notifications: inbox")
struct NotificationsAPITests {
    /// The handle people @mention someone by.
    static func handle(_ org: Org, _ id: UUID) async throws -> String {
        let members = try await org.owner.get("\(org.base)/members?limit=200").json["data"].array
        let email = try #require(members.first { $0["user_id"].uuid == id || $0["id"].uuid == id }?["email"].string)
        return String(email.split(separator: "@")[0])
    }

    static func inbox(_ client: APIClient, _ query: String = "") async throws -> [JSON] {
        let reply = try await client.get("/api/v1/me/notifications\(query)")
        try #require(reply.status == .ok, "\(reply.body)")
        return reply.json["data"].array
    }

    @Test("the assignee, the delegator, watchers and mentioned people hear; the actor and the rest of the project do not",
          arguments: TestDatabase.available)
    func whoHears(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: Olive delegates to Tom; Lena is in the workspace, Ana watches
            let work = try await WorkFixture.make(app)
            let (lenaID, lena) = try await work.org.addMember("Lena Novak")
            let (anaID, ana) = try await work.org.addMember("Ana Diaz")
            let created = try await work.task(["title": "Budget", "assignee_id": work.memberID.uuidString,
                                               "watcher_ids": [anaID.uuidString]])
            let taskID = try #require(created["task"]["id"].string)
            try await EventConsumers.catchUp(app)
            // check: Tom was assigned; Olive (who did it), Lena and Ana were not told
            let tom = try await Self.inbox(work.member)
            #expect(tom.map { $0["kind"].string } == ["assigned"])
            #expect(tom.first?["subject_title"].string == "Budget" && tom.first?["actor_name"].string == "Olive Owner")
            #expect(tom.first?["link"].string?.hasSuffix("/tasks/\(taskID)") == true)
            #expect(tom.first?["lines"].array.first?.string == "Olive Owner assigned “Budget” to Tom Becker")
            let others = [try await Self.inbox(work.owner), try await Self.inbox(lena), try await Self.inbox(ana)]
            #expect(others.allSatisfy { $0.isEmpty })
            // act: Tom comments and mentions Lena
            let handle = try await Self.handle(work.org, lenaID)
            let comment = try await work.member.post("/api/v1/tasks/\(taskID)/comments", ["body": "@\(handle) can you check the numbers?"])
            #expect(comment.status == .created, "\(comment.body)")
            try await EventConsumers.catchUp(app)
            // check: Lena for the mention, Olive (delegator) and Ana (watcher) for the comment; Tom not for his own
            #expect(try await Self.inbox(lena).map { $0["kind"].string } == ["mentioned"])
            #expect(try await Self.inbox(work.owner).map { $0["kind"].string } == ["comment"])
            #expect(try await Self.inbox(ana).map { $0["kind"].string } == ["comment"])
            #expect(try await Self.inbox(work.member).count == 1)
            // Tom submits... a question; Olive hears; answering tells Tom
            let asked = try await work.member.post("/api/v1/tasks/\(taskID)/clarification", ["question": "Which quarter?"])
            #expect(asked.status == .ok, "\(asked.body)")
            let answered = try await work.owner.post("/api/v1/tasks/\(taskID)/clarification/answer", ["answer": "Q3"])
            #expect(answered.status == .ok, "\(answered.body)")
            try await EventConsumers.catchUp(app)
            #expect(try await Self.inbox(work.owner).map { $0["kind"].string } == ["handoff", "comment"])
            #expect(try await Self.inbox(work.member).map { $0["kind"].string } == ["handoff", "assigned"])
        }
    }

    @Test("changes by one person to one task within two minutes are one entry listing them", arguments: TestDatabase.available)
    func bursts(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            let (_, lena) = try await work.org.addMember("Lena Novak")
            let created = try await work.task(["title": "Budget", "assignee_id": work.memberID.uuidString])
            let taskID = try #require(created["task"]["id"].string)
            try await EventConsumers.catchUp(app)
            _ = try await work.member.post("/api/v1/me/notifications/read", ["all": true])
            // act: three comments by Olive in 90 seconds, then one more three minutes later, and one by Lena
            for text in ["One", "Two", "Three"] {
                _ = try await work.owner.post("/api/v1/tasks/\(taskID)/comments", ["body": text])
                clock.advance(45)
                try await EventConsumers.catchUp(app)   // delivered between the changes, as in a running server
            }
            clock.advance(180)
            _ = try await work.owner.post("/api/v1/tasks/\(taskID)/comments", ["body": "Four"])
            _ = try await lena.post("/api/v1/tasks/\(taskID)/comments", ["body": "Lena's"])
            try await EventConsumers.catchUp(app)
            // check: Tom has one entry of three lines, one of the fourth, one of Lena's
            let unread = try await Self.inbox(work.member, "?unread=true")
            #expect(unread.map { $0["count"].int } == [1, 1, 3])
            #expect(unread.map { $0["actor_name"].string } == ["Lena Novak", "Olive Owner", "Olive Owner"])
            #expect(unread.last?["lines"].array.count == 3)
            #expect(try await work.member.get("/api/v1/me/notifications/unread-count").json["unread"].int == 3)
        }
    }

    @Test("read, read all, archive: counts follow, another person's entry is 404, the events are the reader's alone",
          arguments: TestDatabase.available)
    func readAndArchive(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (lenaID, lena) = try await work.org.addMember("Lena Novak")
            for title in ["A", "B", "C"] {
                _ = try await work.task(["title": title, "assignee_id": work.memberID.uuidString])
            }
            _ = try await work.task(["title": "D", "assignee_id": lenaID.uuidString])
            try await EventConsumers.catchUp(app)
            let entries = try await Self.inbox(work.member)
            #expect(entries.count == 3)
            let first = try #require(entries.first?["id"].string)
            // another person's entry: 404, nothing read
            let lenaEntry = try #require(try await Self.inbox(lena).first?["id"].string)
            let stolen = try await work.member.post("/api/v1/me/notifications/read", ["ids": [lenaEntry]])
            #expect(stolen.status == .notFound)
            #expect(try await lena.get("/api/v1/me/notifications/unread-count").json["unread"].int == 1)
            // bad bodies
            #expect(try await work.member.post("/api/v1/me/notifications/read", [:]).status == .unprocessableEntity)
            #expect(try await work.member.post("/api/v1/me/notifications/read", ["ids": [first], "all": true]).status == .unprocessableEntity)
            #expect(try await work.member.post("/api/v1/me/notifications/read", ["all": true, "workspace_id": UUID().uuidString]).status == .notFound)
            // read one, archive one, read all
            let read = try await work.member.post("/api/v1/me/notifications/read", ["ids": [first]])
            #expect(read.status == .ok && read.json["unread"].int == 2)
            #expect(try await Self.inbox(work.member, "?unread=false").count == 1)
            let archived = try await work.member.post("/api/v1/me/notifications/archive", ["ids": [entries[1]["id"].string!]])
            #expect(archived.json["unread"].int == 1)
            #expect(try await Self.inbox(work.member).count == 2)
            #expect(try await Self.inbox(work.member, "?archived=true").count == 1)
            let all = try await work.member.post("/api/v1/me/notifications/read", ["all": true])
            #expect(all.json["unread"].int == 0)
            // the owner (an admin) sees none of Tom's inbox events in the activity feed
            let kinds = try await work.org.eventKinds()
            #expect(!kinds.contains { $0.hasPrefix("notification.") })
            let tomsFeed = try await work.member.get("\(work.org.base)/events?limit=200").json["data"].array.compactMap { $0["kind"].string }
            #expect(tomsFeed.contains("notification.delivered") && tomsFeed.contains("notification.read") && tomsFeed.contains("notification.archived"))
            // paging: one at a time, newest first
            let page = try await work.member.get("/api/v1/me/notifications?unread=false&limit=1")
            let next = try #require(page.json["next_cursor"].string)
            let second = try await work.member.get("/api/v1/me/notifications?unread=false&limit=1&after=\(next)")
            #expect(second.json["data"].array.first?["id"].string != page.json["data"].array.first?["id"].string)
            #expect(try await work.member.get("/api/v1/me/notifications?unread=maybe").status == .unprocessableEntity)
        }
    }

    @Test("settings: a kind turned off or sent by email only stays out of the inbox; bad settings are 422 and change nothing",
          arguments: TestDatabase.available)
    func settings(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let defaults = try await work.member.get("/api/v1/me/notification-preferences")
            #expect(defaults.json["kinds"].array.first { $0["kind"].string == "assigned" }?["delivery"].string == "both")
            #expect(defaults.json["quiet_hours"].isNull)
            let saved = try await work.member.send(.PUT, "/api/v1/me/notification-preferences", [
                "deliveries": ["assigned": "email", "comment": "none"], "digest": true, "quiet_hours": ["start": "22:00", "end": "07:00"],
            ])
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.json["quiet_hours"]["start"].string == "22:00" && saved.json["digest"].bool == true)
            for bad: [String: Any?] in [["deliveries": ["nonsense": "email"]], ["deliveries": ["assigned": "loud"]],
                                        ["quiet_hours": ["start": "25:00", "end": "07:00"]], ["quiet_hours": ["start": "22:00"]]] {
                let refused = try await work.member.send(.PUT, "/api/v1/me/notification-preferences", bad)
                #expect(refused.status == .unprocessableEntity, "\(bad): \(refused.body)")
            }
            let kept = try await work.member.get("/api/v1/me/notification-preferences")
            #expect(kept.json["quiet_hours"]["end"].string == "07:00")
            // act: assigned (email only) and a comment (off) leave the inbox empty
            let created = try await work.task(["title": "Quiet", "assignee_id": work.memberID.uuidString])
            _ = try await work.owner.post("/api/v1/tasks/\(created["task"]["id"].string!)/comments", ["body": "Hello"])
            try await EventConsumers.catchUp(app)
            #expect(try await Self.inbox(work.member).isEmpty)
        }
    }

    @Test("nobody hears of what they may not see: a guest off the project, a deactivated member", arguments: TestDatabase.available)
    func visibility(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (guestID, guest) = try await work.org.addMember("Gus Guest", role: "guest")
            let (lenaID, lena) = try await work.org.addMember("Lena Novak")
            let created = try await work.task(["title": "Secret", "assignee_id": work.memberID.uuidString])
            let taskID = try #require(created["task"]["id"].string)
            let deactivated = try await work.owner.post("\(work.org.base)/members/\(lenaID)/deactivate", [:])
            #expect(deactivated.status == .ok, "\(deactivated.body)")
            let text = "@\(try await Self.handle(work.org, guestID)) have a look"
            _ = try await work.member.post("/api/v1/tasks/\(taskID)/comments", ["body": text])
            try await EventConsumers.catchUp(app)
            #expect(try await Self.inbox(guest).isEmpty)
            _ = lena
            #expect(try await InboxEntry.query(on: app.db).filter(\.$userID == lenaID).count() == 0)
        }
    }

    @Test("delivery follows the log exactly once: catching up again, or from two servers at once, adds nothing",
          arguments: TestDatabase.available)
    func exactlyOnce(db: TestDatabase) async throws {
        let scratch = try await ScratchDatabase.make(db)
        let first = try await startApp(on: scratch, clock: nil, backgroundWork: false)
        let second = try await startApp(on: scratch, clock: nil, backgroundWork: false)
        let work = try await WorkFixture.make(first)
        for n in 0..<30 { _ = try await work.task(["title": "Task \(n)", "assignee_id": work.memberID.uuidString]) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for app in [first, second, first, second] { group.addTask { try await EventConsumers.catchUp(app) } }
            try await group.waitForAll()
        }
        try await EventConsumers.catchUp(second)
        #expect(try await InboxEntry.query(on: first.db).filter(\.$userID == work.memberID).count() == 30)
        let positions = try await InboxEntry.query(on: first.db).all().map(\.position)
        #expect(Set(positions).count == positions.count)
        try await first.asyncShutdown()
        try await second.asyncShutdown()
        await scratch.drop()
    }

    @Test("a running server delivers within moments of the commit, and the new unread count reaches the reader's socket alone",
          arguments: TestDatabase.available)
    func live(db: TestDatabase) async throws {
        try await withBaton(db, backgroundWork: true) { app in
            let work = try await WorkFixture.make(app)
            try await withRunningServer(app) { port in
                let tomToken = try #require(work.member.token)
                let tomSocket = try await LiveClient.connect(port: port, token: tomToken, workspaceID: work.org.workspaceID)
                let oliveSocket = try await LiveClient.connect(port: port, token: work.org.token, workspaceID: work.org.workspaceID)
                _ = try await work.task(["title": "Now", "assignee_id": work.memberID.uuidString])
                try await eventually { tomSocket.eventKinds.contains("notification.delivered") }
                let delivered = tomSocket.messages.withLockedValue { $0.first { $0["event"]["kind"].string == "notification.delivered" } }
                #expect(delivered?["event"]["data"]["unread"].string == "1")
                #expect(try await work.member.get("/api/v1/me/notifications/unread-count").json["unread"].int == 1)
                #expect(!oliveSocket.eventKinds.contains { $0.hasPrefix("notification.") })
                await tomSocket.close()
                await oliveSocket.close()
            }
        }
    }
}
