import Fluent
import Vapor
import BatonCore

/// JSON routes for accounts, workspaces, members, invitations, teams, tokens and the activity feed.
struct IdentityAPI {
    func register(_ api: APIRoutes) {
        api.open.post("auth", "signup", use: signup)
        api.open.post("auth", "login", use: login)
        api.open.post("auth", "password-reset", use: requestPasswordReset)
        api.open.post("auth", "password-reset", ":secret", use: resetPassword)
        api.open.get("invitations", ":secret", use: showInvitation)
        api.open.post("invitations", ":secret", "accept", use: acceptInvitation)

        let routes = api.signedIn
        routes.post("auth", "logout", use: logout)
        routes.get("me", use: me)
        routes.patch("me", use: updateProfile)
        routes.post("me", "password", use: changePassword)
        routes.get("me", "tokens", use: listTokens)
        routes.post("me", "tokens", use: createToken)
        routes.delete("me", "tokens", ":tokenID", use: revokeToken)

        routes.post("workspaces", use: createWorkspace)
        let workspace = api.workspace
        workspace.get(use: showWorkspace)
        workspace.get("members", use: listMembers)
        workspace.patch("members", ":userID", use: updateMember)
        workspace.post("members", ":userID", "deactivate", use: deactivateMember)
        workspace.post("members", ":userID", "reactivate", use: reactivateMember)
        workspace.get("invitations", use: listInvitations)
        workspace.post("invitations", use: invite)
        workspace.delete("invitations", ":invitationID", use: revokeInvitation)
        workspace.get("teams", use: listTeams)
        workspace.post("teams", use: createTeam)
        workspace.post("teams", ":teamID", "members", use: addTeamMember)
        workspace.patch("teams", ":teamID", use: updateTeam)
        workspace.delete("teams", ":teamID", "members", ":userID", use: removeTeamMember)
        workspace.get("events", use: listEvents)
    }

    // MARK: auth

    struct SignupBody: Content { let email: String; let password: String; let name: String; let workspaceName: String; let timeZone: String? }
    struct SignupResponse: Content { let user: UserDTO; let workspace: WorkspaceDTO; let token: String }

    func signup(req: Request) async throws -> Response {
        let body = try req.decodeBody(SignupBody.self)
        let result = try await req.identity.signup(email: body.email, password: body.password, name: body.name,
                                                   workspaceName: body.workspaceName, timeZone: body.timeZone, address: req.clientAddress)
        let workspace = WorkspaceDTO(id: try result.workspace.requireID(), name: result.workspace.name, role: .owner,
                                     createdAt: result.workspace.createdAt)
        return try await SignupResponse(user: UserDTO(result.user), workspace: workspace, token: result.token)
            .encodeResponse(status: .created, for: req)
    }

    struct LoginBody: Content { let email: String; let password: String }
    struct TokenResponse: Content { let token: String }

    func login(req: Request) async throws -> TokenResponse {
        let body = try req.decodeBody(LoginBody.self)
        let session = try await req.identity.login(email: body.email, password: body.password, tokenName: "API login",
                                                   address: req.clientAddress)
        return TokenResponse(token: session.token)
    }

    struct MessageResponse: Content { let message: String }

    /// 202 whether or not the address has an account: the answer tells nothing about who is here.
    func requestPasswordReset(req: Request) async throws -> Response {
        let body = try PatchReader.body(req)
        guard let email = try body.string("email") else { throw BatonError.validation("email", "Enter your email address.") }
        try await req.identity.requestPasswordReset(email: email, address: req.clientAddress)
        return try await MessageResponse(message: PasswordResetWords.sent).encodeResponse(status: .accepted, for: req)
    }

    func resetPassword(req: Request) async throws -> MessageResponse {
        let secret = req.parameters.get("secret") ?? ""
        let body = try PatchReader.body(req)
        let password = try body.string("password") ?? ""
        try await req.identity.resetPassword(secret: secret, password: password, address: req.clientAddress)
        return MessageResponse(message: PasswordResetWords.done)
    }

    func logout(req: Request) async throws -> HTTPStatus {
        try await req.identity.logout(try req.principal())
        return .noContent
    }

    // MARK: me

    struct MeResponse: Content { let user: UserDTO; let workspaces: [WorkspaceDTO] }

    func me(req: Request) async throws -> MeResponse {
        let principal = try req.principal()
        let user = UserDTO(id: principal.userID, email: principal.email, name: principal.name, timeZone: principal.timeZone,
                           createdAt: principal.createdAt)
        return MeResponse(user: user, workspaces: try await IdentityQueries.workspaces(of: principal.userID, on: req.reader))
    }

