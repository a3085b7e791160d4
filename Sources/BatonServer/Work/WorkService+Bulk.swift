import Fluent
import Vapor
import BatonCore

extension WorkService {
    /// Changes stage, assignee or due date of many tasks in one transaction, one event per task.
    /// If any task refuses (another project, an open checklist, …) nothing changes.
    func bulkUpdate(_ scope: WorkScope.ProjectAccess, taskIDs: [UUID], _ changes: TaskChanges) async throws -> [WorkTask] {
        guard WorkPermission.canCreateTasks(role: scope.access.role) else { throw BatonError.forbidden("Guests cannot edit tasks in bulk.") }
        guard !taskIDs.isEmpty, taskIDs.count <= 500 else { throw BatonError.validation("task_ids", "Choose from 1 to 500 tasks.") }
        let allowed = TaskChanges(assigneeID: changes.assigneeID, stageID: changes.stageID, dueAt: changes.dueAt)
        guard !allowed.isEmpty else { throw BatonError.validation("changes", "Set stage_id, assignee_id or due_at.") }
        return try await store.write { ctx in
            let tasks = try await WorkTask.query(on: ctx.db).filter(\.$id ~~ taskIDs).filter(\.$projectID == scope.projectID).all()
            let found = Set(tasks.compactMap(\.id))
            if let missing = taskIDs.first(where: { !found.contains($0) }) {
                throw BatonError.validation("task_ids", "Task \(missing) is not in this project.")
            }
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            for task in tasks {
                do {
                    try await Self.update(task, scope: scope, stages: stages, allowed, ctx: ctx)
                } catch let error as BatonError where error.status == .unprocessableEntity {
                    throw BatonError.validation(error.field ?? "task_ids", "“\(task.title)”: \(error.message)")
                }
            }
            return tasks
        }
    }
}
