import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// The only way channels, their members and their tabs change.
struct ChannelService: Sendable {
    let store: Store

    /// A new channel with its first members; a direct conversation that exists already is
    /// returned as it is (`created` false), so "message these people" never makes a second one.
    func create(_ access: WorkspaceAccess, _ draft: ChannelDraft) async throws -> (channel: MessageChannel, created: Bool) {
        guard access.role != .guest else { throw BatonError.forbidden("Guests take part in the channels they are added to; they do not start them.") }
        return try await store.write { ctx in
            try await ctx.serialize(key: "channels:\(access.workspaceID)")
            return try await Self.create(access, draft, ctx: ctx)
        }
    }

    /// Inside a write (a project's channel made as the project is).
    static func create(_ access: WorkspaceAccess, _ draft: ChannelDraft, ctx: WriteContext) async throws -> (channel: MessageChannel, created: Bool) {
        var people = try await Self.people(draft.memberIDs.filter { $0 != access.userID }, in: access, kind: draft.kind,
                                           projectID: draft.projectID, on: ctx.db)
        let channel = MessageChannel()
        channel.id = UUID()
        channel.workspaceID = access.workspaceID
        channel.kind = draft.kind.rawValue
        channel.topic = draft.topic
        channel.createdBy = access.userID
        channel.lastSeq = 0
        channel.postsWorkUpdates = draft.postsWorkUpdates ?? (draft.kind == .project)
        channel.version = 0
        channel.createdAt = ctx.now
        channel.updatedAt = ctx.now
        switch draft.kind {
        case .direct:
            guard !people.isEmpty else { throw BatonError.validation("member_ids", "Name someone besides yourself.") }
            guard people.count < ChannelDraft.maxDirectPeople else {
                throw BatonError.validation("member_ids", "A direct conversation has at most \(ChannelDraft.maxDirectPeople) people: make a private channel instead.")
            }
            let key = ([access.userID] + people).map { $0.uuidString.lowercased() }.sorted().joined(separator: ",")
            if let existing = try await PlainSQL.first(MessageChannel.self, on: ctx.db, """
                SELECT * FROM channels WHERE workspace_id = \(bind: access.workspaceID) AND direct_key = \(bind: key)
                """) { return (existing, false) }
            channel.name = ""
            channel.directKey = key
        case .project:
            guard let projectID = draft.projectID else { throw BatonError.validation("project_id", "Name the project the channel is for.") }
            let project = try await WorkScope.project(access, id: projectID, on: ctx.db).project
            if try await PlainSQL.rows(on: ctx.db, "SELECT 1 FROM channels WHERE project_id = \(bind: projectID)").first != nil {
                throw BatonError.conflict("project_id", "“\(project.name)” has its channel already.")
            }
            channel.projectID = projectID
            channel.name = try await Self.freeName(draft.name ?? project.name, in: access.workspaceID, explicit: draft.name != nil, on: ctx.db)
            let projectPeople = try await PlainSQL.rows(on: ctx.db, "SELECT user_id FROM project_members WHERE project_id = \(bind: projectID)")
                .map { try $0.decode(column: "user_id", as: UUID.self) } + (project.leadID.map { [$0] } ?? [])
            for person in projectPeople where person != access.userID && !people.contains(person) { people.append(person) }
        case .public:
            channel.name = try await Self.freeName(draft.name!, in: access.workspaceID, explicit: true, on: ctx.db)
        case .private:
            channel.name = draft.name!
        }
        // open channels' names are unique (they are listed to everyone); a private channel's name
        // is nobody else's business, so it takes part in no check that could reveal it
        if channel.isOpen { channel.nameKey = channel.name.lowercased() }
        try await ctx.insert(channel)
        var data = ChannelScope.eventData(channel)
        data[EventVisibility.joinsRoomKey] = access.userID.uuidString
        ctx.record(MessageEvent.channelCreated, workspace: access.workspaceID, actor: access.userID, subject: .channel(channel), data: data)
        try await Self.addMember(access.userID, to: channel, by: access.userID, ctx: ctx, announce: false)
        for person in people { try await Self.addMember(person, to: channel, by: access.userID, ctx: ctx) }
        return (channel, true)
    }

