import Fluent
import Vapor
import BatonCore

struct UserDTO: Content {
    let id: UUID
    let email: String
    let name: String
    let timeZone: String
    let createdAt: Date
    let workingHours: WorkingHoursDTO?

    init(id: UUID, email: String, name: String, timeZone: String, createdAt: Date, workingHours: WorkingHoursDTO? = nil) {
        self.id = id
        self.email = email
        self.name = name
        self.timeZone = timeZone
        self.createdAt = createdAt
        self.workingHours = workingHours
    }

    init(_ user: User) throws {
        self.init(id: try user.requireID(), email: user.email, name: user.name, timeZone: user.timeZone, createdAt: user.createdAt,
                  workingHours: WorkingHoursDTO(user.workingHours))
    }
}

/// Working days (ISO weekdays, 1 = Monday) and hours, in the person's time zone.
struct WorkingHoursDTO: Content {
    let days: [Int]
    let start: String
    let end: String

    init(days: [Int], start: String, end: String) {
        self.days = days
        self.start = start
        self.end = end
    }

    init(_ hours: WorkingHours) {
        days = hours.days
        start = hours.start
        end = hours.end
    }
}

struct WorkspaceDTO: Content {
    let id: UUID
    let name: String
    let role: Role?
    let createdAt: Date
}

struct MemberDTO: Content {
    let userId: UUID
    let name: String
    /// Nil for a guest reading it: guests see names, not addresses or reporting lines.
    let email: String?
    let role: Role
    let title: String
    let managerId: UUID?
    let teamIds: [UUID]
    let joinedAt: Date
    let active: Bool
}

struct InvitationDTO: Content {
    let id: UUID
    let email: String
    let role: Role
    let state: InvitationRules.State
    let invitedBy: UUID
    let createdAt: Date
    let expiresAt: Date
    var acceptUrl: String?

    init(_ invitation: Invitation, now: Date, acceptURL: String? = nil) throws {
        id = try invitation.requireID()
        email = invitation.email
        role = invitation.role
        state = invitation.state(now: now)
        invitedBy = invitation.invitedBy
        createdAt = invitation.createdAt
        expiresAt = invitation.expiresAt
        acceptUrl = acceptURL
    }
}

struct TeamDTO: Content {
    let id: UUID
    let name: String
    let memberIds: [UUID]
    let leadId: UUID?
    let createdAt: Date
}

struct TokenDTO: Content {
    let id: UUID
    let name: String
    let createdAt: Date
    /// Present only in the response that creates the token.
    var token: String?

    init(_ token: AuthToken, secret: String? = nil) throws {
        id = try token.requireID()
        name = token.name
        createdAt = token.createdAt
        self.token = secret
    }
}

/// Read-side queries for identity, shared by the API and the pages.
enum IdentityQueries {
    static func workspaces(of userID: UUID, on db: any Database) async throws -> [WorkspaceDTO] {
        try await Membership.query(on: db)
            .join(Workspace.self, on: \Membership.$workspaceID == \Workspace.$id)
            .filter(\.$user.$id == userID).filter(\.$deactivatedAt == nil)
            .sort(Workspace.self, \.$name)
            .all()
            .map { membership in
                let workspace = try membership.joined(Workspace.self)
                return WorkspaceDTO(id: try workspace.requireID(), name: workspace.name, role: membership.role, createdAt: workspace.createdAt)
            }
    }

    /// Everyone in the workspace (or just `userID`); deactivated people only for admins.
    /// `guestPeers`: when a guest asks, the people they work with (InstalledModules.guestPeers); they
    /// see only those, by name and role, without emails, managers or teams.
    static func members(_ access: WorkspaceAccess, only userID: UUID? = nil, guestPeers: Set<UUID>? = nil,
                        on db: any Database) async throws -> [MemberDTO] {
        var query = Tenancy.query(access, Membership.self, on: db).with(\.$user)
        if let guestPeers { query = query.filter(\.$user.$id ~~ Array(guestPeers)) }
        if !access.role.canAdminister { query = query.filter(\.$deactivatedAt == nil) }
        if let userID { query = query.filter(\.$user.$id == userID) }
        let memberships = try await query.all()
        let teamIDs = try await Tenancy.query(access, Team.self, on: db).all().compactMap(\.id)
        var teamRows = TeamMember.query(on: db).filter(\.$teamID ~~ teamIDs)
        if let userID { teamRows = teamRows.filter(\.$userID == userID) }
        let rows = teamIDs.isEmpty ? [] : try await teamRows.all()
        let teamsByUser = Dictionary(grouping: rows, by: \.userID).mapValues { $0.map(\.teamID) }
        let guest = guestPeers != nil
        return memberships.map { membership in
            MemberDTO(userId: membership.$user.id, name: membership.user.name, email: guest ? nil : membership.user.email,
                      role: membership.role, title: membership.title, managerId: guest ? nil : membership.managerID,
                      teamIds: guest ? [] : teamsByUser[membership.$user.id] ?? [], joinedAt: membership.joinedAt,
                      active: membership.isActive)
        }.sorted { ($0.active ? 0 : 1, $0.name.lowercased()) < ($1.active ? 0 : 1, $1.name.lowercased()) }
    }

