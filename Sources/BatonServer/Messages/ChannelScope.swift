import Fluent
import Foundation
import BatonCore

/// Who the caller is in a channel: in it (a member row) or, for a public or project channel, a
/// member of the workspace who may read it and join. Anyone else hears 404, whether the channel
/// exists or not.
struct ChannelScope: Sendable {
    let channel: MessageChannel
    let access: WorkspaceAccess
    let member: ChannelMember?

    var channelID: UUID { channel.id! }
    var userID: UUID { access.userID }
    var isMember: Bool { member != nil }

    /// Posting, reacting and reading positions are for people in the channel: the rest hear 404.
    func requireMember() throws {
        guard isMember else { throw BatonError(.notFound, code: "not_found", message: "Channel not found among yours: join it to write in it.") }
    }

    func requireOpen() throws {
        guard channel.archivedAt == nil else { throw BatonError.conflict(nil, "#\(channel.name) is archived: bring it back to write in it.") }
    }

    /// The channel's creator, admins and (for a project's channel) the project lead manage it.
    func manages(on db: any Database) async throws -> Bool {
        if access.role.canAdminister || channel.createdBy == userID { return true }
        return try await ChannelService.projectLead(of: channel, on: db) == userID
    }

    static func channel(_ id: UUID, for userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> ChannelScope {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let channel = try await PlainSQL.first(MessageChannel.self, on: db, "SELECT * FROM channels WHERE id = \(bind: id)\(unsafeRaw: lock)")
        else { throw BatonError.notFound("Channel") }
        let access: WorkspaceAccess
        do {
            access = try await Tenancy.access(channel.workspaceID, for: userID, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Channel")
        }
        let member = try await PlainSQL.first(ChannelMember.self, on: db, """
            SELECT * FROM channel_members WHERE channel_id = \(bind: id) AND user_id = \(bind: userID)
            """)
        // someone made a guest keeps no public channel (they would read the whole team's talk)
        let standing = access.role == .guest && channel.channelKind == .public ? nil : member
        guard standing != nil || (channel.isOpen && access.role != .guest) else { throw BatonError.notFound("Channel") }
        return ChannelScope(channel: channel, access: access, member: standing)
    }

    private static let channelColumns = PlainSQL.columns(of: MessageChannel.self, table: "channels", prefix: "c__")
    private static let memberColumns = PlainSQL.columns(of: ChannelMember.self, table: "channel_members", prefix: "m__")

    /// The scope of someone who is in the channel, in one statement (a post's write reads this,
    /// and SQLite has one writer); anyone else gets the full check and its answer.
    static func member(_ id: UUID, for userID: UUID, on db: any Database) async throws -> ChannelScope {
        if let row = try await PlainSQL.rows(on: db, """
            SELECT \(unsafeRaw: channelColumns), \(unsafeRaw: memberColumns), memberships.role AS w__role, workspaces.name AS w__name
            FROM channels
            JOIN channel_members ON channel_members.channel_id = channels.id AND channel_members.user_id = \(bind: userID)
            JOIN memberships ON memberships.workspace_id = channels.workspace_id AND memberships.user_id = \(bind: userID)
                AND memberships.deactivated_at IS NULL
            JOIN workspaces ON workspaces.id = channels.workspace_id
            WHERE channels.id = \(bind: id)
            """).first, let role = Role(rawValue: try row.decode(column: "w__role", as: String.self)),
           case let kind = try row.decode(column: "c__kind", as: String.self), !(role == .guest && kind == MessageChannel.Kind.public.rawValue) {
            let channel = try PlainSQL.decode(MessageChannel.self, prefix: "c__", from: row)
            let access = WorkspaceAccess(workspaceID: channel.workspaceID, workspaceName: try row.decode(column: "w__name", as: String.self),
                                         userID: userID, role: role)
            return ChannelScope(channel: channel, access: access, member: try PlainSQL.decode(ChannelMember.self, prefix: "m__", from: row))
        }
        let scope = try await channel(id, for: userID, on: db)
        try scope.requireMember()
        return scope
    }

    /// A message and the caller's standing in its channel; 404 for what they may not read.
    static func message(_ id: UUID, for userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> (Message, ChannelScope) {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let message = try await PlainSQL.first(Message.self, on: db, "SELECT * FROM messages WHERE id = \(bind: id)\(unsafeRaw: lock)")
        else { throw BatonError.notFound("Message") }
        do {
            return (message, try await channel(message.channelID, for: userID, on: db))
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Message")
        }
    }

    /// The event data every channel event carries: its room, and how to name the place.
    var eventData: [String: String] { Self.eventData(channel) }

    static func eventData(_ channel: MessageChannel) -> [String: String] {
        var data = [EventVisibility.roomKey: channel.id!.uuidString, "kind": channel.kind]
        if channel.channelKind != .direct { data["channel"] = channel.name }
        return data
    }
}

extension EventSubject {
    static func channel(_ channel: MessageChannel) -> EventSubject {
        .init(type: "channel", id: channel.id, projectID: channel.projectID)
    }

    static func message(_ message: Message) -> EventSubject {
        .init(type: "message", id: message.id)
    }
}
