import Fluent
import Vapor
import BatonCore

/// The people page (members, invitations, teams) and the activity feed of a workspace.
struct PeoplePages: RouteCollection {
    /// `workspace` is `/w/:workspaceID`, tenancy-checked by the platform.
    func boot(routes workspace: any RoutesBuilder) throws {
        workspace.get(IdentityPaths.workspace.inWorkspace) { req in
            let access = try await req.workspaceAccess()
            return req.redirect(to: try await req.application.modules.landing(workspaceID: access.workspaceID, userID: access.userID,
                                                                              on: req.reader))
        }
        workspace.get(IdentityPaths.people.inWorkspace, use: peoplePage)
        workspace.post(IdentityPaths.invitations.inWorkspace, use: invite)
        workspace.post(IdentityPaths.revokeInvitation.inWorkspace, use: revokeInvitation)
        workspace.post(IdentityPaths.renewInvitation.inWorkspace, use: renewInvitation)
        workspace.post(IdentityPaths.member.inWorkspace, use: updateMember)
        workspace.post(IdentityPaths.deactivate.inWorkspace, use: deactivate)
        workspace.post(IdentityPaths.reactivate.inWorkspace, use: reactivate)
        workspace.post(IdentityPaths.teams.inWorkspace, use: createTeam)
        workspace.post(IdentityPaths.teamMembers.inWorkspace, use: addToTeam)
        workspace.post(IdentityPaths.teamLead.inWorkspace, use: setTeamLead)
        workspace.post(IdentityPaths.removeFromTeam.inWorkspace, use: removeFromTeam)
        workspace.get(IdentityPaths.activity.inWorkspace, use: activityPage)
        workspace.get(IdentityPaths.activityItems.inWorkspace, use: activityItems)
    }

    // MARK: people

    struct Option: Encodable { let value: String; let label: String; let selected: Bool }

    struct MemberRow: Encodable {
        let userId: UUID
        let name: String
        let initials: String
        let email: String?
        let title: String
        let role: String
        let managerName: String?
        let teams: String
        let active: Bool
        let isSelf: Bool
        let roleOptions: [Option]
        let managerOptions: [Option]
        let error: String?
    }

    struct TeamRow: Encodable {
        struct Person: Encodable { let userId: UUID; let name: String }
        let id: UUID
        let name: String
        let members: [Person]
        let candidates: [Option]
        /// Who may lead it (approvals route to "the team's lead"): its active members who are not guests.
        let leadOptions: [Option]
        let leadName: String?
        let error: String?
    }

    struct InvitationRow: Encodable { let id: UUID; let email: String; let role: String; let state: String; let expires: String; let pending: Bool }

    struct PeopleContext: Encodable {
        let workspaceId: UUID
        let isAdmin: Bool
        /// Guests see the people on their projects by name and role only.
        let isGuest: Bool
        let members: [MemberRow]
        let activeCount: Int
        let teams: [TeamRow]
        let invitations: [InvitationRow]
        let inviteRoles: [Option]
    }

