import Fluent
import Vapor
import BatonCore

/// Invitations, roles, managers, titles, deactivation and teams.
extension IdentityService {
    struct CreatedInvitation: Sendable {
        let invitation: Invitation
        let acceptURL: String
    }

    func invite(_ access: WorkspaceAccess, email rawEmail: String, role: Role) async throws -> CreatedInvitation {
        try access.requireAdmin()
        let email = try Validate.email(rawEmail)
        guard InvitationRules.mayInvite(actor: access.role, as: role) else {
            throw BatonError.forbidden("Only an owner can invite another owner.")
        }
        let secret = Secret.generate()
        let acceptURL = "\(publicBaseURL)/invite/\(secret)"
        return try await store.write { ctx in
            let existingMember = try await Tenancy.query(access, Membership.self, on: ctx.db)
                .join(User.self, on: \Membership.$user.$id == \User.$id)
                .filter(User.self, \.$email == email)
                .filter(\.$deactivatedAt == nil)
                .count()
            if existingMember > 0 { throw BatonError.conflict("email", "\(email) is already a member of this workspace.") }
            let pending = try await Tenancy.query(access, Invitation.self, on: ctx.db)
                .filter(\.$email == email).filter(\.$acceptedAt == nil).filter(\.$revokedAt == nil)
                .filter(\.$expiresAt > ctx.now).count()
            if pending > 0 { throw BatonError.conflict("email", "An invitation for \(email) is already pending. Revoke it to send a new one.") }

            let invitation = Invitation()
            invitation.workspaceID = access.workspaceID
            invitation.email = email
            invitation.role = role
            invitation.tokenHash = Secret.hash(secret)
            invitation.invitedBy = access.userID
            invitation.createdAt = ctx.now
            invitation.expiresAt = InvitationRules.expiry(from: ctx.now)
            try await invitation.create(on: ctx.db)
            let id = try invitation.requireID()
            ctx.record(IdentityEvent.memberInvited, workspace: access.workspaceID, actor: access.userID, subject: .invitation(id),
                       data: ["email": email, "role": role.rawValue])
            try await ctx.enqueue(.invitationEmail, payload: [
                "invitation_id": id.uuidString, "email": email, "accept_url": acceptURL,
                "workspace_name": access.workspaceName, "workspace_id": access.workspaceID.uuidString,
            ], dedupeKey: "invitation.email:\(id)")
            try await ctx.enqueue(.invitationExpire, payload: ["invitation_id": id.uuidString],
                                  runAt: invitation.expiresAt, dedupeKey: "invitation.expire:\(id)")
            return CreatedInvitation(invitation: invitation, acceptURL: acceptURL)
        }
    }

