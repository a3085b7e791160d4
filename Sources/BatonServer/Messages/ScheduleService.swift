import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// Messages written now and sent later. A scheduled message is its author's alone (anyone else
/// hears 404). Delivery is a sweep: a job per second that something is due in posts every
/// pending message due by then, a batch per transaction, each marked sent in the transaction
/// that posts it, so it goes once across restarts and processes (`FOR UPDATE SKIP LOCKED`
/// splits the batches between PostgreSQL nodes; the message's unique delivery key backs it up).
struct ScheduleService: Sendable {
    let store: Store

    static let sweep = JobKind("message.deliver_scheduled")
    static let batchSize = 200

    /// Posts what is due, then keeps to what falls due within the next second (for at most two
    /// seconds of real time, so other jobs are not held up): a message due half-way through a
    /// second goes then, not at the next second's sweep.
    static let job = JobDefinition(kind: sweep) { _, app in
        let stop = ContinuousClock.now + .seconds(2)
        while true {
            if try await app.store.write({ ctx in try await deliverDue(ctx: ctx) }) >= batchSize { continue }
            guard ContinuousClock.now < stop, let next = try await nextDue(on: app.store.reader) else { return }
            let wait = next.timeIntervalSince(app.clock.now())
            guard wait < 1 else { return }
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int(wait * 1000) + 1)) }
        }
    }

    static func nextDue(on db: any Database) async throws -> Date? {
        try await PlainSQL.rows(on: db, "SELECT MIN(send_at) AS next FROM scheduled_messages WHERE status = 'pending'").first?
            .decode(column: "next", as: Date?.self)
    }

    func schedule(_ channelID: UUID, by userID: UUID, _ draft: ScheduleDraft) async throws -> ScheduledMessage {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db)
            try scope.requireMember()
            try scope.requireOpen()
            let scheduled = ScheduledMessage()
            scheduled.id = UUID()
            scheduled.workspaceID = scope.channel.workspaceID
            scheduled.channelID = channelID
            scheduled.authorID = userID
            scheduled.body = draft.body
            scheduled.asksAcknowledgement = draft.asksAcknowledgement
            scheduled.status = ScheduledMessage.Status.pending.rawValue
            scheduled.sentCount = 0
            scheduled.version = 0
            scheduled.createdAt = ctx.now
            scheduled.updatedAt = ctx.now
            try await Self.time(scheduled, draft.timing, recipient: draft.recipientID, scope: scope, ctx: ctx)
            try await ctx.insert(scheduled)
            try await Self.queueSweep(at: scheduled.sendAt, ctx: ctx)
            ctx.record(MessageEvent.scheduled, workspace: scheduled.workspaceID, actor: userID, subject: .scheduled(scheduled),
                       data: Self.eventData(scheduled, scope.channel))
            return scheduled
        }
    }

    func update(_ id: UUID, by userID: UUID, _ patch: SchedulePatch) async throws -> ScheduledMessage {
        try await store.write { ctx in
            let (scheduled, scope) = try await Self.pending(id, of: userID, ctx: ctx)
            if let version = patch.version, version != scheduled.version {
                throw BatonError.conflict("version", "This scheduled message was changed a moment ago: reload to see the change.")
            }
            if let body = patch.body { scheduled.body = body }
            if let asks = patch.asksAcknowledgement { scheduled.asksAcknowledgement = asks }
            if patch.timing != nil || patch.recipientID != nil {
                let timing = patch.timing ?? Self.timing(of: scheduled)
                try await Self.time(scheduled, timing, recipient: patch.recipientID ?? scheduled.recipientID, scope: scope, ctx: ctx)
                try await Self.queueSweep(at: scheduled.sendAt, ctx: ctx)
            }
            scheduled.version += 1
            scheduled.updatedAt = ctx.now
            try await Self.save(scheduled, ctx: ctx)
            ctx.record(MessageEvent.scheduleChanged, workspace: scheduled.workspaceID, actor: userID, subject: .scheduled(scheduled),
                       data: Self.eventData(scheduled, scope.channel))
            return scheduled
        }
    }

    func cancel(_ id: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let (scheduled, scope) = try await Self.pending(id, of: userID, ctx: ctx)
            scheduled.status = ScheduledMessage.Status.cancelled.rawValue
            scheduled.version += 1
            scheduled.updatedAt = ctx.now
            try await Self.save(scheduled, ctx: ctx)
            ctx.record(MessageEvent.scheduleCancelled, workspace: scheduled.workspaceID, actor: userID, subject: .scheduled(scheduled),
                       data: Self.eventData(scheduled, scope.channel))
        }
    }

    /// Sends it now; a weekly check-in then waits for its next week.
    func sendNow(_ id: UUID, by userID: UUID) async throws -> ScheduledMessage {
        try await store.write { ctx in
            let (scheduled, _) = try await Self.pending(id, of: userID, ctx: ctx)
            try await Self.deliver(scheduled, ctx: ctx)
            return scheduled
        }
    }

    // MARK: reading

    /// The caller's own pending scheduled message, locked; 404 for anyone else's.
    private static func pending(_ id: UUID, of userID: UUID, ctx: WriteContext) async throws -> (ScheduledMessage, ChannelScope) {
        let scheduled = try await find(id, of: userID, on: ctx.db, lockingRow: true)
        guard scheduled.status == ScheduledMessage.Status.pending.rawValue else {
            throw BatonError.conflict(nil, "This message is \(scheduled.status) already: nothing left to change.")
        }
        let scope = try await ChannelScope.channel(scheduled.channelID, for: userID, on: ctx.db)
        return (scheduled, scope)
    }

    static func find(_ id: UUID, of userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> ScheduledMessage {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let scheduled = try await PlainSQL.first(ScheduledMessage.self, on: db, """
            SELECT * FROM scheduled_messages WHERE id = \(bind: id)\(unsafeRaw: lock)
            """), scheduled.authorID == userID else { throw BatonError.notFound("Scheduled message") }
        _ = try await Tenancy.access(scheduled.workspaceID, for: userID, on: db)
        return scheduled
    }

    static func timing(of scheduled: ScheduledMessage) -> ScheduleTiming {
        if let text = scheduled.recurrence, let recurrence = try? StoredJSON.decode(MessageSchedule.Recurrence.self, text) {
            return .weekly(weekday: recurrence.weekday, at: recurrence.at, timeZone: recurrence.timeZone)
        }
        return scheduled.atStartOfDay ? .startOfDay : .at(scheduled.sendAt)
    }

    // MARK: inside a write

    /// Sets when it goes: the recipient (who must be in the channel) lends their working day and
    /// time zone; never in the past, nor beyond 120 days.
    private static func time(_ scheduled: ScheduledMessage, _ timing: ScheduleTiming, recipient given: UUID?, scope: ChannelScope,
                             ctx: WriteContext) async throws {
        var recipientID = given
        let members = try await ChannelService.memberIDs(of: scope.channelID, on: ctx.db)
        if let given, !members.contains(given) { throw BatonError.validation("recipient_id", "That person is not in this channel.") }
        if recipientID == nil, scope.channel.channelKind == .direct, members.count == 2 { recipientID = members.first { $0 != scope.userID } }
        if timing.needsRecipient, recipientID == nil {
            throw BatonError.validation("recipient_id", "Say whose working day to wait for: recipient_id.")
        }
        let sender = try await User.find(scope.userID, on: ctx.db)
        let recipient = try await recipientID.asyncMap { try await User.find($0, on: ctx.db) } ?? nil
        let hours = (recipient ?? sender)?.workingHours ?? WorkingHours()
        scheduled.recipientID = recipientID
        scheduled.atStartOfDay = timing == .startOfDay
        scheduled.recurrence = nil
        let send: Date
        switch timing {
        case .at(let date):
            send = try result(MessageSchedule.sendTime(.at(date), recipientHours: hours, now: ctx.now))
        case .startOfDay:
            send = try result(MessageSchedule.sendTime(.startOfDay, recipientHours: hours, now: ctx.now))
        case .weekly(let weekday, let at, let zone):
            let recurrence = MessageSchedule.Recurrence(weekday: weekday, at: at, timeZone: zone ?? hours.timeZone)
            if let problem = recurrence.problem() { throw BatonError.validation(problem.field, problem.message) }
            guard let next = recurrence.next(after: ctx.now) else { throw BatonError.validation("recurrence", "No such time.") }
            scheduled.recurrence = try StoredJSON.encode(recurrence)
            send = next
        }
        scheduled.sendAt = send
    }

    private static func result(_ outcome: Result<Date, MessageSchedule.Problem>) throws -> Date {
        switch outcome {
        case .success(let date): return date
        case .failure(let problem): throw BatonError.validation(problem.field, problem.message)
        }
    }

    static func queueSweep(at date: Date, ctx: WriteContext) async throws {
        let second = Int(date.timeIntervalSince1970.rounded(.up))
        try await ctx.enqueue(sweep, payload: [:], runAt: Date(timeIntervalSince1970: Double(second)), dedupeKey: "scheduled-sweep:\(second)")
    }

    /// Posts up to a batch of the pending messages due now; returns how many it took.
    static func deliverDue(ctx: WriteContext) async throws -> Int {
        let skipLocked = (ctx.db as? any SQLDatabase)?.dialect.name == "postgresql" ? " FOR UPDATE SKIP LOCKED" : ""
        let due = try await PlainSQL.all(ScheduledMessage.self, on: ctx.db, """
            SELECT * FROM scheduled_messages WHERE status = 'pending' AND send_at <= \(bind: ctx.now)
            ORDER BY send_at LIMIT \(bind: batchSize)\(unsafeRaw: skipLocked)
            """)
        for scheduled in due { try await deliver(scheduled, ctx: ctx) }
        return due.count
    }

    /// Posts it as its author, unless they have left the channel, the channel is archived or the
    /// person it waits for is no longer active: then it is not sent, and the author is told why.
    static func deliver(_ scheduled: ScheduledMessage, ctx: WriteContext) async throws {
        let channel = try await PlainSQL.first(MessageChannel.self, on: ctx.db, "SELECT * FROM channels WHERE id = \(bind: scheduled.channelID)")
        let active = try await activePeople([scheduled.authorID] + (scheduled.recipientID.map { [$0] } ?? []), in: scheduled.workspaceID, on: ctx.db)
        var why: String?
        if channel == nil || channel?.archivedAt != nil {
            why = "the channel was archived"
        } else if !active.contains(scheduled.authorID) {
            why = "you are no longer active in the workspace"
        } else if try await MessageService.member(scheduled.authorID, of: scheduled.channelID, on: ctx.db) == nil {
            why = "you have left the channel"
        } else if let recipient = scheduled.recipientID, !active.contains(recipient) {
            why = "the person it was for is no longer active"
        }
        if let why {
            scheduled.status = ScheduledMessage.Status.failed.rawValue
            scheduled.failure = why
            scheduled.updatedAt = ctx.now
            try await save(scheduled, ctx: ctx)
            var data = channel.map { eventData(scheduled, $0) } ?? ["scheduled_id": scheduled.id!.uuidString, "send_at": BatonDate.iso(scheduled.sendAt)]
            data["reason"] = "schedule_failed"
            data["why"] = why
            ctx.record(MessageEvent.told, workspace: scheduled.workspaceID, actor: nil, subject: .user(scheduled.authorID), data: data)
            return
        }
        guard let channel else { return }
        let occurrence = scheduled.sentCount + 1
        let message = try await MessageService.post(MessageDraft(body: scheduled.body, everyone: scheduled.asksAcknowledgement), in: channel, root: nil,
                                                    author: .person(scheduled.authorID), ctx: ctx,
                                                    deliveryKey: "\(scheduled.id!.uuidString):\(occurrence)")
        scheduled.sentCount = occurrence
        scheduled.lastMessageID = message.id
        scheduled.lastSentAt = ctx.now
        scheduled.updatedAt = ctx.now
        if let text = scheduled.recurrence, let recurrence = try? StoredJSON.decode(MessageSchedule.Recurrence.self, text),
           let next = recurrence.next(after: max(ctx.now, scheduled.sendAt)) {
            scheduled.sendAt = next
            try await queueSweep(at: next, ctx: ctx)
        } else {
            scheduled.status = ScheduledMessage.Status.sent.rawValue
        }
        try await save(scheduled, ctx: ctx)
    }

    private static func activePeople(_ ids: [UUID], in workspaceID: UUID, on db: any Database) async throws -> Set<UUID> {
        Set(try await PlainSQL.rows(on: db, """
            SELECT user_id FROM memberships WHERE workspace_id = \(bind: workspaceID) AND deactivated_at IS NULL AND user_id IN (\(binds: ids))
            """).map { try $0.decode(column: "user_id", as: UUID.self) })
    }

    private static func save(_ scheduled: ScheduledMessage, ctx: WriteContext) async throws {
        try await PlainSQL.run(on: ctx.db, """
            UPDATE scheduled_messages SET body = \(bind: scheduled.body), send_at = \(bind: scheduled.sendAt), recipient_id = \(bind: scheduled.recipientID),
                at_start_of_day = \(bind: scheduled.atStartOfDay), recurrence = \(bind: scheduled.recurrence),
                asks_acknowledgement = \(bind: scheduled.asksAcknowledgement), status = \(bind: scheduled.status), failure = \(bind: scheduled.failure),
                sent_count = \(bind: scheduled.sentCount), last_message_id = \(bind: scheduled.lastMessageID), last_sent_at = \(bind: scheduled.lastSentAt),
                version = \(bind: scheduled.version), updated_at = \(bind: scheduled.updatedAt)
            WHERE id = \(bind: scheduled.id!)
            """)
    }

    static func eventData(_ scheduled: ScheduledMessage, _ channel: MessageChannel) -> [String: String] {
        var data = ChannelScope.eventData(channel)
        data.removeValue(forKey: EventVisibility.roomKey)
        data["scheduled_id"] = scheduled.id!.uuidString
        data["channel_id"] = channel.id!.uuidString
        data["send_at"] = BatonDate.iso(scheduled.sendAt)
        return data
    }
}

extension EventSubject {
    static func scheduled(_ scheduled: ScheduledMessage) -> EventSubject { .init(type: "scheduled_message", id: scheduled.id) }
}

extension Request {
    var schedules: ScheduleService { ScheduleService(store: application.store) }
}