    /// `errors` keys: a form field (`invite_email`, `team_name`) or a row (`member-<id>`, `team-<id>`).
    private func peoplePage(_ req: Request, errors: [String: String] = [:], form: [String: String] = [:],
                            status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let members = try await IdentityQueries.members(access, guestPeers: try await req.guestPeers(access), on: req.reader)
        let teams = access.role == .guest ? [] : try await IdentityQueries.teams(access, on: req.reader)
        let names = Dictionary(members.map { ($0.userId, $0.name) }, uniquingKeysWith: { first, _ in first })
        let teamNames = Dictionary(teams.map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        let active = members.filter(\.active)
        let grantable: [Role] = access.role == .owner ? [.owner, .admin, .member, .guest] : [.admin, .member, .guest]

        let rows = members.map { member in
            MemberRow(
                userId: member.userId, name: member.name,
                initials: member.name.split(separator: " ").prefix(2).compactMap(\.first).map(String.init).joined().uppercased(),
                email: member.email, title: member.title, role: member.role.rawValue,
                managerName: member.managerId.flatMap { names[$0] },
                teams: member.teamIds.compactMap { teamNames[$0] }.sorted().joined(separator: ", "),
                active: member.active, isSelf: member.userId == principal.userID,
                roleOptions: (grantable.contains(member.role) ? grantable : [member.role] + grantable).map {
                    Option(value: $0.rawValue, label: $0.label, selected: $0 == member.role)
                },
                managerOptions: [Option(value: "", label: "No manager", selected: member.managerId == nil)]
                    + active.filter { $0.userId != member.userId }.map {
                        Option(value: $0.userId.uuidString, label: $0.name, selected: $0.userId == member.managerId)
                    },
                error: errors["member-\(member.userId)"])
        }
        let teamRows = teams.map { team in
            TeamRow(id: team.id, name: team.name,
                    members: team.memberIds.compactMap { id in names[id].map { TeamRow.Person(userId: id, name: $0) } },
                    candidates: active.filter { !team.memberIds.contains($0.userId) }.map {
                        Option(value: $0.userId.uuidString, label: $0.name, selected: false)
                    },
                    leadOptions: [Option(value: "", label: "No lead", selected: team.leadId == nil)]
                        + active.filter { team.memberIds.contains($0.userId) && $0.role != .guest }.map {
                            Option(value: $0.userId.uuidString, label: $0.name, selected: $0.userId == team.leadId)
                        },
                    leadName: team.leadId.flatMap { names[$0] },
                    error: errors["team-\(team.id)"])
        }
        var invitations: [InvitationRow] = []
        if access.role.canAdminister {
            invitations = try await IdentityQueries.invitations(access, now: req.application.clock.now(), on: req.reader)
                .filter { $0.state == .pending }
                .map { InvitationRow(id: $0.id, email: $0.email, role: $0.role.rawValue, state: $0.state.rawValue,
                                     expires: BatonDate.long($0.expiresAt, timeZone: principal.timeZone), pending: $0.state == .pending) }
        }
        let inviteRole = form["invite_role"] ?? Role.member.rawValue
        var page = Page(title: "People", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "people"),
                        page: PeopleContext(workspaceId: access.workspaceID, isAdmin: access.role.canAdminister, isGuest: access.role == .guest, members: rows,
                                            activeCount: active.count, teams: teamRows, invitations: invitations,
                                            inviteRoles: grantable.map { Option(value: $0.rawValue, label: $0.label, selected: $0.rawValue == inviteRole) }))
        page.errors = errors
        page.form = form
        return try await PageRenderer.render("people/people", page, for: req, status: status)
    }

    func peoplePage(req: Request) async throws -> Response { try await peoplePage(req) }

    private func back(_ req: Request, _ access: WorkspaceAccess, notice: String, link: String? = nil) -> Response {
        PageRenderer.redirect(req, to: IdentityPaths.people.url(access.workspaceID), notice: notice, link: link)
    }

    /// Runs a form action; a refused one re-renders the page with the message where it belongs.
    private func act(_ req: Request, errorKey: (BatonError) -> String, form: [String: String] = [:],
                     _ action: (WorkspaceAccess) async throws -> Response) async throws -> Response {
        let access = try await req.workspaceAccess()
        do {
            return try await action(access)
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            return try await peoplePage(req, errors: [errorKey(error): error.message], form: form, status: error.status)
        }
    }

