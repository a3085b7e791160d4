import Fluent
import Vapor
import BatonCore

/// The only way reminders change. A reminder is its owner's: anyone else gets 404.
struct ReminderService: Sendable {
    let store: Store

    /// How many reminders one person may have waiting at once.
    static let pendingLimit = 200

    struct Draft: Sendable {
        var remindAt: Date?
        var note: String?
    }

    func create(onTask taskID: UUID, by userID: UUID, _ draft: Draft) async throws -> (Reminder, String) {
        try await store.write { ctx in
            // someone else's task is a 404 whatever the body says
            let (task, _) = try await WorkScope.task(id: taskID, for: userID, on: ctx.db)
            guard let remindAt = draft.remindAt else { throw BatonError.validation("remind_at", "remind_at is required: when to remind you.") }
            let note = try Self.validNote(draft.note ?? "")
            try Self.requireFuture(remindAt, now: ctx.now)
            let pending = try await Reminder.query(on: ctx.db).filter(\.$userID == userID)
                .filter(\.$deliveredAt == nil).filter(\.$cancelledAt == nil).count()
            guard pending < Self.pendingLimit else {
                throw BatonError.validation("remind_at", "You have \(Self.pendingLimit) reminders waiting; cancel some first.")
            }
            let reminder = Reminder()
            reminder.id = UUID()
            reminder.workspaceID = task.workspaceID
            reminder.userID = userID
            reminder.subjectType = "task"
            reminder.subjectID = taskID
            reminder.remindAt = remindAt
            reminder.note = note
            reminder.createdAt = ctx.now
            reminder.updatedAt = ctx.now
            try await ctx.insert(reminder)
            try await Self.schedule(reminder, title: task.title, ctx: ctx)
            ctx.record(NotificationEvent.reminderSet, workspace: task.workspaceID, actor: userID, subject: .user(userID),
                       data: Self.eventData(reminder, title: task.title))
            return (reminder, task.title)
        }
    }

    /// A new time re-arms a reminder that was already delivered; a cancelled one stays cancelled.
    func update(_ id: UUID, by userID: UUID, _ draft: Draft) async throws -> (Reminder, String) {
        try await store.write { ctx in
            let reminder = try await Self.own(id, userID, on: ctx.db)
            if draft.remindAt == nil && draft.note == nil { throw BatonError.validation("remind_at", "Send remind_at, note or both.") }
            let note = try draft.note.map(Self.validNote)
            guard reminder.cancelledAt == nil else { throw BatonError.conflict(nil, "This reminder was cancelled; set a new one.") }
            let (task, _) = try await WorkScope.task(id: reminder.subjectID, for: userID, on: ctx.db)
            if let remindAt = draft.remindAt {
                try Self.requireFuture(remindAt, now: ctx.now)
                reminder.remindAt = remindAt
                reminder.deliveredAt = nil
            }
            if let note { reminder.note = note }
            reminder.updatedAt = ctx.now
            try await reminder.update(on: ctx.db)
            if draft.remindAt != nil { try await Self.schedule(reminder, title: task.title, ctx: ctx) }
            ctx.record(NotificationEvent.reminderChanged, workspace: reminder.workspaceID, actor: userID, subject: .user(userID),
                       data: Self.eventData(reminder, title: task.title))
            return (reminder, task.title)
        }
    }

    func cancel(_ id: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let reminder = try await Self.own(id, userID, on: ctx.db)
            guard reminder.cancelledAt == nil else { return }
            reminder.cancelledAt = ctx.now
            reminder.updatedAt = ctx.now
            try await reminder.update(on: ctx.db)
            ctx.record(NotificationEvent.reminderCancelled, workspace: reminder.workspaceID, actor: userID, subject: .user(userID),
                       data: ["reminder_id": id.uuidString, "task_id": reminder.subjectID.uuidString])
        }
    }

    /// Run by the job at the reminder's time: delivered once, however often the job runs; a job
    /// for a time since changed, or for a cancelled reminder, does nothing.
    static let job = JobDefinition(kind: .reminderDue) { job, app in
        guard let id = job.payload["reminder_id"].flatMap(UUID.init(uuidString:)), let key = job.dedupeKey else { return }
        try await app.store.write { ctx in
            guard let reminder = try await Reminder.find(id, on: ctx.db), reminder.cancelledAt == nil, reminder.deliveredAt == nil,
                  reminder.jobKey == key else { return }
            reminder.deliveredAt = ctx.now
            try await reminder.update(on: ctx.db)
            ctx.record(NotificationEvent.reminderDue, workspace: reminder.workspaceID, actor: nil, subject: .user(reminder.userID),
                       data: eventData(reminder, title: job.payload["title"] ?? "a task"))
        }
    }

    private static func schedule(_ reminder: Reminder, title: String, ctx: WriteContext) async throws {
        try await ctx.enqueue(.reminderDue, payload: ["reminder_id": reminder.id!.uuidString, "title": String(title.prefix(300))],
                              runAt: reminder.remindAt, dedupeKey: reminder.jobKey)
    }

    static func eventData(_ reminder: Reminder, title: String) -> [String: String] {
        ["reminder_id": reminder.id!.uuidString, "task_id": reminder.subjectID.uuidString, "title": title,
         "remind_at": BatonDate.iso(reminder.remindAt), "note": String(reminder.note.prefix(500))]
    }

    static func own(_ id: UUID, _ userID: UUID, on db: any Database) async throws -> Reminder {
        guard let reminder = try await Reminder.find(id, on: db), reminder.userID == userID else { throw BatonError.notFound("Reminder") }
        return reminder
    }

    private static func requireFuture(_ date: Date, now: Date) throws {
        guard BatonDate.isPlausible(date) else { throw BatonError.validation("remind_at", BatonDate.implausibleMessage) }
        guard date > now else { throw BatonError.validation("remind_at", "Choose a time in the future.") }
    }

    private static func validNote(_ raw: String) throws -> String {
        switch DisplayText.validate(raw, label: "note", max: 1000, required: false, lines: true) {
        case .success(let text): return text
        case .failure(let problem): throw BatonError.validation("note", problem.message)
        }
    }
}

extension Request {
    var reminders: ReminderService { ReminderService(store: store) }
}
