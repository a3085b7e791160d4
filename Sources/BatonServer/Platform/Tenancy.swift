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
        guard let membership = try await Membership.query(on: db)
            .join(Workspace.self, on: \Membership.$workspaceID == \Workspace.$id)
            .filter(\.$workspaceID == workspaceID)
            .filter(\.$user.$id == userID)
            .filter(\.$deactivatedAt == nil)
            .first()
        else { throw BatonError.notFound("Workspace") }
        return WorkspaceAccess(workspaceID: workspaceID, workspaceName: try membership.joined(Workspace.self).name,
                               userID: userID, role: membership.role)
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
