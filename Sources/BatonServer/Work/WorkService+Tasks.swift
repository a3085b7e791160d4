import Fluent
import Vapor
import BatonCore

extension WorkService {
    func createTask(_ scope: WorkScope.ProjectAccess, _ changes: TaskChanges) async throws -> WorkTask {
        guard WorkPermission.canCreateTasks(role: scope.access.role) else { throw BatonError.forbidden("Guests cannot create tasks.") }
        guard changes.title != nil else { throw BatonError.validation("title", "Title is required.") }
        guard scope.project.archivedAt == nil else { throw BatonError.conflict(nil, "This project is archived: restore it to add work.") }
        return try await store.write { ctx in
            try await Self.createTask(scope, changes, ctx: ctx)
        }
    }

    /// Inside a transaction, for single creates, bulk imports and the demo alike.
    static func createTask(_ scope: WorkScope.ProjectAccess, _ changes: TaskChanges, ctx: WriteContext,
                           cache: WorkCache? = nil) async throws -> WorkTask {
        let stages: [Stage]
        if let cached = cache?.stages { stages = cached } else { stages = try await Self.stages(of: scope.projectID, ctx: ctx) }
        guard let firstStage = stages.first(where: { $0.category == .todo }) ?? stages.first else {
            throw BatonError.validation("stage_id", "This project has no stages.")
        }
        let task = WorkTask()
        task.id = UUID()
        task.workspaceID = scope.access.workspaceID
        task.projectID = scope.projectID
        task.title = ""
        task.description = ""
        task.stageID = try firstStage.requireID()
        task.stageCategory = firstStage.category
        task.priority = .normal
        task.timeZone = "UTC"
        task.blocked = false
        task.tags = ""
        task.version = 1
        task.createdBy = scope.access.userID
        task.createdAt = ctx.now
        task.updatedAt = ctx.now
        task.progressAt = ctx.now
        task.outcome = ""
        task.constraints = ""
        task.successCriteria = ""
        task.decisionRights = "{}"
        task.stretch = false
        task.skills = ""
        var apply = TaskApplier(task: task, scope: scope, stages: stages, ctx: ctx, isNew: true, cache: cache)
        try await apply.validateAndSet(changes)
        try await ctx.insert(task)
        if !ctx.isPreparing { try await TaskNumbers.assign(workspace: task.workspaceID, inOrder: [try task.requireID()], ctx: ctx) }
        ctx.record(WorkEvent.taskCreated, workspace: task.workspaceID, actor: scope.access.userID, subject: .task(task),
                   data: ["title": task.title, "project_id": scope.projectID.uuidString, "stage": firstStage.name])
        try await apply.writeRelated(changes)
        if let checklist = changes.brief?.checklist {
            for (position, text) in checklist.enumerated() {
                try await addChecklistItem(task, text: text, position: position, actor: scope.access.userID, ctx: ctx, record: false)
            }
        }
        if let checkpoints = changes.brief?.checkpoints {
            for checkpoint in checkpoints {
                try await addCheckpoint(task, title: checkpoint.title, dueAt: checkpoint.dueAt, actor: scope.access.userID, ctx: ctx, record: false)
            }
        }
        return task
    }

    /// PATCH: `version` must match the stored one (optimistic concurrency, 409 otherwise). The task,
    /// the caller's access and the stages are read before the write lock; the write then holds the
    /// lock only for its UPDATE (guarded by the version read) and its events.
    func updateTask(_ taskID: UUID, for userID: UUID, version: Int?, _ changes: TaskChanges) async throws -> WorkTask {
        let (task, scope, stages) = try await WorkScope.taskForChange(id: taskID, for: userID, on: store.pointReader)
        try Self.require(.moveStage, on: task, scope)
        if let version, version != task.version {
            throw BatonError.conflict("version", "Someone else changed this task (now version \(task.version)). Reload and try again.")
        }
        return try await store.write { ctx in
            try await Self.update(task, scope: scope, stages: stages, changes, ctx: ctx)
            return task
        }
    }

