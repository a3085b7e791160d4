import Fluent
import Vapor
import BatonCore

/// Finds projects and tasks for a caller: 404 when they are in another workspace or in a project
/// the caller may not see.
enum WorkScope {
    struct ProjectAccess: Sendable {
        let access: WorkspaceAccess
        let project: Project
        let projectID: UUID
        let isMember: Bool

        var canManage: Bool { WorkPermission.canManageProject(role: access.role, isLead: project.leadID == access.userID) }

        func requireManage() throws {
            guard canManage else { throw BatonError.forbidden("Only the project lead and admins can change this project.") }
        }
    }

    static func project(_ access: WorkspaceAccess, id: UUID, on db: any Database) async throws -> ProjectAccess {
        let project = try await Tenancy.find(access, Project.self, id: id, on: db, label: "Project")
        let isMember = try await ProjectMember.query(on: db)
            .filter(\.$projectID == id).filter(\.$userID == access.userID).count() > 0
        guard WorkPermission.canSeeProject(role: access.role, isProjectMember: isMember) else { throw BatonError.notFound("Project") }
        return ProjectAccess(access: access, project: project, projectID: id, isMember: isMember)
    }

    /// A project by id alone (routes like /projects/{id}): the caller's workspace comes from the project.
    static func project(id: UUID, for userID: UUID, on db: any Database) async throws -> ProjectAccess {
        guard let project = try await Project.find(id, on: db) else { throw BatonError.notFound("Project") }
        do {
            let access = try await Tenancy.access(project.workspaceID, for: userID, on: db)
            return try await Self.project(access, id: id, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Project")
        }
    }

    static func task(id: UUID, for userID: UUID, on db: any Database) async throws -> (WorkTask, ProjectAccess) {
        guard let task = try await WorkTask.find(id, on: db) else { throw BatonError.notFound("Task") }
        do {
            let access = try await Tenancy.access(task.workspaceID, for: userID, on: db)
            return (task, try await Self.project(access, id: task.projectID, on: db))
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Task")
        }
    }
}
