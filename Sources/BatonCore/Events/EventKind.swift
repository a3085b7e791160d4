/// Every kind of event the log holds. The raw value is what is stored and sent.
public enum EventKind: String, Codable, CaseIterable, Sendable {
    case workspaceCreated = "workspace.created"
    case workspaceRenamed = "workspace.renamed"
    case memberInvited = "member.invited"
    case invitationRevoked = "invitation.revoked"
    case invitationExpired = "invitation.expired"
    case memberJoined = "member.joined"
    case memberRoleChanged = "member.role_changed"
    case memberManagerChanged = "member.manager_changed"
    case memberTitleChanged = "member.title_changed"
    case memberDeactivated = "member.deactivated"
    case memberReactivated = "member.reactivated"
    case teamCreated = "team.created"
    case teamMemberAdded = "team.member_added"
    case teamMemberRemoved = "team.member_removed"
    case profileUpdated = "user.profile_updated"
    case passwordChanged = "user.password_changed"
    case passwordReset = "user.password_reset"
    case tokenCreated = "token.created"
    case tokenRevoked = "token.revoked"

    /// A sentence fragment for the activity feed: "<actor> <summary>".
    public var summary: String {
        switch self {
        case .workspaceCreated: "created the workspace"
        case .workspaceRenamed: "renamed the workspace"
        case .memberInvited: "invited someone"
        case .invitationRevoked: "revoked an invitation"
        case .invitationExpired: "saw an invitation expire"
        case .memberJoined: "joined"
        case .memberRoleChanged: "changed a role"
        case .memberManagerChanged: "changed a manager"
        case .memberTitleChanged: "changed a title"
        case .memberDeactivated: "deactivated a member"
        case .memberReactivated: "reactivated a member"
        case .teamCreated: "created a team"
        case .teamMemberAdded: "added someone to a team"
        case .teamMemberRemoved: "removed someone from a team"
        case .profileUpdated: "updated their profile"
        case .passwordChanged: "changed their password"
        case .passwordReset: "had their password reset"
        case .tokenCreated: "created an API token"
        case .tokenRevoked: "revoked an API token"
        }
    }
}
