import Fluent
import Vapor
import BatonCore

/// The handoff itself: accepting, asking for clarification, acceptance items, checkpoints, comments.
extension WorkService {
    /// Loads a task the caller may do `action` to, inside the transaction, with its row locked
    /// (on PostgreSQL) so that a second change to the same task waits for this one to commit.
    static func editable(_ taskID: UUID, _ userID: UUID, _ action: WorkPermission.TaskAction,
                         ctx: WriteContext) async throws -> (WorkTask, WorkScope.ProjectAccess, DelegationStanding) {
        let (task, scope) = try await WorkScope.task(id: taskID, for: userID, on: ctx.db, lockingRow: true)
        try require(action, on: task, scope)
        return (task, scope, DelegationStanding(task, scope))
    }

    /// A change beside the task's own row (an item, a comment) still moves its version, written
    /// as `version = read + 1 WHERE version = read`: two writers can never collapse into one version.
    static func touch(_ task: WorkTask, progress: Bool, ctx: WriteContext) async throws {
        if progress { task.progressAt = ctx.now }
        try await GuardedTaskSave.saveNextVersion(task, readAtVersion: task.version, ctx: ctx)
    }

    func acceptHandoff(_ taskID: UUID, by userID: UUID) async throws -> WorkTask {
        try await store.write { ctx in
            let (task, _, _) = try await Self.editable(taskID, userID, .answerHandoff, ctx: ctx)
            guard task.assigneeID == userID else { throw BatonError.forbidden("Only the assignee can accept the handoff.") }
            guard task.handoffAcceptedAt == nil else { throw BatonError.conflict(nil, "You accepted this handoff already.") }
            task.handoffAcceptedAt = ctx.now
            task.clarificationRequestedAt = nil
            task.clarificationQuestion = nil
            ctx.record(WorkEvent.taskHandoffAccepted, workspace: task.workspaceID, actor: userID, subject: .task(task),
                       data: ["title": task.title, "delegator": task.delegatorID?.uuidString ?? ""])
            try await Self.touch(task, progress: true, ctx: ctx)
            return task
        }
    }

    /// The question goes to the delegator (the event names them; notifications pick it up).
    func askClarification(_ taskID: UUID, by userID: UUID, question rawQuestion: String) async throws -> WorkTask {
        let question = try DisplayText.validate(rawQuestion, label: "Question", max: 2000, lines: true).orFail(field: "question")
        return try await store.write { ctx in
            let (task, _, _) = try await Self.editable(taskID, userID, .answerHandoff, ctx: ctx)
            guard task.assigneeID == userID else { throw BatonError.forbidden("Only the assignee can ask about the handoff.") }
            task.clarificationRequestedAt = ctx.now
            task.clarificationQuestion = question
            ctx.record(WorkEvent.taskClarificationRequested, workspace: task.workspaceID, actor: userID, subject: .task(task),
                       data: ["title": task.title, "question": question, "delegator": task.delegatorID?.uuidString ?? ""])
            try await Self.touch(task, progress: false, ctx: ctx)
            return task
        }
    }

    // MARK: acceptance checklist

