/// Identity's pages: every route and link to them is built from these.
enum IdentityPaths {
    static let home = PagePath("identity.home", "/")
    static let login = PagePath("identity.login", "/login")
    static let signup = PagePath("identity.signup", "/signup")
    static let logout = PagePath("identity.logout", "/logout")
    static let invite = PagePath("identity.invite", "/invite/:secret")
    static let forgotPassword = PagePath("identity.forgotPassword", "/forgot-password")
    static let resetPassword = PagePath("identity.resetPassword", "/reset-password/:secret")
    static let profile = PagePath("identity.profile", "/profile")
    static let password = PagePath("identity.password", "/profile/password")
    static let tokens = PagePath("identity.tokens", "/tokens")
    static let revokeToken = PagePath("identity.revokeToken", "/tokens/:tokenID/revoke")
    static let newWorkspace = PagePath("identity.newWorkspace", "/workspaces/new")
    static let workspaces = PagePath("identity.workspaces", "/workspaces")

    static let workspace = PagePath("identity.workspace", "/w/:workspaceID")
    static let people = PagePath("identity.people", "/w/:workspaceID/people")
    static let invitations = PagePath("identity.invitations", "/w/:workspaceID/invitations")
    static let revokeInvitation = PagePath("identity.revokeInvitation", "/w/:workspaceID/invitations/:invitationID/revoke")
    static let renewInvitation = PagePath("identity.renewInvitation", "/w/:workspaceID/invitations/:invitationID/new-link")
    static let member = PagePath("identity.member", "/w/:workspaceID/members/:userID")
    static let deactivate = PagePath("identity.deactivate", "/w/:workspaceID/members/:userID/deactivate")
    static let reactivate = PagePath("identity.reactivate", "/w/:workspaceID/members/:userID/reactivate")
    static let teams = PagePath("identity.teams", "/w/:workspaceID/teams")
    static let teamMembers = PagePath("identity.teamMembers", "/w/:workspaceID/teams/:teamID/members")
    static let teamLead = PagePath("identity.teamLead", "/w/:workspaceID/teams/:teamID/lead")
    static let removeFromTeam = PagePath("identity.removeFromTeam", "/w/:workspaceID/teams/:teamID/members/:userID/remove")
    static let activity = PagePath("identity.activity", "/w/:workspaceID/activity")
    static let activityItems = PagePath("identity.activityItems", "/w/:workspaceID/activity/items")

    static let all: [PagePath] = [
        home, login, signup, logout, invite, forgotPassword, resetPassword, profile, password, tokens, revokeToken, newWorkspace, workspaces,
        workspace, people, invitations, revokeInvitation, renewInvitation, member, deactivate, reactivate, teams, teamMembers,
        teamLead, removeFromTeam, activity, activityItems,
    ]
}
