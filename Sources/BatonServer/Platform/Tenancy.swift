import Fluent
import Vapor
import BatonCore

/// A record that lives inside one workspace.
protocol WorkspaceScoped: Model {
    static var workspaceKey: KeyPath<Self, FieldProperty<Self, UUID>> { get }
}

/// The caller's standing in one workspace; the scope every workspace query is made in.
struct WorkspaceAccess: Sendable {
    let workspaceID: UUID
    let workspaceName: String
    let userID: UUID
    let role: Role

    func requireAdmin() throws {
        guard role.canAdminister else { throw BatonError.forbidden("Only admins and owners can do this.") }
    }
}

enum Tenancy {
    /// The caller's access to a workspace, or 404 when they are not an active member of it
    /// (whether it exists or not is none of their business).
    static func access(_ workspaceID: UUID, for userID: UUID, on db: any Database) async throws -> WorkspaceAccess {
        guard let row = try await PlainSQL.rows(on: db, """
            SELECT memberships.role, workspaces.name FROM memberships JOIN workspaces ON workspaces.id = memberships.workspace_id
            WHERE memberships.workspace_id = \(bind: workspaceID) AND memberships.user_id = \(bind: userID)
              AND memberships.deactivated_at IS NULL
            LIMIT 1
            """).first,
            let role = Role(rawValue: try row.decode(column: "role", as: String.self))
        else { throw BatonError.notFound("Workspace") }
        return WorkspaceAccess(workspaceID: workspaceID, workspaceName: try row.decode(column: "name", as: String.self),
                               userID: userID, role: role)
    }

    /// The caller's access to the first workspace (by name) they share with another person.
    static func sharedAccess(with otherID: UUID, for userID: UUID, on db: any Database) async throws -> WorkspaceAccess? {
        guard let row = try await PlainSQL.rows(on: db, """
            SELECT mine.workspace_id, mine.role, workspaces.name FROM memberships mine
            JOIN memberships theirs ON theirs.workspace_id = mine.workspace_id
            JOIN workspaces ON workspaces.id = mine.workspace_id
            WHERE mine.user_id = \(bind: userID) AND mine.deactivated_at IS NULL
              AND theirs.user_id = \(bind: otherID) AND theirs.deactivated_at IS NULL
            ORDER BY workspaces.name
            LIMIT 1
            """).first,
            let role = Role(rawValue: try row.decode(column: "role", as: String.self))
        else { return nil }
        return WorkspaceAccess(workspaceID: try row.decode(column: "workspace_id", as: UUID.self),
                               workspaceName: try row.decode(column: "name", as: String.self), userID: userID, role: role)
    }

    /// Every query for workspace records starts here.
    static func query<M: WorkspaceScoped>(_ scope: WorkspaceAccess, _ type: M.Type, on db: any Database) -> QueryBuilder<M> {
        M.query(on: db).filter(M.workspaceKey == scope.workspaceID)
    }

    /// One record of the workspace, or 404 (also when it belongs to another workspace).
    static func find<M: WorkspaceScoped>(_ scope: WorkspaceAccess, _ type: M.Type, id: UUID, on db: any Database,
                                         label: String) async throws -> M where M.IDValue == UUID {
        guard let found = try await query(scope, type, on: db).filter(\._$id == id).first() else {
            throw BatonError.notFound(label)
        }
        return found
    }
}