    func invite(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, errorKey: { "invite_" + ($0.field ?? "email") }, form: ["invite_email": form["email"] ?? "", "invite_role": form["role"] ?? ""]) { access in
            guard let role = Role(rawValue: form["role"] ?? "member") else { throw BatonError.validation("role", "Choose a role.") }
            let created = try await req.identity.invite(access, email: form["email"] ?? "", role: role)
            return back(req, access, notice: "Invitation created for \(created.invitation.email). Share this link (it works once, for 7 days):",
                        link: created.acceptURL)
        }
    }

    func revokeInvitation(req: Request) async throws -> Response {
        try await act(req, errorKey: { _ in "invitations" }) { access in
            try await req.identity.revokeInvitation(access, id: try req.uuidParameter("invitationID", label: "Invitation"))
            return back(req, access, notice: "Invitation revoked.")
        }
    }

    func renewInvitation(req: Request) async throws -> Response {
        try await act(req, errorKey: { _ in "invitations" }) { access in
            let renewed = try await req.identity.renewInvitationLink(access, id: try req.uuidParameter("invitationID", label: "Invitation"))
            return back(req, access, notice: "A new link for \(renewed.invitation.email); the old one no longer works. Share this one:",
                        link: renewed.acceptURL)
        }
    }

    func updateMember(req: Request) async throws -> Response {
        let userID = try req.uuidParameter("userID", label: "Member")
        let form = try req.content.decode([String: String].self)
        return try await act(req, errorKey: { _ in "member-\(userID)" }) { access in
            var changes = IdentityService.MemberChanges()
            if let raw = form["role"] {
                guard let role = Role(rawValue: raw) else { throw BatonError.validation("role", "Choose a role.") }
                changes.role = role
            }
            if let raw = form["manager_id"] {
                if raw.isEmpty { changes.managerID = .some(nil) } else {
                    guard let id = UUID(uuidString: raw) else { throw BatonError.validation("manager_id", "Choose a manager.") }
                    changes.managerID = .some(id)
                }
            }
            changes.title = form["title"]
            _ = try await req.identity.updateMember(access, userID: userID, changes: changes)
            return back(req, access, notice: "Saved.")
        }
    }

    func deactivate(req: Request) async throws -> Response {
        let userID = try req.uuidParameter("userID", label: "Member")
        return try await act(req, errorKey: { _ in "member-\(userID)" }) { access in
            try await req.identity.deactivateMember(access, userID: userID)
            return back(req, access, notice: "Member deactivated. Their history stays.")
        }
    }

    func reactivate(req: Request) async throws -> Response {
        let userID = try req.uuidParameter("userID", label: "Member")
        return try await act(req, errorKey: { _ in "member-\(userID)" }) { access in
            try await req.identity.reactivateMember(access, userID: userID)
            return back(req, access, notice: "Member reactivated.")
        }
    }

    func createTeam(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, errorKey: { _ in "team_name" }, form: ["team_name": form["name"] ?? ""]) { access in
            let team = try await req.identity.createTeam(access, name: form["name"] ?? "")
            return back(req, access, notice: "Team \(team.name) created.")
        }
    }

    func addToTeam(req: Request) async throws -> Response {
        let teamID = try req.uuidParameter("teamID", label: "Team")
        let form = try req.content.decode([String: String].self)
        return try await act(req, errorKey: { _ in "team-\(teamID)" }) { access in
            guard let userID = form["user_id"].flatMap(UUID.init(uuidString:)) else {
                throw BatonError.validation("user_id", "Choose someone to add.")
            }
            try await req.identity.addToTeam(access, teamID: teamID, userID: userID)
            return back(req, access, notice: "Added to the team.")
        }
    }

    func setTeamLead(req: Request) async throws -> Response {
        let teamID = try req.uuidParameter("teamID", label: "Team")
        let form = try req.content.decode([String: String].self)
        return try await act(req, errorKey: { _ in "team-\(teamID)" }) { access in
            var lead: UUID?
            if let raw = form["lead_id"], !raw.isEmpty {
                guard let id = UUID(uuidString: raw) else { throw BatonError.validation("lead_id", "Choose the team's lead.") }
                lead = id
            }
            try await req.identity.setTeamLead(access, teamID: teamID, leadID: lead)
            return back(req, access, notice: lead == nil ? "The team has no lead now." : "Team lead saved.")
        }
    }

    func removeFromTeam(req: Request) async throws -> Response {
        let teamID = try req.uuidParameter("teamID", label: "Team")
        return try await act(req, errorKey: { _ in "team-\(teamID)" }) { access in
            try await req.identity.removeFromTeam(access, teamID: teamID, userID: try req.uuidParameter("userID", label: "Member"))
            return back(req, access, notice: "Removed from the team.")
        }
    }

    // MARK: activity

    struct ActivityItem: Encodable { let id: Int; let sentence: String; let when: String; let iso: String; let kind: String; let href: String? }
    struct ActivityContext: Encodable {
        let workspaceId: UUID
        let items: [ActivityItem]
        let olderCursor: Int?
        var people: [Option] = []
        var kinds: [Option] = []
        /// The filters as a query string, for "Older entries".
        var filterQuery = ""
    }

    /// The kinds of activity to filter by: each installed module's events, by their first word.
    private func kindOptions(_ req: Request, selected: String) -> [Option] {
        let prefixes = Set(req.application.modules.events.kinds.compactMap { $0.split(separator: ".").first.map(String.init) }).sorted()
        return [Option(value: "", label: "Everything", selected: selected.isEmpty)]
            + prefixes.map { Option(value: $0, label: $0.capitalized, selected: $0 == selected) }
    }

    private func items(_ req: Request, access: WorkspaceAccess, events: [LoggedEvent]) async throws -> [ActivityItem] {
        let principal = try req.principal()
        let sentences = try await EventSentences.describe(events, in: req.application.modules.events, timeZone: principal.timeZone, on: req.reader)
        let iso = ISO8601DateFormatter()
        return zip(events, sentences).map { event, sentence in
            ActivityItem(id: event.id, sentence: sentence,
                         when: BatonDate.long(event.createdAt, timeZone: principal.timeZone), iso: iso.string(from: event.createdAt),
                         kind: event.kind,
                         href: req.application.modules.subjectLink(type: event.subjectType, id: event.subjectId, workspaceID: access.workspaceID))
        }
    }

    func activityPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        let before = try req.cursorParameter("before")
        var actor: UUID?
        if let raw = req.queryText("person"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw BatonError.validation("person", "person must be a member's id.") }
            actor = id
        }
        let kind = req.queryText("kind") ?? ""
        let known = req.application.modules.events.kinds
        guard kind.isEmpty || known.contains(kind) || known.contains(where: { $0.hasPrefix(kind + ".") }) else {
            throw BatonError.validation("kind", "Choose a kind of activity from the list.")
        }
        let page = try await IdentityQueries.events(access, after: before, limit: 50, newestFirst: true, actor: actor, kindPrefix: kind,
                                                   rooms: try await req.application.modules.viewer(access, on: req.reader).rooms,
                                                    on: req.reader)
        var context = ActivityContext(workspaceId: access.workspaceID, items: try await items(req, access: access, events: page.data),
                                      olderCursor: page.nextCursor.flatMap(Int.init))
        let members = try await IdentityQueries.members(access, on: req.reader)
        context.people = [Option(value: "", label: "Anyone", selected: actor == nil)]
            + members.map { Option(value: $0.userId.uuidString, label: $0.name, selected: $0.userId == actor) }
        context.kinds = kindOptions(req, selected: kind)
        var filters = URLComponents()
        filters.queryItems = [actor.map { URLQueryItem(name: "person", value: $0.uuidString) },
                              kind.isEmpty ? nil : URLQueryItem(name: "kind", value: kind)].compactMap { $0 }
        context.filterQuery = filters.percentEncodedQuery.map { "&" + $0 } ?? ""
        return try await PageRenderer.render("people/activity", Page(title: "Activity", layout: try await PageRenderer.layout(
            for: req, workspace: access, nav: "activity"), page: context), for: req)
    }

    /// Newer items as HTML list items, for the live feed to insert without a reload.
    func activityItems(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        let after = try req.cursorParameter("after") ?? 0
        let page = try await IdentityQueries.events(access, after: after, limit: 50,
                                                   rooms: try await req.application.modules.viewer(access, on: req.reader).rooms, on: req.reader)
        let context = ActivityContext(workspaceId: access.workspaceID,
                                      items: try await items(req, access: access, events: page.data.reversed()), olderCursor: nil)
        struct Fragment: Encodable { let page: ActivityContext }
        return try await req.view.render("people/activity-items", Fragment(page: context)).encodeResponse(for: req)
    }
}