    func updateProfile(req: Request) async throws -> UserDTO {
        let body = try PatchReader.body(req)
        let reading = Reading()
        let name = reading.read { try body.string("name") }
        let timeZone = reading.read { try body.string("time_zone") }
        var hours: WorkingHoursDTO?
        if let given = reading.read({ try body.objectReader("working_hours") }) {
            let days = reading.read { try given.ints("days") }
            let start = reading.read { try given.string("start") }
            let end = reading.read { try given.string("end") }
            if let days, let start, let end { hours = WorkingHoursDTO(days: days, start: start, end: end) } else {
                _ = reading.read { () throws -> Bool? in throw BatonError.validation("working_hours", "Working hours name days, start and end.") }
            }
        }
        try reading.finish()
        return try UserDTO(try await req.identity.updateProfile(try req.principal(), name: name, timeZone: timeZone, workingHours: hours))
    }

    struct PasswordBody: Content { let currentPassword: String; let newPassword: String }

    func changePassword(req: Request) async throws -> HTTPStatus {
        let body = try req.decodeBody(PasswordBody.self)
        try await req.identity.changePassword(try req.principal(), current: body.currentPassword, new: body.newPassword,
                                              address: req.clientAddress)
        return .noContent
    }

    // MARK: tokens

    func listTokens(req: Request) async throws -> ListPage<TokenDTO> {
        ListPage(data: try await IdentityQueries.tokens(of: try req.principal().userID, on: req.reader), nextCursor: nil)
    }

    struct TokenBody: Content { let name: String }

    func createToken(req: Request) async throws -> Response {
        let body = try req.decodeBody(TokenBody.self)
        let created = try await req.identity.createToken(try req.principal(), name: body.name)
        return try await TokenDTO(created.token, secret: created.secret).encodeResponse(status: .created, for: req)
    }

    func revokeToken(req: Request) async throws -> HTTPStatus {
        let principal = try req.principal()
        try await req.identity.revokeToken(principal, id: try req.uuidParameter("tokenID", label: "Token"))
        return .noContent
    }

    // MARK: workspaces and members

    struct WorkspaceBody: Content { let name: String }

    func createWorkspace(req: Request) async throws -> Response {
        let body = try req.decodeBody(WorkspaceBody.self)
        let workspace = try await req.identity.createWorkspace(try req.principal(), name: body.name)
        return try await WorkspaceDTO(id: try workspace.requireID(), name: workspace.name, role: .owner, createdAt: workspace.createdAt)
            .encodeResponse(status: .created, for: req)
    }

    func showWorkspace(req: Request) async throws -> WorkspaceDTO {
        let access = try await req.workspaceAccess()
        guard let workspace = try await Workspace.find(access.workspaceID, on: req.reader) else { throw BatonError.notFound("Workspace") }
        return WorkspaceDTO(id: access.workspaceID, name: workspace.name, role: access.role, createdAt: workspace.createdAt)
    }

    func listMembers(req: Request) async throws -> ListPage<MemberDTO> {
        let access = try await req.workspaceAccess()
        return ListPage(data: try await IdentityQueries.members(access, guestPeers: try await req.guestPeers(access), on: req.reader),
                        nextCursor: nil)
    }

    struct MemberPatch: Decodable {
        let role: Role?
        let managerID: UUID??
        let title: String?

