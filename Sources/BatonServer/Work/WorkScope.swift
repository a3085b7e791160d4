import Fluent
import SQLKit
import Vapor
import BatonCore

/// Finds projects and tasks for a caller: 404 when they are in another workspace or in a project
/// the caller may not see.
enum WorkScope {
    struct ProjectAccess: Sendable {
        let access: WorkspaceAccess
        let project: Project
        let projectID: UUID
        /// False when the project had no custom fields as of this read (then no task has values to load).
        var hasCustomFields = true

        var canManage: Bool { WorkPermission.canManageProject(role: access.role, isLead: project.leadID == access.userID) }

        func requireManage() throws {
            guard canManage else { throw BatonError.forbidden("Only the project lead and admins can change this project.") }
        }
    }

    /// Who the caller is for event visibility: their role and, for a guest, the projects they are in.
    static func viewer(_ access: WorkspaceAccess, on db: any Database) async throws -> EventVisibility.Viewer<UUID> {
        guard access.role == .guest else { return .init(id: access.userID, role: access.role) }
        let rows = try await PlainSQL.rows(on: db, """
            SELECT project_members.project_id FROM project_members
            JOIN projects ON projects.id = project_members.project_id
            WHERE project_members.user_id = \(bind: access.userID) AND projects.workspace_id = \(bind: access.workspaceID)
            """)
        return .init(id: access.userID, role: access.role,
                     guestProjects: Set(try rows.map { try $0.decode(column: "project_id", as: UUID.self) }))
    }

    static func project(_ access: WorkspaceAccess, id: UUID, on db: any Database) async throws -> ProjectAccess {
        let project = try await Tenancy.find(access, Project.self, id: id, on: db, label: "Project")
        try await requireVisible(project: id, to: access, on: db)
        return ProjectAccess(access: access, project: project, projectID: id)
    }

    /// A project by id alone (routes like /projects/{id}): one query finds the project, the
    /// caller's membership of its workspace and the workspace's name.
    static func project(id: UUID, for userID: UUID, on db: any Database) async throws -> ProjectAccess {
        guard let row = try await PlainSQL.rows(on: db, """
            SELECT projects.*, memberships.role AS caller_role, workspaces.name AS workspace_name,
                   EXISTS (SELECT 1 FROM custom_fields WHERE custom_fields.project_id = projects.id) AS has_fields
            FROM projects
            JOIN memberships ON memberships.workspace_id = projects.workspace_id
            JOIN workspaces ON workspaces.id = projects.workspace_id
            WHERE projects.id = \(bind: id) AND memberships.user_id = \(bind: userID) AND memberships.deactivated_at IS NULL
            LIMIT 1
            """).first,
            let role = Role(rawValue: try row.decode(column: "caller_role", as: String.self))
        else { throw BatonError.notFound("Project") }
        let project = try row.decode(fluentModel: Project.self)
        let access = WorkspaceAccess(workspaceID: project.workspaceID, workspaceName: try row.decode(column: "workspace_name", as: String.self),
                                     userID: userID, role: role)
        do {
            try await requireVisible(project: id, to: access, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Project")
        }
        var scope = ProjectAccess(access: access, project: project, projectID: id)
        scope.hasCustomFields = try row.decode(column: "has_fields", as: Bool.self)
        return scope
    }

    /// `lockingRow` (inside a write): on PostgreSQL the row stays locked until the transaction
    /// ends; SQLite's single writer serializes writes already.
    static func task(id: UUID, for userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> (WorkTask, ProjectAccess) {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let task = try await PlainSQL.first(WorkTask.self, on: db, "SELECT * FROM tasks WHERE id = \(bind: id)\(unsafeRaw: lock)") else {
            throw BatonError.notFound("Task")
        }
        do {
            return (task, try await project(id: task.projectID, for: userID, on: db))
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Task")
        }
    }

    /// A task with everything a change to it is checked against, in one query: the task, its
    /// project, the caller's role in the workspace and the project's stages in order.
    static func taskForChange(id: UUID, for userID: UUID, on db: any Database) async throws -> (WorkTask, ProjectAccess, [Stage]) {
        let rows = try await PlainSQL.rows(on: db, """
            SELECT tasks.*, \(unsafeRaw: Self.projectColumns), \(unsafeRaw: Self.stageColumns),
                   memberships.role AS caller_role, workspaces.name AS workspace_name
            FROM tasks
            JOIN projects ON projects.id = tasks.project_id
            JOIN workspaces ON workspaces.id = tasks.workspace_id
            JOIN memberships ON memberships.workspace_id = tasks.workspace_id
                AND memberships.user_id = \(bind: userID) AND memberships.deactivated_at IS NULL
            LEFT JOIN stages ON stages.project_id = tasks.project_id
            WHERE tasks.id = \(bind: id)
            ORDER BY stages.position
            """)
        guard let first = rows.first, let role = Role(rawValue: try first.decode(column: "caller_role", as: String.self)) else {
            throw BatonError.notFound("Task")
        }
        let task = try first.decode(fluentModel: WorkTask.self)
        let project = try PlainSQL.decode(Project.self, prefix: "p__", from: first)
        let access = WorkspaceAccess(workspaceID: task.workspaceID, workspaceName: try first.decode(column: "workspace_name", as: String.self),
                                     userID: userID, role: role)
        do {
            try await requireVisible(project: task.projectID, to: access, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Task")
        }
        let stages = try first.decodeNil(column: "s__id") ? [] : rows.map { try PlainSQL.decode(Stage.self, prefix: "s__", from: $0) }
        return (task, ProjectAccess(access: access, project: project, projectID: task.projectID), stages)
    }

    private static let projectColumns = PlainSQL.columns(of: Project.self, table: "projects", prefix: "p__")
    private static let stageColumns = PlainSQL.columns(of: Stage.self, table: "stages", prefix: "s__")

    /// Guests see only the projects they were added to; everyone else sees every project.
    private static func requireVisible(project id: UUID, to access: WorkspaceAccess, on db: any Database) async throws {
        guard access.role == .guest else { return }
        let isMember = try await isProjectMember(access.userID, of: id, on: db)
        guard WorkPermission.canSeeProject(role: access.role, isProjectMember: isMember) else { throw BatonError.notFound("Project") }
    }

    static func isProjectMember(_ userID: UUID, of projectID: UUID, on db: any Database) async throws -> Bool {
        try await ProjectMember.query(on: db).filter(\.$projectID == projectID).filter(\.$userID == userID).count() > 0
    }
}