    func addChecklistItem(_ taskID: UUID, by userID: UUID, text: String) async throws -> ChecklistItem {
        try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editChecklist, ctx: ctx)
            try await standing.require(.editBrief, subject: "the acceptance items", on: ctx.db)
            let count = try await ChecklistItem.query(on: ctx.db).filter(\.$taskID == taskID).count()
            let item = try await Self.addChecklistItem(task, text: text, position: count, actor: userID, ctx: ctx, record: true)
            try await Self.touch(task, progress: false, ctx: ctx)
            return item
        }
    }

    @discardableResult
    static func addChecklistItem(_ task: WorkTask, text raw: String, position: Int, actor: UUID, ctx: WriteContext,
                                 record: Bool) async throws -> ChecklistItem {
        let text = try DisplayText.validate(raw, label: "Acceptance item", max: 300).orFail(field: "text")
        let item = ChecklistItem()
        item.taskID = try task.requireID()
        item.position = position
        item.text = text
        try await item.create(on: ctx.db)
        if record {
            ctx.record(WorkEvent.taskChecklistItemAdded, workspace: task.workspaceID, actor: actor, subject: .task(task),
                       data: ["title": task.title, "item": text])
        }
        return item
    }

    enum ChecklistChange: Sendable {
        case check, uncheck
        case waive(reason: String)
    }

    func changeChecklistItem(_ taskID: UUID, itemID: UUID, by userID: UUID, _ change: ChecklistChange) async throws -> ChecklistItem {
        try await store.write { ctx in
            let action: WorkPermission.TaskAction
            if case .waive = change { action = .editChecklist } else { action = .tickChecklistItem }
            let (task, _, standing) = try await Self.editable(taskID, userID, action, ctx: ctx)
            let item = try await Self.checklistItem(itemID, of: taskID, ctx: ctx)
            switch change {
            case .check: try await standing.require(.tickItem, subject: item.text, on: ctx.db)
            case .uncheck:
                let action = DelegationRights.untickAction(tickedBy: item.checkedBy, by: userID, waived: item.waivedReason != nil,
                                                           submitted: task.acceptanceRequestedAt != nil)
                try await standing.require(action, subject: item.text, on: ctx.db)
            case .waive: try await standing.require(.waiveItem, subject: item.text, on: ctx.db)
            }
            var data = ["title": task.title, "item": item.text]
            let kind: WorkEvent
            switch change {
            case .check:
                item.checkedAt = ctx.now
                item.checkedBy = userID
                kind = .taskChecklistChecked
            case .uncheck:
                item.checkedAt = nil
                item.checkedBy = nil
                item.waivedReason = nil
                kind = .taskChecklistUnchecked
            case .waive(let raw):
                let reason = try DisplayText.validate(raw, label: "Reason", max: 500, lines: true).orFail(field: "reason")
                item.waivedReason = reason
                item.waiverRequestReason = nil
                item.waiverRequestedBy = nil
                item.waiverRequestedAt = nil
                data["reason"] = reason
                kind = .taskChecklistWaived
            }
            try await item.save(on: ctx.db)
            ctx.record(kind, workspace: task.workspaceID, actor: userID, subject: .task(task), data: data)
            try await Self.touch(task, progress: true, ctx: ctx)
            return item
        }
    }

    // MARK: checkpoints

    func addCheckpoint(_ taskID: UUID, by userID: UUID, title: String, dueAt: Date) async throws -> Checkpoint {
        try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editCheckpoints, ctx: ctx)
            try await standing.require(.editBrief, subject: "the checkpoints", on: ctx.db)
            let checkpoint = try await Self.addCheckpoint(task, title: title, dueAt: dueAt, actor: userID, ctx: ctx, record: true)
            try await Self.touch(task, progress: false, ctx: ctx)
            return checkpoint
        }
    }

    @discardableResult
    static func addCheckpoint(_ task: WorkTask, title raw: String, dueAt: Date, actor: UUID, ctx: WriteContext,
                              record: Bool) async throws -> Checkpoint {
        let title = try DisplayText.validate(raw, label: "Checkpoint", max: 200).orFail(field: "title")
        guard BatonDate.isPlausible(dueAt) else { throw BatonError.validation("due_at", BatonDate.implausibleMessage) }
        let checkpoint = Checkpoint()
        checkpoint.taskID = try task.requireID()
        checkpoint.title = title
        checkpoint.dueAt = dueAt
        checkpoint.note = ""
        try await checkpoint.create(on: ctx.db)
        if record {
            ctx.record(WorkEvent.taskCheckpointAdded, workspace: task.workspaceID, actor: actor, subject: .task(task),
                       data: ["title": task.title, "checkpoint": title, "due_at": BatonDate.iso(dueAt)])
        }
        return checkpoint
    }

    func reviewCheckpoint(_ taskID: UUID, checkpointID: UUID, by userID: UUID, status: CheckpointStatus,
                          note rawNote: String) async throws -> Checkpoint {
        let note = try DisplayText.validate(rawNote, label: "Note", max: 2000, required: false, lines: true).orFail(field: "note")
        return try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editCheckpoints, ctx: ctx)
            let checkpoint = try await Self.checkpoint(checkpointID, of: taskID, ctx: ctx)
            try await standing.require(.reviewCheckpoint, on: ctx.db)
            checkpoint.status = status
            checkpoint.note = note
            checkpoint.reviewedAt = ctx.now
            checkpoint.reviewedBy = userID
            try await checkpoint.save(on: ctx.db)
            ctx.record(WorkEvent.taskCheckpointReviewed, workspace: task.workspaceID, actor: userID, subject: .task(task),
                       data: ["title": task.title, "checkpoint": checkpoint.title, "status": status.rawValue, "note": note])
            try await Self.touch(task, progress: true, ctx: ctx)
            return checkpoint
        }
    }

    static func checklistItem(_ itemID: UUID, of taskID: UUID, ctx: WriteContext) async throws -> ChecklistItem {
        guard let item = try await ChecklistItem.query(on: ctx.db).filter(\.$id == itemID).filter(\.$taskID == taskID).first() else {
            throw BatonError.notFound("Acceptance item")
        }
        return item
    }

    static func checkpoint(_ checkpointID: UUID, of taskID: UUID, ctx: WriteContext) async throws -> Checkpoint {
        guard let checkpoint = try await Checkpoint.query(on: ctx.db).filter(\.$id == checkpointID).filter(\.$taskID == taskID).first() else {
            throw BatonError.notFound("Checkpoint")
        }
        return checkpoint
    }

    // MARK: comments

    /// Markdown with @mentions; a mention is someone's email handle (tom for tom@acme.test).
    func comment(_ taskID: UUID, by userID: UUID, body rawBody: String) async throws -> TaskComment {
        let body = try DisplayText.validate(rawBody, label: "Comment", max: 10_000, lines: true).orFail(field: "body")
        return try await store.write { ctx in
            let (task, scope) = try await WorkScope.task(id: taskID, for: userID, on: ctx.db, lockingRow: true)
            return try await Self.comment(on: task, scope: scope, body: body, ctx: ctx)
        }
    }

    /// Inside a transaction (a rule's comment action): `body` is already validated.
    static func comment(on task: WorkTask, scope: WorkScope.ProjectAccess, body: String, ctx: WriteContext) async throws -> TaskComment {
        let userID = scope.access.userID
        let taskID = try task.requireID()
        let handles = Set(Mentions.handles(in: body))
        var mentioned: [UUID] = []
        if !handles.isEmpty {
            let members = try await Tenancy.query(scope.access, Membership.self, on: ctx.db)
                .filter(\.$deactivatedAt == nil).with(\.$user).all()
            mentioned = members.filter { handles.contains(Mentions.handle(forEmail: $0.user.email)) }.map(\.$user.id)
        }
        let comment = TaskComment()
        comment.taskID = taskID
        comment.authorID = userID
        comment.body = body
        comment.mentions = mentioned.map(\.uuidString).joined(separator: ";")
        comment.createdAt = ctx.now
        try await comment.create(on: ctx.db)
        ctx.record(WorkEvent.taskCommented, workspace: task.workspaceID, actor: userID, subject: .task(task), data: [
            "title": task.title, "comment_id": try comment.requireID().uuidString,
            "mentions": comment.mentions, "excerpt": String(body.prefix(140)),
        ])
        try await Self.touch(task, progress: task.assigneeID == userID, ctx: ctx)
        return comment
    }
}
