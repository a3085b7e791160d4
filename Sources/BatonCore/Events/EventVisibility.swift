import Foundation

/// Who may see which event of their workspace (activity feed, live socket).
public enum EventVisibility {
    /// Kinds every member of a workspace may see: they describe the team, not a person's secrets.
    static let teamWide: Set<EventKind> = [
        .workspaceCreated, .workspaceRenamed, .memberJoined, .memberRoleChanged,
        .memberManagerChanged, .memberTitleChanged, .memberDeactivated, .memberReactivated,
        .teamCreated, .teamMemberAdded, .teamMemberRemoved,
    ]

    /// Work happens in the open for the team: every project and task event (guests: of their projects).
    static func isWork(_ kind: EventKind) -> Bool {
        kind.rawValue.hasPrefix("task.") || kind.rawValue.hasPrefix("project.") || kind.rawValue.hasPrefix("stage.")
            || kind.rawValue.hasPrefix("field.") || kind == .tasksImported
    }

    /// Who is looking: their role in the workspace and, for a guest, the projects they were added to.
    public struct Viewer<ID: Hashable & Sendable>: Sendable {
        public let id: ID
        public var role: Role
        public var guestProjects: Set<ID>

        public init(id: ID, role: Role, guestProjects: Set<ID> = []) {
            self.id = id
            self.role = role
            self.guestProjects = guestProjects
        }
    }

    /// The rows of a bulk operation carry its id and are not announced one by one: the operation's
    /// summary event (`tasks.imported`) is, so open boards refresh once, not 50,000 times.
    public static let bulkKey = "import_id"

    public static func isAnnounced(kind: String, data: [String: String]) -> Bool {
        data[bulkKey] == nil || kind == EventKind.tasksImported.rawValue
    }

    /// The one rule for the live socket and the catch-up feed alike. An event outside any
    /// workspace (a sign-in, a token) is its actor's alone; admins see all of their workspace's;
    /// members the team and the work; guests the work of their projects and what is about them.
    public static func canSee<ID: Hashable & Sendable>(
        kind: String, inWorkspace: Bool, actor: ID?, subject: ID?, project: ID?, viewer: Viewer<ID>
    ) -> Bool {
        guard inWorkspace else { return actor == viewer.id }
        if viewer.role.canAdminister { return true }
        if actor == viewer.id || subject == viewer.id { return true }
        guard let known = EventKind(rawValue: kind) else { return false }
        if viewer.role == .guest { return isWork(known) && project.map(viewer.guestProjects.contains) == true }
        return teamWide.contains(known) || isWork(known)
    }
}