    func revokeInvitation(_ access: WorkspaceAccess, id: UUID) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let invitation = try await Tenancy.find(access, Invitation.self, id: id, on: ctx.db, label: "Invitation")
            guard invitation.state(now: ctx.now) == .pending else {
                throw BatonError.conflict(nil, "This invitation is \(invitation.state(now: ctx.now).rawValue), not pending.")
            }
            invitation.revokedAt = ctx.now
            try await invitation.save(on: ctx.db)
            try await InvitationJobs.forgetLink(of: id, ctx: ctx)
            ctx.record(IdentityEvent.invitationRevoked, workspace: access.workspaceID, actor: access.userID, subject: .invitation(id),
                       data: ["email": invitation.email])
        }
    }

    /// A pending invitation's link is shown once (only its hash is kept): to share it again, a new
    /// link replaces it and the old one stops working.
    func renewInvitationLink(_ access: WorkspaceAccess, id: UUID) async throws -> CreatedInvitation {
        try access.requireAdmin()
        let secret = Secret.generate()
        let acceptURL = "\(publicBaseURL)/invite/\(secret)"
        return try await store.write { ctx in
            let invitation = try await Tenancy.find(access, Invitation.self, id: id, on: ctx.db, label: "Invitation")
            guard invitation.state(now: ctx.now) == .pending else {
                throw BatonError.conflict(nil, "This invitation is \(invitation.state(now: ctx.now).rawValue), not pending.")
            }
            invitation.tokenHash = Secret.hash(secret)
            try await invitation.save(on: ctx.db)
            try await InvitationJobs.forgetLink(of: id, ctx: ctx)
            ctx.record(IdentityEvent.invitationLinkRenewed, workspace: access.workspaceID, actor: access.userID, subject: .invitation(id),
                       data: ["email": invitation.email])
            return CreatedInvitation(invitation: invitation, acceptURL: acceptURL)
        }
    }

    /// Looks up an invitation by the secret in its link; 404 when unknown, 410 when no longer usable.
    func pendingInvitation(secret: String, on db: any Database) async throws -> (Invitation, Workspace) {
        guard let invitation = try await Invitation.query(on: db).filter(\.$tokenHash == Secret.hash(secret)).first(),
              let workspace = try await Workspace.find(invitation.workspaceID, on: db)
        else { throw BatonError.notFound("Invitation") }
        let state = invitation.state(now: clock.now())
        guard state == .pending else {
            throw BatonError(.gone, code: "invitation_\(state.rawValue)", message: "This invitation has been \(state.rawValue).")
        }
        return (invitation, workspace)
    }

    struct AcceptedInvitation: Sendable {
        let user: User
        let workspaceID: UUID
        /// A session for a new account; nil when someone signed in joined with the session they have.
        let token: String?
    }

    /// A new person sets name and password. Someone who already has an account accepts only
    /// while signed in as it: this never checks an existing account's password (that is the
    /// login's job, behind its throttle), so an invitation cannot be used to guess one.
    func acceptInvitation(secret: String, name rawName: String?, password: String?, timeZone: String? = nil,
                          signedIn: Principal?, address: String) async throws -> AcceptedInvitation {
        let (invitation, _) = try await pendingInvitation(secret: secret, on: store.reader)
        let existing = try await User.query(on: store.reader).filter(\.$email == invitation.email).first()
        var newAccount: (name: String, hash: String)?
        if let existing {
            guard let signedIn, signedIn.userID == existing.id else {
                throw BatonError(.conflict, code: "sign_in_required",
                                 message: "\(invitation.email) already has a Baton account. Sign in as \(invitation.email) to accept.")
            }
        } else {
            let name = try Validate.name(rawName ?? "")
            guard let password else { throw BatonError.validation("password", "Password is required.") }
            try Validate.password(password, field: "password")
            newAccount = (name, try await passwords.hash(password))
        }
        let lifetime = config.sessionLifetime
        let invitationID = try invitation.requireID()
        return try await store.write { [newAccount] ctx in
            // Re-read inside the transaction: two clicks on one link must not both succeed.
            guard let invitation = try await Invitation.find(invitationID, on: ctx.db),
                  invitation.state(now: ctx.now) == .pending
            else { throw BatonError(.gone, code: "invitation_used", message: "This invitation has already been used.") }
            let user: User
            if let newAccount {
                user = try await Self.createUser(email: invitation.email, name: newAccount.name, hash: newAccount.hash, timeZone: timeZone, ctx: ctx)
            } else if let existing {
                user = existing
            } else {
                throw BatonError.notFound("User")
            }
            let userID = try user.requireID()
            if let membership = try await Membership.query(on: ctx.db)
                .filter(\.$workspaceID == invitation.workspaceID).filter(\.$user.$id == userID).first() {
                guard !membership.isActive else { throw BatonError.conflict(nil, "You are already a member of this workspace.") }
                membership.deactivatedAt = nil
                membership.role = invitation.role
                try await membership.save(on: ctx.db)
                ctx.record(IdentityEvent.memberReactivated, workspace: invitation.workspaceID, actor: userID, subject: .user(userID),
                           data: ["role": invitation.role.rawValue, "invitation_id": invitationID.uuidString])
            } else {
                try await Self.addMembership(user: user, workspaceID: invitation.workspaceID, role: invitation.role,
                                             title: "", actor: userID, ctx: ctx,
                                             data: ["invitation_id": invitationID.uuidString])
            }
            invitation.acceptedAt = ctx.now
            try await invitation.save(on: ctx.db)
            try await InvitationJobs.forgetLink(of: invitationID, ctx: ctx)
            guard newAccount != nil else { return AcceptedInvitation(user: user, workspaceID: invitation.workspaceID, token: nil) }
            let session = try await Self.issueToken(for: user, kind: .session, name: "Web session", lifetime: lifetime,
                                                    address: address, ctx: ctx)
            return AcceptedInvitation(user: user, workspaceID: invitation.workspaceID, token: session.secret)
        }
    }

    /// Run by the `invitation.expire` job at the expiry time: records the expiry in the log.
    func expireInvitation(id: UUID) async throws {
        try await store.write { ctx in
            guard let invitation = try await Invitation.find(id, on: ctx.db),
                  invitation.acceptedAt == nil, invitation.revokedAt == nil, invitation.expiresAt <= ctx.now
            else { return }
            let already = try await EventRecord.query(on: ctx.db)
                .filter(\.$subjectType == "invitation").filter(\.$subjectID == id)
                .filter(\.$kind == IdentityEvent.invitationExpired.rawValue).count()
            guard already == 0 else { return }
            try await InvitationJobs.forgetLink(of: id, ctx: ctx)
            ctx.record(IdentityEvent.invitationExpired, workspace: invitation.workspaceID, actor: nil, subject: .invitation(id),
                       data: ["email": invitation.email])
        }
    }

    struct MemberChanges: Sendable {
        var role: Role?
        /// `.some(nil)` clears the manager.
        var managerID: UUID??
        var title: String?
    }

    func updateMember(_ access: WorkspaceAccess, userID: UUID, changes: MemberChanges) async throws -> Membership {
        let onlyOwnTitle = userID == access.userID && changes.role == nil && changes.managerID == nil
        if !onlyOwnTitle { try access.requireAdmin() }
        let title = try changes.title.map { try DisplayText.validate($0, label: "Title", max: 100, required: false).orFail(field: "title") }
        return try await store.write { ctx in
            let membership = try await Self.member(access, userID: userID, ctx: ctx)
            let subject = EventSubject.user(userID)
            if let role = changes.role, role != membership.role {
                let owners = try await Tenancy.query(access, Membership.self, on: ctx.db)
                    .filter(\.$role == .owner).filter(\.$deactivatedAt == nil).count()
                switch RoleChangeRule.check(actor: access.role, targetCurrent: membership.role, targetNew: role, ownerCount: owners) {
                case .notAllowed(let message): throw BatonError.forbidden(message)
                case .lastOwner: throw BatonError.validation("role", "A workspace needs at least one owner.")
                case nil: break
                }
                ctx.record(IdentityEvent.memberRoleChanged, workspace: access.workspaceID, actor: access.userID, subject: subject,
                           data: ["from": membership.role.rawValue, "to": role.rawValue])
                membership.role = role
            }
            if let managerChange = changes.managerID, managerChange != membership.managerID {
                if let managerID = managerChange {
                    let manager = try await Self.member(access, userID: managerID, ctx: ctx, field: "manager_id")
                    guard manager.isActive else { throw BatonError.validation("manager_id", "A deactivated member cannot be a manager.") }
                    let all = try await Tenancy.query(access, Membership.self, on: ctx.db).all()
                    var managers: [UUID: UUID] = [:]
                    for other in all { if let manager = other.managerID { managers[other.$user.id] = manager } }
                    if ManagerChain.wouldLoop(person: userID, manager: managerID, managers: managers) {
                        throw BatonError.validation("manager_id", "That would make a reporting loop.")
                    }
                }
                ctx.record(IdentityEvent.memberManagerChanged, workspace: access.workspaceID, actor: access.userID, subject: subject,
                           data: ["from": membership.managerID?.uuidString ?? "", "to": managerChange?.uuidString ?? ""])
                membership.managerID = managerChange
            }
            if let title, title != membership.title {
                ctx.record(IdentityEvent.memberTitleChanged, workspace: access.workspaceID, actor: access.userID, subject: subject,
                           data: ["from": membership.title, "to": title])
                membership.title = title
            }
            try await membership.save(on: ctx.db)
            return membership
        }
    }

    /// The member keeps their history; their access to this workspace ends at once, and when it
    /// was their last workspace, every session and token they had is revoked.
    func deactivateMember(_ access: WorkspaceAccess, userID: UUID) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let membership = try await Self.member(access, userID: userID, ctx: ctx)
            guard membership.isActive else { throw BatonError.conflict(nil, "This member is already deactivated.") }
            if membership.role == .owner {
                guard access.role == .owner else { throw BatonError.forbidden("Only an owner can deactivate an owner.") }
                let owners = try await Tenancy.query(access, Membership.self, on: ctx.db)
                    .filter(\.$role == .owner).filter(\.$deactivatedAt == nil).count()
                if owners <= 1 { throw BatonError.validation("user_id", "A workspace needs at least one owner.") }
            }
            membership.deactivatedAt = ctx.now
            try await membership.save(on: ctx.db)
            let stillActive = try await Membership.query(on: ctx.db)
                .filter(\.$user.$id == userID).filter(\.$deactivatedAt == nil).count()
            if stillActive == 0 {
                try await AuthToken.query(on: ctx.db).filter(\.$user.$id == userID).filter(\.$revokedAt == nil)
                    .set(\.$revokedAt, to: ctx.now).update()
            }
            ctx.record(IdentityEvent.memberDeactivated, workspace: access.workspaceID, actor: access.userID, subject: .user(userID))
        }
    }

    func reactivateMember(_ access: WorkspaceAccess, userID: UUID) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let membership = try await Self.member(access, userID: userID, ctx: ctx)
            guard !membership.isActive else { throw BatonError.conflict(nil, "This member is already active.") }
            membership.deactivatedAt = nil
            try await membership.save(on: ctx.db)
            ctx.record(IdentityEvent.memberReactivated, workspace: access.workspaceID, actor: access.userID, subject: .user(userID))
        }
    }

    // MARK: teams

    func createTeam(_ access: WorkspaceAccess, name rawName: String) async throws -> Team {
        try access.requireAdmin()
        let name = try DisplayText.validate(rawName, label: "Team name", max: 100).orFail(field: "name")
        return try await store.write { ctx in
            let clash = try await Tenancy.query(access, Team.self, on: ctx.db).filter(\.$name == name).count()
            if clash > 0 { throw BatonError.conflict("name", "A team called \(name) already exists.") }
            let team = Team()
            team.workspaceID = access.workspaceID
            team.name = name
            team.createdAt = ctx.now
            try await team.create(on: ctx.db)
            ctx.record(IdentityEvent.teamCreated, workspace: access.workspaceID, actor: access.userID, subject: .team(try team.requireID()),
                       data: ["name": name])
            return team
        }
    }

    func addToTeam(_ access: WorkspaceAccess, teamID: UUID, userID: UUID) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let team = try await Tenancy.find(access, Team.self, id: teamID, on: ctx.db, label: "Team")
            let member = try await Self.member(access, userID: userID, ctx: ctx, field: "user_id")
            guard member.isActive else { throw BatonError.validation("user_id", "Deactivated members cannot join teams.") }
            let existing = try await TeamMember.query(on: ctx.db).filter(\.$teamID == teamID).filter(\.$userID == userID).count()
            if existing > 0 { throw BatonError.conflict("user_id", "Already in \(team.name).") }
            let row = TeamMember()
            row.teamID = teamID
            row.userID = userID
            row.addedAt = ctx.now
            try await row.create(on: ctx.db)
            ctx.record(IdentityEvent.teamMemberAdded, workspace: access.workspaceID, actor: access.userID, subject: .team(teamID),
                       data: ["user_id": userID.uuidString, "team": team.name])
        }
    }

    /// The lead must be an active member (not a guest); nil clears it.
    func setTeamLead(_ access: WorkspaceAccess, teamID: UUID, leadID: UUID?) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let team = try await Tenancy.find(access, Team.self, id: teamID, on: ctx.db, label: "Team")
            if let leadID {
                let member = try await Self.member(access, userID: leadID, ctx: ctx, field: "lead_id")
                guard member.isActive, member.role != .guest else { throw BatonError.validation("lead_id", "A team's lead is an active member, not a guest.") }
            }
            guard team.leadID != leadID else { return }
            team.leadID = leadID
            try await team.save(on: ctx.db)
            ctx.record(IdentityEvent.teamLeadChanged, workspace: access.workspaceID, actor: access.userID, subject: .team(teamID),
                       data: ["lead_id": leadID?.uuidString ?? "", "team": team.name])
        }
    }

    func removeFromTeam(_ access: WorkspaceAccess, teamID: UUID, userID: UUID) async throws {
        try access.requireAdmin()
        try await store.write { ctx in
            let team = try await Tenancy.find(access, Team.self, id: teamID, on: ctx.db, label: "Team")
            guard let row = try await TeamMember.query(on: ctx.db).filter(\.$teamID == teamID).filter(\.$userID == userID).first() else {
                throw BatonError.notFound("Team member")
            }
            try await row.delete(on: ctx.db)
            ctx.record(IdentityEvent.teamMemberRemoved, workspace: access.workspaceID, actor: access.userID, subject: .team(teamID),
                       data: ["user_id": userID.uuidString, "team": team.name])
        }
    }

    /// A membership in the caller's workspace (active or not), or an error naming `field`.
    private static func member(_ access: WorkspaceAccess, userID: UUID, ctx: WriteContext,
                               field: String? = nil) async throws -> Membership {
        guard let membership = try await Tenancy.query(access, Membership.self, on: ctx.db)
            .filter(\.$user.$id == userID).first()
        else {
            if let field { throw BatonError.validation(field, "Not a member of this workspace.") }
            throw BatonError.notFound("Member")
        }
        return membership
    }
}
