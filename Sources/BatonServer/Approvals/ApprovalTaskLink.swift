import Fluent
import Foundation
import BatonCore

/// A request about a task: linked (shown on the task), and optionally the task waits for it —
/// blocked, through Work's own service, until the request is decided.
enum ApprovalTaskLink {
    static let reasonPrefix = "Waiting for approval: "

    static func attach(_ taskID: UUID, request: ApprovalRequest, block: Bool, access: WorkspaceAccess, ctx: WriteContext) async throws {
        let task: WorkTask
        let scope: WorkScope.ProjectAccess
        do {
            (task, scope) = try await WorkScope.task(id: taskID, for: access.userID, on: ctx.db, lockingRow: true)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.validation("task_id", "No such task that you can see.")
        }
        guard task.workspaceID == access.workspaceID else { throw BatonError.validation("task_id", "No such task that you can see.") }
        guard block else { return }
        var changes = TaskChanges()
        changes.blocked = true
        // the template's name, not the request's title: the task's people need not see the values
        changes.blockedReason = String((reasonPrefix + (try await ApprovalTemplate.find(request.templateID, on: ctx.db)?.name ?? "a request")).prefix(500))
        do {
            try await WorkService.update(task, scope: scope, stages: try await WorkService.stages(of: task.projectID, ctx: ctx), changes, ctx: ctx)
        } catch let error as BatonError where error.status == .forbidden {
            throw BatonError.validation("waiting_for_approval", "You cannot mark this task as blocked.")
        }
    }

    /// Unblocks the task once its request is decided, if it still waits for this request: as the
    /// person who decided when they may edit it, else as the requester.
    static func release(_ request: ApprovalRequest, actor: UUID?, ctx: WriteContext) async throws {
        guard let taskID = request.taskID else { return }
        // another open request the task waits for keeps it blocked
        let others = try await PlainSQL.rows(on: ctx.db, """
            SELECT 1 FROM approval_requests WHERE task_id = \(bind: taskID) AND blocks_task = \(bind: true) AND id <> \(bind: request.id!)
              AND status IN ('pending', 'changes_requested') LIMIT 1
            """)
        guard others.isEmpty else { return }
        for person in [actor, request.requesterID].compactMap({ $0 }) {
            guard let (task, scope) = try? await WorkScope.task(id: taskID, for: person, on: ctx.db, lockingRow: true) else { continue }
            guard task.blocked, task.blockedReason?.hasPrefix(reasonPrefix) == true else { return }
            var changes = TaskChanges()
            changes.blocked = false
            do {
                try await WorkService.update(task, scope: scope, stages: try await WorkService.stages(of: task.projectID, ctx: ctx), changes, ctx: ctx)
                return
            } catch let error as BatonError where error.status == .forbidden {
                continue
            }
        }
    }
}
