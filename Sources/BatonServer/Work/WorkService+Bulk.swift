import Fluent
import Vapor
import BatonCore

/// Some tasks of a bulk edit would refuse the change: nothing was written.
struct BulkRefused: Error, Sendable {
    struct Failure: Sendable { let taskID: UUID; let title: String; let message: String }
    let failures: [Failure]
    let total: Int

    var message: String {
        let listed = FirstFew.text(failures.map { "“\($0.title)”: \($0.message)" }, separator: "; ")
        return "\(failures.count) of \(total) tasks cannot take this change (\(listed)). Nothing changed; "
            + "send skip_failing: true to change the other \(total - failures.count)."
    }
}

extension WorkService {
    /// Changes stage, assignee or due date of many tasks in one transaction, one event per task.
    /// If any task refuses (an open checklist, a delegation right, …) nothing changes and
    /// `BulkRefused` says which and why; with `skipFailing` the others change and those stay.
    func bulkUpdate(_ scope: WorkScope.ProjectAccess, taskIDs: [UUID], _ changes: TaskChanges,
                    skipFailing: Bool = false) async throws -> [WorkTask] {
        guard WorkPermission.canCreateTasks(role: scope.access.role) else { throw BatonError.forbidden("Guests cannot edit tasks in bulk.") }
        guard !taskIDs.isEmpty, taskIDs.count <= 500 else { throw BatonError.validation("task_ids", "Choose from 1 to 500 tasks.") }
        let allowed = TaskChanges(assigneeID: changes.assigneeID, stageID: changes.stageID, dueAt: changes.dueAt)
        guard !allowed.isEmpty else { throw BatonError.validation("changes", "Set stage_id, assignee_id or due_at.") }
        // First pass, rolled back: which tasks refuse. Second: the change, to those that take it.
        let failures = try await attempt(scope, taskIDs: taskIDs, allowed, keep: false)
        if !failures.isEmpty && !skipFailing { throw BulkRefused(failures: failures, total: taskIDs.count) }
        let refused = Set(failures.map(\.taskID))
        let remaining = taskIDs.filter { !refused.contains($0) }
        guard !remaining.isEmpty else { throw BulkRefused(failures: failures, total: taskIDs.count) }
        var changed: [WorkTask] = []
        let late = try await attempt(scope, taskIDs: remaining, allowed, keep: true) { changed = $0 }
        // something changed in between: nothing was written
        if !late.isEmpty { throw BulkRefused(failures: failures + late, total: taskIDs.count) }
        return changed
    }

    /// Undoes the transaction, carrying out what it found.
    private struct Rollback: Error { let failures: [BulkRefused.Failure] }

    /// Applies `changes` to each task in one transaction and returns the refusals; the transaction
    /// commits only when `keep` and nothing was refused.
    private func attempt(_ scope: WorkScope.ProjectAccess, taskIDs: [UUID], _ changes: TaskChanges, keep: Bool,
                         done: ([WorkTask]) -> Void = { _ in }) async throws -> [BulkRefused.Failure] {
        do {
            let tasks = try await store.write { ctx in
                let tasks = try await WorkTask.query(on: ctx.db).filter(\.$id ~~ taskIDs).filter(\.$projectID == scope.projectID).all()
                let found = Set(tasks.compactMap(\.id))
                if let missing = taskIDs.first(where: { !found.contains($0) }) {
                    throw BatonError.validation("task_ids", "Task \(missing) is not in this project.")
                }
                let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
                var refused: [BulkRefused.Failure] = []
                for task in tasks {
                    do {
                        try await Self.update(task, scope: scope, stages: stages, changes, ctx: ctx)
                    } catch let error as BatonError where [.unprocessableEntity, .forbidden, .conflict].contains(error.status) {
                        refused.append(.init(taskID: try task.requireID(), title: task.title, message: error.message))
                    }
                }
                guard keep, refused.isEmpty else { throw Rollback(failures: refused) }
                return tasks
            }
            done(tasks)
            return []
        } catch let rollback as Rollback {
            return rollback.failures
        }
    }
}
