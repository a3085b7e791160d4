/// The events of accounts, workspaces, members, invitations, teams and tokens.
public enum IdentityEvent: String, EventKinds {
    case workspaceCreated = "workspace.created"
    case workspaceRenamed = "workspace.renamed"
    case memberInvited = "member.invited"
    case invitationRevoked = "invitation.revoked"
    case invitationLinkRenewed = "invitation.link_renewed"
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
    case teamLeadChanged = "team.lead_changed"
    case profileUpdated = "user.profile_updated"
    case passwordChanged = "user.password_changed"
    case passwordReset = "user.password_reset"
    case passwordResetRequested = "user.password_reset_requested"
    case passwordResetByLink = "user.password_reset_by_link"
    case tokenCreated = "token.created"
    case tokenRevoked = "token.revoked"
    case signedIn = "user.signed_in"
    case signedOut = "user.signed_out"

    /// The team's shape is everyone's business; invitations, profiles and credentials are not.
    public var audience: EventAudience {
        switch self {
        case .workspaceCreated, .workspaceRenamed, .memberJoined, .memberRoleChanged, .memberManagerChanged,
             .memberTitleChanged, .memberDeactivated, .memberReactivated, .teamCreated, .teamMemberAdded, .teamMemberRemoved, .teamLeadChanged:
            .team
        case .memberInvited, .invitationRevoked, .invitationLinkRenewed, .invitationExpired, .profileUpdated, .passwordChanged, .passwordReset,
             .passwordResetRequested, .passwordResetByLink,
             .tokenCreated, .tokenRevoked, .signedIn, .signedOut:
            .involved
        }
    }

    public func sentence(_ line: EventLine) -> String {
        let (who, person, data) = (line.who, line.person, line.data)
        switch self {
        case .workspaceCreated: return "\(who) created the workspace \(data["name"] ?? "")"
        case .workspaceRenamed: return "\(who) renamed the workspace to \(data["name"] ?? "")"
        case .memberInvited: return "\(who) invited \(data["email"] ?? "someone") as \(data["role"] ?? "member")"
        case .invitationRevoked: return "\(who) revoked the invitation for \(data["email"] ?? "someone")"
        case .invitationLinkRenewed: return "\(who) made a new link for the invitation of \(data["email"] ?? "someone") (the old one stopped working)"
        case .invitationExpired: return "The invitation for \(data["email"] ?? "someone") expired"
        case .memberJoined: return "\(person) joined as \(data["role"] ?? "member")"
        case .memberRoleChanged: return "\(who) changed \(line.owner) role from \(data["from"] ?? "?") to \(data["to"] ?? "?")"
        case .memberManagerChanged:
            let to = data["to"].flatMap { $0.isEmpty ? nil : line.name($0) }
            return to.map { "\(who) set \(line.owner) manager to \($0)" } ?? "\(who) cleared \(line.owner) manager"
        case .memberTitleChanged: return "\(who) changed \(line.owner) title to “\(data["to"] ?? "")”"
        case .memberDeactivated: return "\(who) deactivated \(person)"
        case .memberReactivated: return "\(who) reactivated \(person)"
        case .teamCreated: return "\(who) created the team \(data["name"] ?? "")"
        case .teamMemberAdded: return "\(who) added \(data["user_id"].map(line.name) ?? "someone") to \(data["team"] ?? "a team")"
        case .teamLeadChanged:
            let lead = data["lead_id"].flatMap { $0.isEmpty ? nil : line.name($0) }
            return lead.map { "\(who) made \($0) the lead of \(data["team"] ?? "a team")" } ?? "\(who) cleared the lead of \(data["team"] ?? "a team")"
        case .teamMemberRemoved: return "\(who) removed \(data["user_id"].map(line.name) ?? "someone") from \(data["team"] ?? "a team")"
        case .profileUpdated: return "\(who) updated their profile"
        case .passwordChanged: return "\(who) changed their password"
        case .passwordReset: return "An administrator reset \(line.owner) password"
        case .passwordResetRequested: return "A link to reset \(line.owner) password was emailed"
        case .passwordResetByLink: return "\(person) chose a new password with an emailed link"
        case .tokenCreated: return "\(who) created the API token “\(data["name"] ?? "")”"
        case .tokenRevoked: return "\(who) revoked the API token “\(data["name"] ?? "")”"
        case .signedIn: return "\(who) signed in"
        case .signedOut: return "\(who) signed out"
        }
    }
}
