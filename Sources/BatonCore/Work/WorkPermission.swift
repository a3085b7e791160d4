/// Who may see and change what in Work. Guests see only the projects they were added to and may
/// move only their own tasks; members and admins work in every project of the workspace.
public enum WorkPermission {
    public static func canSeeProject(role: Role, isProjectMember: Bool) -> Bool {
        role != .guest || isProjectMember
    }

    public static func canManageProject(role: Role, isLead: Bool) -> Bool {
        role.canAdminister || isLead
    }

    public static func canCreateTasks(role: Role) -> Bool { role != .guest }

    public static func canEditTask(role: Role, isAssignee: Bool) -> Bool {
        role != .guest || isAssignee
    }
}
