import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Scheduled messages and acknowledgement reminders, through the real job queue and a test clock")
struct MessageScheduleTests {
    static func iso(_ date: Date) -> String { BatonDate.iso(date) }

    @Test("send later: listed, sent once when due, never twice; past or beyond 120 days is refused and writes nothing; others hear 404",
          arguments: TestDatabase.available)
    func sendLater(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let chat = try await ChatFixture.make(app)
            let url = "/api/v1/channels/\(chat.channelID)/scheduled-messages"
            let events = try await EventRecord.query(on: app.db).count()
            let past = try await chat.ana.api.post(url, ["body": "Late", "send_at": Self.iso(clock.now.addingTimeInterval(-60))])
            #expect(past.status == .unprocessableEntity && past.json["error"]["field"].string == "send_at")
            let far = try await chat.ana.api.post(url, ["body": "Far", "send_at": Self.iso(clock.now.addingTimeInterval(121 * 86_400))])
            #expect(far.status == .unprocessableEntity && far.json["error"]["field"].string == "send_at")
            #expect(try await chat.ana.api.post(url, ["body": "When?"]).json["error"]["field"].string == "send_at")
            #expect(try await chat.ana.api.post(url, ["body": "Both", "send_at": Self.iso(clock.now.addingTimeInterval(60)), "at_start_of_day": true])
                .status == .unprocessableEntity)
            #expect(try await chat.ana.api.post(url, ["body": String(repeating: "x", count: 40_001), "send_at": Self.iso(clock.now.addingTimeInterval(60))])
                .json["error"]["field"].string == "body")
            #expect(try await ScheduledMessage.query(on: app.db).count() == 0)
            #expect(try await EventRecord.query(on: app.db).count() == events)

            let scheduled = try await chat.ana.api.post(url, ["body": "Stand-up notes are in", "send_at": Self.iso(clock.now.addingTimeInterval(3600))])
            #expect(scheduled.status == .created && scheduled.json["status"].string == "pending", "\(scheduled.body)")
            let id = try #require(scheduled.json["id"].string)
            #expect(try await chat.ana.api.get("/api/v1/me/scheduled-messages").json["data"].array.count == 1)
            #expect(try await chat.ben.api.get("/api/v1/me/scheduled-messages").json["data"].array.isEmpty)
            #expect(try await chat.ben.api.patch("/api/v1/scheduled-messages/\(id)", ["body": "Mine"]).status == .notFound)
            #expect(try await chat.org.owner.post("/api/v1/scheduled-messages/\(id)/send-now").status == .notFound, "not even admins")

            try await settleJobs(app)
            #expect(try await Message.query(on: app.db).count() == 0, "not yet")
            clock.advance(3601)
            try await settleJobs(app)
            try await settleJobs(app)
            let posted = try await chat.ben.api.get(chat.messages).json["data"].array
            #expect(posted.compactMap { $0["body"].string } == ["Stand-up notes are in"])
            #expect(posted.first?["author_id"].string == chat.ana.id.uuidString)
            let after = try await chat.ana.api.get("/api/v1/me/scheduled-messages?status=sent").json["data"].array
            #expect(after.first?["status"].string == "sent" && after.first?["sent_count"].int == 1)
            #expect(try await chat.ana.api.patch("/api/v1/scheduled-messages/\(id)", ["body": "Again"]).status == .conflict)
            // a delivery run again finds nothing to do
            #expect(try await app.store.write { ctx in try await ScheduleService.deliverDue(ctx: ctx) } == 0)
            #expect(try await Message.query(on: app.db).count() == 1)
        }
    }

    @Test("reschedule, send now, cancel; at the start of the recipient's working day in their time zone", arguments: TestDatabase.available)
    func reschedule(db: TestDatabase) async throws {
        let clock = TestClock()   // Friday 2027-01-15 08:00 UTC
        try await withBaton(db, clock: clock) { app in
            let chat = try await ChatFixture.make(app)
            let url = "/api/v1/channels/\(chat.channelID)/scheduled-messages"
            let first = try #require(try await chat.ana.api.post(url, ["body": "One", "send_at": Self.iso(clock.now.addingTimeInterval(600))]).json["id"].string)
            let moved = try await chat.ana.api.patch("/api/v1/scheduled-messages/\(first)", ["send_at": Self.iso(clock.now.addingTimeInterval(7200)), "version": 0])
            #expect(moved.status == .ok && moved.json["version"].int == 1, "\(moved.body)")
            #expect(try await chat.ana.api.patch("/api/v1/scheduled-messages/\(first)", ["body": "Stale", "version": 0]).status == .conflict)
            clock.advance(900)
            try await settleJobs(app)
            #expect(try await Message.query(on: app.db).count() == 0, "the old time does nothing")

            let second = try #require(try await chat.ana.api.post(url, ["body": "Two", "send_at": Self.iso(clock.now.addingTimeInterval(86_400))]).json["id"].string)
            let now = try await chat.ana.api.post("/api/v1/scheduled-messages/\(second)/send-now")
            #expect(now.json["status"].string == "sent" && now.json["last_message_id"].string != nil)
            #expect(try await chat.ana.api.delete("/api/v1/scheduled-messages/\(first)").status == .noContent)
            clock.advance(7200)
            try await settleJobs(app)
            #expect(try await Message.query(on: app.db).all().map(\.body) == ["Two"])
            #expect(try await chat.ana.api.get("/api/v1/me/scheduled-messages?status=cancelled").json["data"].array.count == 1)

            // Ben works 08:30–17:00 in Tokyo, Monday to Friday: it is Friday 17:15 there now
            let hours = try await chat.ben.api.patch("/api/v1/me", ["time_zone": "Asia/Tokyo", "working_hours": ["days": [1, 2, 3, 4, 5], "start": "08:30", "end": "17:00"]])
            #expect(hours.json["working_hours"]["start"].string == "08:30", "\(hours.body)")
            #expect(try await chat.ben.api.patch("/api/v1/me", ["working_hours": ["days": [], "start": "08:30", "end": "17:00"]])
                .json["error"]["field"].string == "working_hours.days")
            #expect(try await chat.ben.api.patch("/api/v1/me", ["working_hours": ["days": [1], "start": "18:00", "end": "17:00"]])
                .json["error"]["field"].string == "working_hours.end")
            let needsWho = try await chat.ana.api.post(url, ["body": "Morning", "at_start_of_day": true])
            #expect(needsWho.status == .unprocessableEntity && needsWho.json["error"]["field"].string == "recipient_id")
            let direct = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "direct", "member_ids": [chat.ben.id.uuidString]])
                .json["id"].string)
            let morning = try await chat.ana.api.post("/api/v1/channels/\(direct)/scheduled-messages", ["body": "Your review is ready", "at_start_of_day": true])
            #expect(morning.json["recipient_id"].string == chat.ben.id.uuidString)
            // the next start of his day: Monday 2027-01-18 08:30 Tokyo = Sunday 23:30 UTC
            #expect(morning.json["send_at"].string == "2027-01-17T23:30:00Z", "\(morning.body)")
        }
    }

    @Test("a weekly check-in every Monday at 9:00 their time, until cancelled; one to a channel the sender left is not sent, and they are told why",
          arguments: TestDatabase.available)
    func recurringAndFailures(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let chat = try await ChatFixture.make(app)
            _ = try await chat.ben.api.patch("/api/v1/me", ["time_zone": "Europe/Berlin"])
            let direct = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "direct", "member_ids": [chat.ben.id.uuidString]])
                .json["id"].string)
            let weekly = try await chat.ana.api.post("/api/v1/channels/\(direct)/scheduled-messages",
                                                     ["body": "How is the launch going?", "recurrence": ["weekday": 1, "at": "09:00"]])
            #expect(weekly.json["recurrence"]["time_zone"].string == "Europe/Berlin" && weekly.json["send_at"].string == "2027-01-18T08:00:00Z",
                    "\(weekly.body)")
            let id = try #require(weekly.json["id"].string)
            #expect(try await chat.ana.api.post("/api/v1/channels/\(direct)/scheduled-messages", ["body": "x", "recurrence": ["weekday": 9, "at": "09:00"]])
                .json["error"]["field"].string == "recurrence.weekday")
            for _ in 0..<2 {
                clock.advance(7 * 86_400)
                try await settleJobs(app)
            }
            #expect(try await Message.query(on: app.db).filter(\.$channelID == UUID(uuidString: direct)!).count() == 2)
            let pending = try await chat.ana.api.get("/api/v1/me/scheduled-messages").json["data"][0]
            #expect(pending["sent_count"].int == 2 && pending["send_at"].string == "2027-02-01T08:00:00Z")
            #expect(try await chat.ana.api.delete("/api/v1/scheduled-messages/\(id)").status == .noContent)
            clock.advance(7 * 86_400)
            try await settleJobs(app)
            #expect(try await Message.query(on: app.db).filter(\.$channelID == UUID(uuidString: direct)!).count() == 2)

            let url = "/api/v1/channels/\(chat.channelID)/scheduled-messages"
            _ = try await chat.ana.api.post(url, ["body": "For the channel", "send_at": Self.iso(clock.now.addingTimeInterval(600))])
            _ = try await chat.ana.api.delete("/api/v1/channels/\(chat.channelID)/members/\(chat.ana.id)")
            clock.advance(601)
            try await settleJobs(app)
            #expect(try await Message.query(on: app.db).filter(\.$channelID == UUID(uuidString: chat.channelID)!).count() == 0)
            let failed = try await chat.ana.api.get("/api/v1/me/scheduled-messages?status=failed").json["data"][0]
            #expect(failed["failure"].string == "you have left the channel")
            let told = try await EventRecord.query(on: app.db).filter(\.$kind == "message.told").all().map(\.logged)
            #expect(told.count == 1 && told[0].subjectId == chat.ana.id && told[0].data["reason"] == "schedule_failed")
        }
    }

    @Test("those asked to acknowledge are reminded in their working hours, every 4 hours, 3 times at most, until they do",
          arguments: TestDatabase.available)
    func acknowledgementReminders(db: TestDatabase) async throws {
        let clock = TestClock()   // Friday 08:00 UTC
        try await withBaton(db, clock: clock) { app in
            let chat = try await ChatFixture.make(app)
            let message = try await chat.post("Read the new on-call rota", as: chat.org.owner, extra: ["acknowledgement": ["everyone": true]])
            let id = try #require(message["id"].string)
            _ = try await chat.ana.api.post("/api/v1/messages/\(id)/acknowledge")
            func reminders() async throws -> [LoggedEvent] {
                try await EventRecord.query(on: app.db).filter(\.$kind == "message.told").all().map(\.logged)
                    .filter { $0.data["reason"] == "acknowledgement_reminder" }
            }
            clock.advance(4 * 3600 + 60)   // 12:01: within Ben's default 09:00–17:30 (UTC)
            try await settleJobs(app)
            #expect(try await reminders().map(\.subjectId) == [chat.ben.id], "Ana acknowledged; Ben is reminded")
            clock.advance(4 * 3600)        // 16:01
            try await settleJobs(app)
            #expect(try await reminders().count == 2)
            clock.advance(4 * 3600)        // 20:01 Friday: outside his hours; the next is Monday 09:00
            try await settleJobs(app)
            #expect(try await reminders().count == 2)
            clock.advance(3 * 86_400)      // Monday 20:01
            try await settleJobs(app)
            #expect(try await reminders().count == 3)
            clock.advance(7 * 86_400)
            try await settleJobs(app)
            #expect(try await reminders().count == 3, "three at most")
            let ack = try #require(try await MessageAck.query(on: app.db).filter(\.$userID == chat.ben.id).first())
            #expect(ack.remindersSent == 3 && ack.remindAt == nil)
        }
    }
}
