import Fluent
import SQLKit
import Foundation
import BatonCore

/// "Did you see it?": whoever a message asks to acknowledge it and has not is reminded through
/// the inbox, every 4 hours of their own working time, at most 3 times. Each ask keeps when its
/// next reminder is due; a job per minute something is due in sends those due, once.
enum AckReminders {
    static let sweep = JobKind("message.remind_acknowledgement")
    static let batchSize = 200

    static let job = JobDefinition(kind: sweep) { _, app in
        while try await app.store.write({ ctx in try await remindDue(ctx: ctx) }) >= batchSize {}
    }

    /// When each newly asked person's first reminder is due, in their working hours.
    static func firstReminders(for people: [UUID], ctx: WriteContext) async throws -> [UUID: Date] {
        guard !people.isEmpty else { return [:] }
        var due: [UUID: Date] = [:]
        for user in try await User.query(on: ctx.db).filter(\.$id ~~ people).all() {
            if let at = AcknowledgementReminders.next(after: ctx.now, sent: 0, hours: user.workingHours) { due[user.id!] = at }
        }
        for at in Set(due.values.map(minute)) { try await queue(at: at, ctx: ctx) }
        return due
    }

    private static func minute(_ date: Date) -> Date { Date(timeIntervalSince1970: (date.timeIntervalSince1970 / 60).rounded(.up) * 60) }

    private static func queue(at date: Date, ctx: WriteContext) async throws {
        let at = minute(date)
        try await ctx.enqueue(sweep, payload: [:], runAt: at, dedupeKey: "ack-sweep:\(Int(at.timeIntervalSince1970))")
    }

    /// Reminds up to a batch of those due now; returns how many it took.
    static func remindDue(ctx: WriteContext) async throws -> Int {
        let skipLocked = (ctx.db as? any SQLDatabase)?.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let due = try await PlainSQL.all(MessageAck.self, on: ctx.db, """
            SELECT * FROM message_acks WHERE acknowledged_at IS NULL AND remind_at <= \(bind: ctx.now)
            ORDER BY remind_at LIMIT \(bind: batchSize)\(unsafeRaw: skipLocked)
            """)
        for ack in due {
            var next: Date?
            if let message = try await MessageService.message(ack.messageID, on: ctx.db), !message.isDeleted,
               let channel = try await PlainSQL.first(MessageChannel.self, on: ctx.db, "SELECT * FROM channels WHERE id = \(bind: ack.channelID)"),
               channel.archivedAt == nil, try await MessageService.member(ack.userID, of: ack.channelID, on: ctx.db) != nil,
               let user = try await User.find(ack.userID, on: ctx.db) {
                var data = MessageService.eventData(message, channel)
                data.removeValue(forKey: EventVisibility.roomKey)
                data["channel_id"] = channel.id!.uuidString
                data["reason"] = "acknowledgement_reminder"
                data["author_id"] = message.authorID?.uuidString ?? ""
                data["count"] = String(ack.remindersSent + 1)
                ctx.record(MessageEvent.told, workspace: ack.workspaceID, actor: message.authorID, subject: .user(ack.userID), data: data)
                next = AcknowledgementReminders.next(after: ctx.now, sent: ack.remindersSent + 1, hours: user.workingHours)
            }
            try await PlainSQL.run(on: ctx.db, """
                UPDATE message_acks SET reminders_sent = reminders_sent + 1, remind_at = \(bind: next) WHERE id = \(bind: ack.id!)
                """)
            if let next { try await queue(at: next, ctx: ctx) }
        }
        return due.count
    }
}
