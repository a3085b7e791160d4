import Foundation

/// Who may see which event of their workspace (activity feed, live socket).
public enum EventVisibility {
    /// Kinds every member of a workspace may see: they describe the team, not a person's secrets.
    static let teamWide: Set<EventKind> = [
        .workspaceCreated, .workspaceRenamed, .memberJoined, .memberRoleChanged,
        .memberManagerChanged, .memberTitleChanged, .memberDeactivated, .memberReactivated,
        .teamCreated, .teamMemberAdded, .teamMemberRemoved,
    ]

    /// Work happens in the open for the team: every project and task event (guests see their own only).
    static func isWork(_ kind: EventKind) -> Bool {
        kind.rawValue.hasPrefix("task.") || kind.rawValue.hasPrefix("project.") || kind.rawValue.hasPrefix("stage.")
            || kind.rawValue.hasPrefix("field.")
    }

    public static func canSee<ID: Equatable>(
        kind: String, actor: ID?, subject: ID?, viewer: ID, role: Role
    ) -> Bool {
        if role.canAdminister { return true }
        if actor == viewer || subject == viewer { return true }
        guard role != .guest, let known = EventKind(rawValue: kind) else { return false }
        return teamWide.contains(known) || isWork(known)
    }
}