    static func teams(_ access: WorkspaceAccess, on db: any Database) async throws -> [TeamDTO] {
        let teams = try await Tenancy.query(access, Team.self, on: db).sort(\.$name).all()
        let ids = teams.compactMap(\.id)
        let rows = ids.isEmpty ? [] : try await TeamMember.query(on: db).filter(\.$teamID ~~ ids).all()
        let members = Dictionary(grouping: rows, by: \.teamID).mapValues { $0.map(\.userID) }
        return try teams.map { TeamDTO(id: try $0.requireID(), name: $0.name, memberIds: members[try $0.requireID()] ?? [], leadId: $0.leadID, createdAt: $0.createdAt) }
    }

    static func invitations(_ access: WorkspaceAccess, now: Date, on db: any Database) async throws -> [InvitationDTO] {
        try await Tenancy.query(access, Invitation.self, on: db).sort(\.$createdAt, .descending).range(..<200).all()
            .map { try InvitationDTO($0, now: now) }
    }

    static func tokens(of userID: UUID, on db: any Database) async throws -> [TokenDTO] {
        try await AuthToken.query(on: db)
            .filter(\.$user.$id == userID).filter(\.$kind == .personal).filter(\.$revokedAt == nil)
            .sort(\.$createdAt, .descending).all().map { try TokenDTO($0) }
    }

    /// The catch-up after a live socket reconnects: exactly the events that `viewer`'s socket would
    /// have received (`LoggedEvent.isVisible`), oldest first after the cursor. Events the viewer
    /// may not see are skipped a batch at a time; a page can come back short, with a cursor past
    /// what was read, when a long run of them is in the way.
    static func visibleEvents(_ access: WorkspaceAccess, viewer: EventVisibility.Viewer<UUID>, after: Int?, limit: Int,
                              catalog: EventCatalog, on db: any Database) async throws -> ListPage<LoggedEvent> {
        var cursor = after ?? 0
        var page: [LoggedEvent] = []
        for _ in 0..<20 {
            let batch = try await EventRecord.query(on: db).group(.or) { group in
                group.filter(\.$workspaceID == access.workspaceID)
                group.group(.and) { own in own.filter(\.$workspaceID == nil).filter(\.$actorID == access.userID) }
            }
            .filter(\.$id > cursor).sort(\.$id, .ascending).limit(500).all()
            for record in batch {
                let event = record.logged
                cursor = event.id
                guard event.isVisible(to: viewer, in: catalog) else { continue }
                page.append(event)
                if page.count > limit { return ListPage(data: Array(page.prefix(limit)), nextCursor: String(page[limit - 1].id)) }
            }
            if batch.count < 500 { return ListPage(data: page, nextCursor: nil) }
        }
        return ListPage(data: page, nextCursor: String(cursor))
    }

    /// The admins' audit trail (the Activity page): events of the workspace plus account events of
    /// its members, oldest first after the cursor (an event id).
    /// `actor` and `kindPrefix` ("task", "task.assigned": a known kind or module prefix) narrow the feed.
    /// Events of a room (a private channel, a conversation) show only to those in it (`rooms`),
    /// admins included.
    static func events(_ access: WorkspaceAccess, after: Int?, limit: Int, newestFirst: Bool = false, actor: UUID? = nil,
                       kindPrefix: String? = nil, rooms: Set<UUID>, on db: any Database) async throws -> ListPage<LoggedEvent> {
        let memberIDs = try await Tenancy.query(access, Membership.self, on: db).all().map(\.$user.id)
        var query = EventRecord.query(on: db).group(.or) { group in
            group.filter(\.$workspaceID == access.workspaceID)
            group.group(.and) { account in
                account.filter(\.$workspaceID == nil).filter(\.$actorID ~~ memberIDs)
            }
        }
        if let after { query = newestFirst ? query.filter(\.$id < after) : query.filter(\.$id > after) }
        if let actor { query = query.filter(\.$actorID == actor) }
        if let kindPrefix, !kindPrefix.isEmpty {
            query = query.group(.or) { kinds in
                kinds.filter(\.$kind == kindPrefix).filter(\.$kind, .custom("LIKE"), kindPrefix + ".%")
            }
        }
        let rows = try await query.sort(\.$id, newestFirst ? .descending : .ascending).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last?.id.map(String.init) : nil
        let visible = page.map(\.logged).filter { event in
            event.data[EventVisibility.roomKey].flatMap(UUID.init(uuidString:)).map(rooms.contains) ?? true
        }
        return ListPage(data: visible, nextCursor: next)
    }
}