        enum CodingKeys: String, CodingKey { case role, managerId, title }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            role = try container.decodeIfPresent(Role.self, forKey: .role)
            title = try container.decodeIfPresent(String.self, forKey: .title)
            if container.contains(.managerId) {
                managerID = .some(try container.decodeNil(forKey: .managerId) ? nil : try container.decode(UUID.self, forKey: .managerId))
            } else {
                managerID = nil
            }
        }
    }

    func updateMember(req: Request) async throws -> MemberDTO {
        let access = try await req.workspaceAccess()
        let userID = try req.uuidParameter("userID", label: "Member")
        let patch = try req.decodeBody(MemberPatch.self)
        _ = try await req.identity.updateMember(access, userID: userID,
                                                changes: .init(role: patch.role, managerID: patch.managerID, title: patch.title))
        return try await Self.member(access, userID: userID, on: req.reader)
    }

    func deactivateMember(req: Request) async throws -> MemberDTO {
        let access = try await req.workspaceAccess()
        let userID = try req.uuidParameter("userID", label: "Member")
        try await req.identity.deactivateMember(access, userID: userID)
        return try await Self.member(access, userID: userID, on: req.reader)
    }

    func reactivateMember(req: Request) async throws -> MemberDTO {
        let access = try await req.workspaceAccess()
        let userID = try req.uuidParameter("userID", label: "Member")
        try await req.identity.reactivateMember(access, userID: userID)
        return try await Self.member(access, userID: userID, on: req.reader)
    }

    private static func member(_ access: WorkspaceAccess, userID: UUID, on db: any Database) async throws -> MemberDTO {
        guard let member = try await IdentityQueries.members(access, only: userID, on: db).first else {
            throw BatonError.notFound("Member")
        }
        return member
    }

    // MARK: invitations

    struct InviteBody: Content { let email: String; let role: Role? }

    func invite(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let body = try req.decodeBody(InviteBody.self)
        let created = try await req.identity.invite(access, email: body.email, role: body.role ?? .member)
        return try await InvitationDTO(created.invitation, now: req.application.clock.now(), acceptURL: created.acceptURL)
            .encodeResponse(status: .created, for: req)
    }

    func listInvitations(req: Request) async throws -> ListPage<InvitationDTO> {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        return ListPage(data: try await IdentityQueries.invitations(access, now: req.application.clock.now(), on: req.reader), nextCursor: nil)
    }

    func revokeInvitation(req: Request) async throws -> HTTPStatus {
        let access = try await req.workspaceAccess()
        try await req.identity.revokeInvitation(access, id: try req.uuidParameter("invitationID", label: "Invitation"))
        return .noContent
    }

    /// Says nothing about whether the email has an account: the link's holder need not know.
    struct InvitationPreview: Content { let email: String; let role: Role; let workspaceName: String; let expiresAt: Date }

    func showInvitation(req: Request) async throws -> InvitationPreview {
        let (invitation, workspace) = try await req.identity.pendingInvitation(secret: try req.parameters.require("secret"), on: req.reader)
        return InvitationPreview(email: invitation.email, role: invitation.role, workspaceName: workspace.name,
                                 expiresAt: invitation.expiresAt)
    }

    struct AcceptBody: Content { let name: String?; let password: String?; let timeZone: String? }
    struct AcceptResponse: Content {
        let token: String?
        let user: UserDTO
        let workspaceId: UUID

        /// `token` is always present: null when the caller joined with the session they are signed in with.
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(token, forKey: .token)
            try container.encode(user, forKey: .user)
            try container.encode(workspaceId, forKey: .workspaceId)
        }
        enum CodingKeys: String, CodingKey { case token, user, workspaceId }
    }

    func acceptInvitation(req: Request) async throws -> Response {
        let body = try req.decodeBody(AcceptBody.self)
        let accepted = try await req.identity.acceptInvitation(secret: try req.parameters.require("secret"), name: body.name,
                                                               password: body.password, timeZone: body.timeZone, signedIn: req.optionalPrincipal,
                                                               address: req.clientAddress)
        return try await AcceptResponse(token: accepted.token, user: UserDTO(accepted.user), workspaceId: accepted.workspaceID)
            .encodeResponse(status: .created, for: req)
    }

    // MARK: teams

    func listTeams(req: Request) async throws -> ListPage<TeamDTO> {
        let access = try await req.workspaceAccess()
        // who is on which team is the team's business, not a guest's
        return ListPage(data: access.role == .guest ? [] : try await IdentityQueries.teams(access, on: req.reader), nextCursor: nil)
    }

    func createTeam(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let body = try req.decodeBody(WorkspaceBody.self)
        let team = try await req.identity.createTeam(access, name: body.name)
        return try await TeamDTO(id: try team.requireID(), name: team.name, memberIds: [], leadId: nil, createdAt: team.createdAt)
            .encodeResponse(status: .created, for: req)
    }

    /// Names the team's lead (`lead_id`, null for none).
    func updateTeam(req: Request) async throws -> TeamDTO {
        let access = try await req.workspaceAccess()
        let teamID = try req.uuidParameter("teamID", label: "Team")
        _ = try await Tenancy.find(access, Team.self, id: teamID, on: req.reader, label: "Team")
        let body = try PatchReader.body(req)
        guard let lead = try body.nullableUUID("lead_id") else { throw BatonError.validation("lead_id", "Send lead_id (an id or null).") }
        try await req.identity.setTeamLead(access, teamID: teamID, leadID: lead)
        guard let team = try await IdentityQueries.teams(access, on: req.application.store.reader).first(where: { $0.id == teamID }) else {
            throw BatonError.notFound("Team")
        }
        return team
    }

    struct TeamMemberBody: Content { let userId: UUID }

    func addTeamMember(req: Request) async throws -> HTTPStatus {
        let access = try await req.workspaceAccess()
        let teamID = try req.uuidParameter("teamID", label: "Team")
        let body = try req.decodeBody(TeamMemberBody.self)
        try await req.identity.addToTeam(access, teamID: teamID, userID: body.userId)
        return .noContent
    }

    func removeTeamMember(req: Request) async throws -> HTTPStatus {
        let access = try await req.workspaceAccess()
        try await req.identity.removeFromTeam(access, teamID: try req.uuidParameter("teamID", label: "Team"),
                                              userID: try req.uuidParameter("userID", label: "Member"))
        return .noContent
    }

    // MARK: activity

    /// Every member may catch up: they get what their live socket would have sent them.
    func listEvents(req: Request) async throws -> ListPage<LoggedEvent> {
        let access = try await req.workspaceAccess()
        let after = try req.cursorParameter("after")
        let limit = try req.pageSize()
        let viewer = try await req.application.modules.viewer(access, on: req.reader)
        return try await IdentityQueries.visibleEvents(access, viewer: viewer, after: after, limit: limit,
                                                         catalog: req.application.modules.events, on: req.reader)
    }
}