    /// Applies `changes` to a task read at its current version (inside or before this transaction).
    static func update(_ task: WorkTask, scope: WorkScope.ProjectAccess, stages: [Stage], _ changes: TaskChanges,
                       ctx: WriteContext) async throws {
        let readAtVersion = task.version
        let mayEditDetails = WorkPermission.can(.editDetails, role: scope.access.role, isAssignee: task.assigneeID == scope.access.userID)
        var apply = TaskApplier(task: task, scope: scope, stages: stages, ctx: ctx, isNew: false)
        // Judged on what really changed (a form posts every field, changed or not), and before
        // any validation error, so that a guest learns what they may do rather than what was wrong.
        func requireDetailsAllowed() throws {
            guard apply.changedDetails, !mayEditDetails else { return }
            throw BatonError.forbidden("Guests can move their tasks through stages, tick acceptance items and answer the handoff, nothing more.")
        }
        do {
            try await apply.validateAndSet(changes)
            try await apply.writeRelated(changes)
        } catch {
            try requireDetailsAllowed()
            throw error
        }
        try requireDetailsAllowed()
        if apply.changed {
            task.version += 1
            task.updatedAt = ctx.now
        }
        try await GuardedTaskSave.save(task, readAtVersion: readAtVersion, ctx: ctx)
    }

    static func require(_ action: WorkPermission.TaskAction, on task: WorkTask, _ scope: WorkScope.ProjectAccess) throws {
        guard WorkPermission.can(action, role: scope.access.role, isAssignee: task.assigneeID == scope.access.userID) else {
            throw BatonError.forbidden(task.assigneeID == scope.access.userID
                ? "Guests can move their tasks through stages, tick acceptance items and answer the handoff, nothing more."
                : "Guests can change only the tasks assigned to them.")
        }
    }

    /// Moves a task between stages of its project, or changes its stage's category under it
    /// (`from` is then the stage as it was): the done rule, completion time, reopen, the event.
    static func moveStage(_ task: WorkTask, from: Stage, to: Stage, actor: UUID, ctx: WriteContext, enforceChecklist: Bool = true,
                          field: String = "stage_id") async throws {
        guard from.id != to.id || from.category != to.category else { return }
        let taskID = try task.requireID()
        if to.category == .done && task.stageCategory != .done && enforceChecklist {
            let open = try await openAcceptanceItems(of: taskID, ctx: ctx)
            if !open.isEmpty { throw BatonError.validation(field, CompletionRule.message(for: open)) }
        }
        let reopened = task.stageCategory == .done && to.category != .done
        task.stageID = try to.requireID()
        task.stageCategory = to.category
        task.completedAt = to.category == .done ? (task.completedAt ?? ctx.now) : nil
        if reopened { task.completedAt = nil }
        task.progressAt = ctx.now
        ctx.record(WorkEvent.taskStageChanged, workspace: task.workspaceID, actor: actor, subject: .task(task), data: [
            "title": task.title, "from": from.name, "to": to.name, "from_category": from.category.rawValue,
            "to_category": to.category.rawValue, "reopened": reopened ? "true" : "false",
        ])
    }

    /// The acceptance items that keep a task from being done (neither checked nor waived).
    static func openAcceptanceItems(of taskID: UUID, ctx: WriteContext) async throws -> [String] {
        let items = try await ChecklistItem.query(on: ctx.db).filter(\.$taskID == taskID).sort(\.$position).all()
        return CompletionRule.openItems(items.map(\.rule))
    }

    /// One action: move a task to another stage of its project.
    func changeStage(_ taskID: UUID, for userID: UUID, to stageID: UUID, version: Int?) async throws -> WorkTask {
        try await updateTask(taskID, for: userID, version: version, TaskChanges(stageID: stageID))
    }
}
