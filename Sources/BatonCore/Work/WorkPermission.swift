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

    /// What someone does to a task, for `can(_:role:isAssignee:)`.
    public enum TaskAction: Sendable {
        /// Title, description, assignee, dates, priority, brief, tags, watchers, fields, blocked.
        case editDetails
        case moveStage
        case tickChecklistItem
        /// Accept the handoff or ask the delegator a question.
        case answerHandoff
        /// Add acceptance items or waive one.
        case editChecklist
        case editCheckpoints
    }

    /// Members and admins may do anything to a task of a project they see. A guest works only on
    /// their own tasks, and only moves them through stages, ticks their acceptance items and
    /// answers the handoff: what the task is, who holds it and what "done" means stay the team's.
    public static func can(_ action: TaskAction, role: Role, isAssignee: Bool) -> Bool {
        guard role == .guest else { return true }
        guard isAssignee else { return false }
        switch action {
        case .moveStage, .tickChecklistItem, .answerHandoff: return true
        case .editDetails, .editChecklist, .editCheckpoints: return false
        }
    }
}
