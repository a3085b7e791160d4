import Fluent
import SQLKit
import Foundation
import BatonCore

/// Channels as a person sees them, and their unread counts from read positions.
enum ChannelQueries {
    /// The caller's channels, or also the open ones they could join (`joinable`), by name;
    /// direct conversations titled by their other people.
    static func list(_ access: WorkspaceAccess, joinable: Bool, archived: Bool, on db: any Database) async throws -> [ChannelDTO] {
        let mine = try await PlainSQL.all(ChannelMember.self, on: db, """
            SELECT * FROM channel_members WHERE user_id = \(bind: access.userID) AND workspace_id = \(bind: access.workspaceID)
            """)
        let byChannel = Dictionary(mine.map { ($0.channelID, $0) }) { first, _ in first }
        var channels: [MessageChannel] = []
        if !byChannel.isEmpty {
            channels = try await PlainSQL.all(MessageChannel.self, on: db, """
                SELECT * FROM channels WHERE id IN (\(SQLList(byChannel.keys.map { SQLBind($0) })))
                """)
        }
        if joinable && access.role != .guest {
            let open = try await PlainSQL.all(MessageChannel.self, on: db, """
                SELECT * FROM channels WHERE workspace_id = \(bind: access.workspaceID) AND kind IN ('public', 'project')
                """)
            channels += open.filter { byChannel[$0.id!] == nil }
        }
        channels = channels.filter { ($0.archivedAt != nil) == archived }
        return try await dtos(channels, members: byChannel, viewer: access.userID, on: db)
            .sorted { ($0.kind == "direct" ? 1 : 0, $0.title.lowercased()) < ($1.kind == "direct" ? 1 : 0, $1.title.lowercased()) }
    }

    static func detail(_ scope: ChannelScope, on db: any Database) async throws -> ChannelDTO {
        var dto = try await dtos([scope.channel], members: scope.member.map { [scope.channelID: $0] } ?? [:], viewer: scope.userID, on: db)[0]
        let ids = try await ChannelService.memberIDs(of: scope.channelID, on: db)
        let names = try await UserNames.load(ids, on: db)
        dto.members = ids.map { ChannelPersonDTO(userId: $0, name: names[$0] ?? "someone") }.sorted { $0.name < $1.name }
        dto.pins = try await PlainSQL.all(ChannelPin.self, on: db, """
            SELECT * FROM channel_pins WHERE channel_id = \(bind: scope.channelID) ORDER BY created_at
            """).map(ChannelPinDTO.init)
        return dto
    }

    private static func dtos(_ channels: [MessageChannel], members: [UUID: ChannelMember], viewer: UUID, on db: any Database) async throws -> [ChannelDTO] {
        guard !channels.isEmpty else { return [] }
        let ids = SQLList(channels.map { SQLBind($0.id!) })
        var counts: [UUID: Int] = [:]
        for row in try await PlainSQL.rows(on: db, """
            SELECT channel_id, COUNT(*) AS n FROM channel_members WHERE channel_id IN (\(ids)) GROUP BY channel_id
            """) {
            counts[try row.decode(column: "channel_id", as: UUID.self)] = try row.decode(column: "n", as: Int.self)
        }
        let unread = try await unreadByChannel(viewer, channelIDs: channels.map { $0.id! }, on: db)
        let titles = try await directTitles(channels.filter { $0.channelKind == .direct }, viewer: viewer, on: db)
        return channels.map { channel in
            let id = channel.id!
            let member = members[id]
            return ChannelDTO(
                id: id, workspaceId: channel.workspaceID, kind: channel.kind, name: channel.name, title: titles[id] ?? channel.name,
                topic: channel.topic, projectId: channel.projectID, createdBy: channel.createdBy, postsWorkUpdates: channel.postsWorkUpdates,
                hasWebhook: channel.webhookHash != nil, archived: channel.archivedAt != nil, memberCount: counts[id] ?? 0,
                isMember: member != nil, unread: unread[id]?.unread ?? 0, mentions: unread[id]?.mentions ?? 0,
                notifyLevel: member?.notifyLevel, muted: member?.muted ?? false, lastReadSeq: member?.lastReadSeq, lastSeq: channel.lastSeq,
                lastMessageAt: channel.lastMessageAt, version: channel.version, createdAt: channel.createdAt)
        }
    }

    /// "Maya Chen, Tom Becker": a direct conversation named by everyone in it but the viewer.
    static func directTitles(_ channels: [MessageChannel], viewer: UUID, on db: any Database) async throws -> [UUID: String] {
        guard !channels.isEmpty else { return [:] }
        let rows = try await PlainSQL.rows(on: db, """
            SELECT channel_members.channel_id, users.name FROM channel_members JOIN users ON users.id = channel_members.user_id
            WHERE channel_members.channel_id IN (\(SQLList(channels.map { SQLBind($0.id!) }))) AND channel_members.user_id <> \(bind: viewer)
            ORDER BY users.name
            """)
        var titles: [UUID: [String]] = [:]
        for row in rows { titles[try row.decode(column: "channel_id", as: UUID.self), default: []].append(try row.decode(column: "name", as: String.self)) }
        return titles.mapValues { $0.joined(separator: ", ") }
    }

