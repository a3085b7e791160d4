import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

/// "Remind me on <date> with <note>": set, listed, moved, cancelled, delivered to the inbox once.
@Suite("Notifications: reminders")
struct RemindersAPITests {
    @Test("a reminder arrives in its owner's inbox at its time, once; a moved one at its new time; a cancelled one never",
          arguments: TestDatabase.available)
    func delivery(db: TestDatabase) async throws {
        let clock = TestClock()   // starts at 2027-01-15T08:00:00Z
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            let created = try await work.task(["title": "Vendor contract", "assignee_id": work.memberID.uuidString])
            let taskID = try #require(created["task"]["id"].string)
            let inAnHour = BatonDate.iso(clock.now.addingTimeInterval(3600))
            let set = try await work.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": inAnHour, "note": "Has Tom heard back?"])
            #expect(set.status == .created, "\(set.body)")
            #expect(set.json["status"].string == "pending" && set.json["subject_title"].string == "Vendor contract")
            let moved = try await work.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": inAnHour, "note": "Moved"])
            let movedID = try #require(moved.json["id"].string)
            let cancelled = try await work.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": inAnHour])
            let cancelledID = try #require(cancelled.json["id"].string)
            let patched = try await work.owner.patch("/api/v1/reminders/\(movedID)", ["remind_at": BatonDate.iso(clock.now.addingTimeInterval(7200))])
            #expect(patched.status == .ok && patched.json["note"].string == "Moved", "\(patched.body)")
            #expect(try await work.owner.delete("/api/v1/reminders/\(cancelledID)").status == .noContent)
            #expect(try await work.owner.get("/api/v1/me/reminders").json["data"].array.count == 2)
            // nothing before its time
            try await app.jobs.runDue(app: app)
            try await EventConsumers.catchUp(app)
            #expect(try await NotificationsAPITests.inbox(work.owner).isEmpty)
            // an hour later: the first one, once, however often the jobs run
            clock.advance(3601)
            try await app.jobs.runDue(app: app)
            try await app.jobs.runDue(app: app)
            try await EventConsumers.catchUp(app)
            let inbox = try await NotificationsAPITests.inbox(work.owner)
            #expect(inbox.map { $0["kind"].string } == ["reminder"])
            #expect(inbox.first?["lines"].array.first?.string == "Reminder: “Vendor contract”: Has Tom heard back?")
            #expect(inbox.first?["link"].string?.hasSuffix("/tasks/\(taskID)") == true && inbox.first?["actor_id"].isNull == true)
            #expect(try await NotificationsAPITests.inbox(work.member).map { $0["kind"].string } == ["assigned"])
            // two hours later: the moved one; the cancelled one never
            clock.advance(3600)
            try await app.jobs.runDue(app: app)
            try await EventConsumers.catchUp(app)
            #expect(try await NotificationsAPITests.inbox(work.owner).count == 2)
            let delivered = try await work.owner.get("/api/v1/me/reminders?status=delivered").json["data"].array
            #expect(delivered.count == 2 && delivered.allSatisfy { $0["delivered_at"].string != nil })
            #expect(try await work.owner.get("/api/v1/me/reminders").json["data"].array.isEmpty)
            // a delivered reminder moved to a new time is armed again
            let rearmed = try await work.owner.patch("/api/v1/reminders/\(movedID)", ["remind_at": BatonDate.iso(clock.now.addingTimeInterval(60))])
            #expect(rearmed.json["status"].string == "pending")
            // the events are the owner's alone
            let ownFeed = try await work.org.eventKinds()
            #expect(ownFeed.contains("reminder.set") && ownFeed.contains("reminder.due") && ownFeed.contains("reminder.cancelled"))
            let tomsFeed = try await work.member.get("\(work.org.base)/events?limit=200").json["data"].array.compactMap { $0["kind"].string }
            #expect(!tomsFeed.isEmpty && !tomsFeed.contains { $0.hasPrefix("reminder.") })
        }
    }

    @Test("bad reminders are 422 naming the field; someone else's task or reminder is 404; nothing is written",
          arguments: TestDatabase.available)
    func refusals(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            let created = try await work.task(["title": "Budget"])
            let taskID = try #require(created["task"]["id"].string)
            let later = BatonDate.iso(clock.now.addingTimeInterval(600))
            let cases: [([String: Any?], String)] = [
                ([:], "remind_at"), (["remind_at": "tomorrow"], "remind_at"), (["remind_at": BatonDate.iso(clock.now.addingTimeInterval(-60))], "remind_at"),
                (["remind_at": "1999-01-01T00:00:00Z"], "remind_at"), (["remind_at": later, "note": String(repeating: "x", count: 1001)], "note"),
            ]
            for (body, field) in cases {
                let reply = try await work.owner.post("/api/v1/tasks/\(taskID)/reminders", body)
                #expect(reply.status == .unprocessableEntity && reply.errorField == field, "\(body): \(reply.body)")
            }
            let other = try await Org.signUp(app, workspace: "Other")
            #expect(try await other.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": later]).status == .notFound)
            let mine = try await work.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": later])
            let id = try #require(mine.json["id"].string)
            #expect(try await work.member.patch("/api/v1/reminders/\(id)", ["note": "hijack"]).status == .notFound)
            #expect(try await work.member.delete("/api/v1/reminders/\(id)").status == .notFound)
            #expect(try await work.owner.patch("/api/v1/reminders/\(id)", [:]).status == .unprocessableEntity)
            #expect(try await Reminder.query(on: app.db).count() == 1)
            let kept = try await work.owner.get("/api/v1/me/reminders").json["data"].array
            #expect(kept.count == 1 && kept.first?["note"].string == "")
            #expect(try await work.member.get("/api/v1/me/reminders").json["data"].array.isEmpty)
            #expect(try await work.owner.get("/api/v1/me/reminders?status=soon").status == .unprocessableEntity)
        }
    }
}