    func update(_ channelID: UUID, by userID: UUID, _ patch: ChannelPatch) async throws -> MessageChannel {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db, lockingRow: true)
            let channel = scope.channel
            if let version = patch.version, version != channel.version {
                throw BatonError.conflict("version", "#\(channel.name) was changed a moment ago: reload to see the change.")
            }
            guard !patch.isEmpty else { return channel }
            if channel.channelKind == .direct {
                throw BatonError.validation(patch.topic != nil && patch.name == nil ? "topic" : "name",
                                            "A direct conversation has no name, topic or settings to change.")
            }
            try scope.requireMember()
            let manages = try await scope.manages(on: ctx.db)
            if patch.name != nil || patch.archived != nil || patch.postsWorkUpdates != nil, !manages {
                throw BatonError.forbidden("Only whoever made the channel, the project lead and admins rename, archive or set it up.")
            }
            if patch.archived == nil { try scope.requireOpen() }
            var changed: [String] = []
            if let name = patch.name, name != channel.name {
                if channel.isOpen {
                    try await ctx.serialize(key: "channels:\(channel.workspaceID)")
                    channel.name = try await Self.freeName(name, in: channel.workspaceID, explicit: true, except: channelID, on: ctx.db)
                    channel.nameKey = channel.name.lowercased()
                } else {
                    channel.name = name
                }
                changed.append("name")
            }
            if let topic = patch.topic, topic != channel.topic { channel.topic = topic; changed.append("topic") }
            if let posts = patch.postsWorkUpdates, posts != channel.postsWorkUpdates {
                channel.postsWorkUpdates = posts
                changed.append("posts_work_updates")
            }
            let archive = patch.archived.flatMap { $0 == (channel.archivedAt != nil) ? nil : $0 }
            if let archive { channel.archivedAt = archive ? ctx.now : nil }
            guard !changed.isEmpty || archive != nil else { return channel }
            channel.version += 1
            channel.updatedAt = ctx.now
            try await PlainSQL.run(on: ctx.db, """
                UPDATE channels SET name = \(bind: channel.name), name_key = \(bind: channel.nameKey), topic = \(bind: channel.topic),
                    posts_work_updates = \(bind: channel.postsWorkUpdates), archived_at = \(bind: channel.archivedAt),
                    version = \(bind: channel.version), updated_at = \(bind: ctx.now)
                WHERE id = \(bind: channelID)
                """)
            if !changed.isEmpty {
                ctx.record(MessageEvent.channelUpdated, workspace: channel.workspaceID, actor: userID, subject: .channel(channel),
                           data: scope.eventData.merging(["changed": changed.joined(separator: ",")]) { $1 })
            }
            if let archive {
                ctx.record(archive ? MessageEvent.channelArchived : .channelUnarchived, workspace: channel.workspaceID, actor: userID,
                           subject: .channel(channel), data: scope.eventData)
            }
            return channel
        }
    }

    /// Joining a public or project channel oneself, or adding people to one's channel.
    func addMembers(_ channelID: UUID, by userID: UUID, _ ids: [UUID]) async throws -> MessageChannel {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db, lockingRow: true)
            let channel = scope.channel
            try scope.requireOpen()
            if channel.channelKind == .direct {
                throw BatonError.validation("user_ids", "A direct conversation keeps its people: start a new one with everyone in it.")
            }
            let joiningAlone = ids == [userID]
            if !joiningAlone { try scope.requireMember() }
            let current = Set(try await Self.memberIDs(of: channelID, on: ctx.db))
            let people = try await Self.people(ids.filter { !current.contains($0) && $0 != userID }, in: scope.access, kind: channel.channelKind,
                                               projectID: channel.projectID, on: ctx.db, field: "user_ids")
            if ids.contains(userID), !current.contains(userID) {
                try await Self.addMember(userID, to: channel, by: userID, ctx: ctx)
            }
            for person in people { try await Self.addMember(person, to: channel, by: userID, ctx: ctx) }
            return channel
        }
    }

    /// Leaving (oneself), or taking someone out (who manages the channel).
    func removeMember(_ channelID: UUID, by userID: UUID, member memberID: UUID) async throws {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db, lockingRow: true)
            try scope.requireMember()
            let channel = scope.channel
            if channel.channelKind == .direct { throw BatonError.validation("user_id", "A direct conversation cannot be left: mute it instead.") }
            if memberID != userID, !(try await scope.manages(on: ctx.db)) {
                throw BatonError.forbidden("Only whoever made the channel, the project lead and admins take people out of it.")
            }
            guard try await Self.takeOut(memberID, of: channel, by: userID, ctx: ctx) else { throw BatonError.notFound("Channel member") }
        }
    }

    /// Inside a write; false when they were not in it.
    @discardableResult
    static func takeOut(_ person: UUID, of channel: MessageChannel, by actor: UUID, ctx: WriteContext) async throws -> Bool {
        let channelID = channel.id!
        let removed = try await PlainSQL.rows(on: ctx.db, """
            DELETE FROM channel_members WHERE channel_id = \(bind: channelID) AND user_id = \(bind: person) RETURNING id
            """)
        guard !removed.isEmpty else { return false }
        try await PlainSQL.run(on: ctx.db, "DELETE FROM thread_follows WHERE channel_id = \(bind: channelID) AND user_id = \(bind: person)")
        var data = ChannelScope.eventData(channel)
        data["user_id"] = person.uuidString
        data[EventVisibility.leavesRoomKey] = person.uuidString
        if person != actor { data["removed"] = "true" }
        ctx.record(MessageEvent.memberLeft, workspace: channel.workspaceID, actor: actor, subject: .channel(channel), data: data)
        return true
    }

    /// One's own notification level and mute for a channel.
    func setMembership(_ channelID: UUID, by userID: UUID, _ patch: MembershipPatch) async throws -> ChannelMember {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db, lockingRow: true)
            try scope.requireMember()
            let member = scope.member!
            if let level = patch.level { member.notifyLevel = level.rawValue }
            if let muted = patch.muted { member.muted = muted }
            try await PlainSQL.run(on: ctx.db, """
                UPDATE channel_members SET notify_level = \(bind: member.notifyLevel), muted = \(bind: member.muted) WHERE id = \(bind: member.id!)
                """)
            return member
        }
    }

    // MARK: inside a write

    static func addMember(_ person: UUID, to channel: MessageChannel, by actor: UUID, ctx: WriteContext, announce: Bool = true) async throws {
        let member = ChannelMember()
        member.channelID = channel.id!
        member.workspaceID = channel.workspaceID
        member.userID = person
        // a newcomer starts with the channel read: its history is there to scroll, not a pile of unread
        member.lastReadSeq = channel.lastSeq
        member.lastReadAt = ctx.now
        member.notifyLevel = (channel.channelKind == .direct ? ChannelMember.Level.all : .mentions).rawValue
        member.muted = false
        member.joinedAt = ctx.now
        try await ctx.insert(member)
        guard announce else { return }
        var data = ChannelScope.eventData(channel)
        data["user_id"] = person.uuidString
        data[EventVisibility.joinsRoomKey] = person.uuidString
        if person == actor { data["joined"] = "true" }
        ctx.record(MessageEvent.memberAdded, workspace: channel.workspaceID, actor: actor, subject: .channel(channel), data: data)
    }

    static func memberIDs(of channelID: UUID, on db: any Database) async throws -> [UUID] {
        try await PlainSQL.rows(on: db, "SELECT user_id FROM channel_members WHERE channel_id = \(bind: channelID)")
            .map { try $0.decode(column: "user_id", as: UUID.self) }
    }

    static func projectLead(of channel: MessageChannel, on db: any Database) async throws -> UUID? {
        guard let projectID = channel.projectID else { return nil }
        return try await PlainSQL.rows(on: db, "SELECT lead_id FROM projects WHERE id = \(bind: projectID)").first?
            .decode(column: "lead_id", as: UUID?.self)
    }

    /// The people named, each an active member of the workspace (guests only where they may be).
    private static func people(_ ids: [UUID], in access: WorkspaceAccess, kind: MessageChannel.Kind, projectID: UUID?, on db: any Database,
                               field: String = "member_ids") async throws -> [UUID] {
        let wanted = Array(NSOrderedSet(array: ids)) as! [UUID]
        guard !wanted.isEmpty else { return [] }
        let rows = try await PlainSQL.rows(on: db, """
            SELECT user_id, role FROM memberships WHERE workspace_id = \(bind: access.workspaceID) AND deactivated_at IS NULL
              AND user_id IN (\(binds: wanted))
            """)
        var roles: [UUID: String] = [:]
        for row in rows { roles[try row.decode(column: "user_id", as: UUID.self)] = try row.decode(column: "role", as: String.self) }
        for id in wanted {
            guard let role = roles[id] else { throw BatonError.validation(field, "\(id.uuidString.lowercased()) is not an active member of this workspace.") }
            if role == Role.guest.rawValue, kind == .public {
                throw BatonError.validation(field, "Guests are not added to public channels: use a private channel or the project's.")
            }
            // a guest sees the projects they are in, so a project's channel takes only its own guests
            if role == Role.guest.rawValue, kind == .project, let projectID,
               try await PlainSQL.rows(on: db, "SELECT 1 FROM project_members WHERE project_id = \(bind: projectID) AND user_id = \(bind: id)").isEmpty {
                throw BatonError.validation(field, "That guest is not in this project: add them to the project first.")
            }
        }
        return wanted
    }

    /// The name itself when it is free; for a project's channel named after it, the first free "name 2", "name 3"…
    private static func freeName(_ name: String, in workspaceID: UUID, explicit: Bool, except: UUID? = nil, on db: any Database) async throws -> String {
        func taken(_ candidate: String) async throws -> Bool {
            let rows = try await PlainSQL.rows(on: db, """
                SELECT id FROM channels WHERE workspace_id = \(bind: workspaceID) AND name_key = \(bind: candidate.lowercased())
                """)
            return rows.contains { (try? $0.decode(column: "id", as: UUID.self)) != except }
        }
        guard try await taken(name) else { return name }
        guard !explicit else { throw BatonError.conflict("name", "A channel named “\(name)” exists already: choose another name.") }
        for number in 2...50 where try await !taken("\(name) \(number)") { return "\(name) \(number)" }
        throw BatonError.conflict("name", "A channel named “\(name)” exists already: choose another name.")
    }
}

extension Request {
    var channels: ChannelService { ChannelService(store: application.store) }
}