    // MARK: unread

    private static func unreadSQL(_ userID: UUID) -> SQLQueryString {
        """
        SELECT channels.id, channels.workspace_id, channels.name, channels.kind, channel_members.muted,
            channels.last_seq - channel_members.last_read_seq
              - (SELECT COUNT(*) FROM messages WHERE messages.channel_id = channels.id AND messages.deleted_seq > channel_members.last_read_seq) AS unread,
            (SELECT COUNT(*) FROM message_mentions WHERE message_mentions.user_id = channel_members.user_id
               AND message_mentions.channel_id = channels.id AND message_mentions.seq > channel_members.last_read_seq) AS mentions
        FROM channel_members
        JOIN channels ON channels.id = channel_members.channel_id
        JOIN memberships ON memberships.workspace_id = channel_members.workspace_id AND memberships.user_id = channel_members.user_id
        WHERE channel_members.user_id = \(bind: userID) AND channels.archived_at IS NULL AND memberships.deactivated_at IS NULL
        """
    }

    private static func unreadByChannel(_ userID: UUID, channelIDs: [UUID], on db: any Database) async throws -> [UUID: (unread: Int, mentions: Int)] {
        var result: [UUID: (Int, Int)] = [:]
        var query = unreadSQL(userID)
        query.appendInterpolation(unsafeRaw: " AND channels.id IN (")
        query.appendInterpolation(SQLList(channelIDs.map { SQLBind($0) }))
        query.appendInterpolation(unsafeRaw: ")")
        for row in try await PlainSQL.rows(on: db, query) {
            result[try row.decode(column: "id", as: UUID.self)] = (try row.decode(column: "unread", as: Int.self), try row.decode(column: "mentions", as: Int.self))
        }
        return result
    }

    /// Every channel and followed thread with something unread: the counts are position
    /// arithmetic (the channel's last position less one's own, less the deleted since), not a
    /// count of messages.
    static func unread(_ userID: UUID, workspaceID: UUID?, on db: any Database) async throws -> UnreadDTO {
        var query = unreadSQL(userID)
        if let workspaceID { query.appendInterpolation(unsafeRaw: " AND channels.workspace_id = "); query.appendInterpolation(bind: workspaceID) }
        var channels: [UnreadChannelDTO] = []
        for row in try await PlainSQL.rows(on: db, query) {
            let unread = try row.decode(column: "unread", as: Int.self)
            let mentions = try row.decode(column: "mentions", as: Int.self)
            guard unread > 0 || mentions > 0 else { continue }
            channels.append(UnreadChannelDTO(
                channelId: try row.decode(column: "id", as: UUID.self), workspaceId: try row.decode(column: "workspace_id", as: UUID.self),
                name: try row.decode(column: "name", as: String.self), kind: try row.decode(column: "kind", as: String.self),
                unread: unread, mentions: mentions, muted: try row.decode(column: "muted", as: Bool.self)))
        }
        var threadQuery: SQLQueryString = """
            SELECT thread_follows.root_id, thread_follows.channel_id,
                roots.reply_seq - thread_follows.last_read_seq
                  - (SELECT COUNT(*) FROM messages gone WHERE gone.thread_root_id = thread_follows.root_id
                       AND gone.thread_seq > thread_follows.last_read_seq AND gone.deleted_at IS NOT NULL) AS unread
            FROM thread_follows
            JOIN messages roots ON roots.id = thread_follows.root_id
            JOIN channels ON channels.id = thread_follows.channel_id
            JOIN channel_members ON channel_members.channel_id = thread_follows.channel_id AND channel_members.user_id = thread_follows.user_id
            JOIN memberships ON memberships.workspace_id = channels.workspace_id AND memberships.user_id = thread_follows.user_id
            WHERE thread_follows.user_id = \(bind: userID) AND roots.reply_seq > thread_follows.last_read_seq AND channels.archived_at IS NULL
                AND memberships.deactivated_at IS NULL
            """
        if let workspaceID { threadQuery.appendInterpolation(unsafeRaw: " AND channels.workspace_id = "); threadQuery.appendInterpolation(bind: workspaceID) }
        var threads: [UnreadThreadDTO] = []
        for row in try await PlainSQL.rows(on: db, threadQuery) {
            let unread = try row.decode(column: "unread", as: Int.self)
            guard unread > 0 else { continue }
            threads.append(UnreadThreadDTO(rootId: try row.decode(column: "root_id", as: UUID.self),
                                           channelId: try row.decode(column: "channel_id", as: UUID.self), unread: unread))
        }
        let total = channels.filter { !$0.muted }.reduce(0) { $0 + $1.unread } + threads.reduce(0) { $0 + $1.unread }
        return UnreadDTO(channels: channels, threads: threads, total: total, mentions: channels.reduce(0) { $0 + $1.mentions })
    }
}
