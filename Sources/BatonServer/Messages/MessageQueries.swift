import Fluent
import SQLKit
import Foundation
import BatonCore

/// Reads of channels and messages, each a few statements whatever the page's size.
enum MessageQueries {
    // MARK: messages

    /// Messages with their reactions, mentions, repliers and acknowledgements, as `viewer` sees them.
    static func dtos(_ messages: [Message], viewer: UUID, on db: any Database) async throws -> [MessageDTO] {
        guard !messages.isEmpty else { return [] }
        let ids = SQLList(messages.map { SQLBind($0.id!) })
        var reactions: [UUID: [(emoji: String, user: UUID)]] = [:]
        for row in try await PlainSQL.rows(on: db, """
            SELECT message_id, emoji, user_id FROM message_reactions WHERE message_id IN (\(ids)) ORDER BY created_at
            """) {
            reactions[try row.decode(column: "message_id", as: UUID.self), default: []]
                .append((try row.decode(column: "emoji", as: String.self), try row.decode(column: "user_id", as: UUID.self)))
        }
        var mentions: [UUID: [UUID]] = [:]
        for row in try await PlainSQL.rows(on: db, "SELECT message_id, user_id FROM message_mentions WHERE message_id IN (\(ids))") {
            mentions[try row.decode(column: "message_id", as: UUID.self), default: []].append(try row.decode(column: "user_id", as: UUID.self))
        }
        var acks: [UUID: [(user: UUID, at: Date?)]] = [:]
        if messages.contains(where: \.asksAcknowledgement) {
            for row in try await PlainSQL.rows(on: db, "SELECT message_id, user_id, acknowledged_at FROM message_acks WHERE message_id IN (\(ids))") {
                acks[try row.decode(column: "message_id", as: UUID.self), default: []]
                    .append((try row.decode(column: "user_id", as: UUID.self), try row.decode(column: "acknowledged_at", as: Date?.self)))
            }
        }
        var repliers: [UUID: [UUID]] = [:]
        let roots = messages.filter { $0.replyCount > 0 }.map { SQLBind($0.id!) }
        if !roots.isEmpty {
            for row in try await PlainSQL.rows(on: db, """
                SELECT thread_root_id, author_id FROM messages WHERE thread_root_id IN (\(SQLList(roots))) AND deleted_at IS NULL
                  AND author_id IS NOT NULL ORDER BY thread_seq
                """) {
                let root = try row.decode(column: "thread_root_id", as: UUID.self)
                let author = try row.decode(column: "author_id", as: UUID.self)
                if !(repliers[root]?.contains(author) ?? false) { repliers[root, default: []].append(author) }
            }
        }
        let people = messages.compactMap(\.authorID) + acks.values.flatMap { $0.map(\.user) }
        let names = try await UserNames.load(people, on: db)
        return messages.map { message in
            let id = message.id!
            let grouped = Dictionary(grouping: reactions[id] ?? [], by: \.emoji)
            let order = (reactions[id] ?? []).map(\.emoji).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let asked = acks[id] ?? []
            return MessageDTO(
                id: id, channelId: message.channelID, seq: message.seq, threadRootId: message.threadRootID, threadSeq: message.threadSeq,
                authorId: message.authorID, authorName: authorName(message, names: names), via: message.via, body: message.body,
                createdAt: message.createdAt, editedAt: message.editedAt, editCount: message.editCount, deleted: message.isDeleted,
                taskId: message.taskID, replyCount: message.replyCount, lastReplyAt: message.lastReplyAt,
                replyUserIds: Array((repliers[id] ?? []).prefix(5)),
                reactions: order.map { emoji in
                    let users = grouped[emoji]!.map(\.user)
                    return ReactionDTO(emoji: emoji, count: users.count, userIds: users, mine: users.contains(viewer))
                },
                mentions: mentions[id] ?? [], mentionsChannel: message.mentionsChannel,
                acknowledgement: asked.isEmpty ? nil : AcknowledgementDTO(
                    asked: asked.count, acknowledged: asked.filter { $0.at != nil }.count,
                    mine: asked.first { $0.user == viewer }.map { $0.at == nil ? "asked" : "acknowledged" },
                    people: asked.map { AcknowledgerDTO(userId: $0.user, name: names[$0.user] ?? "someone", acknowledgedAt: $0.at) }
                        .sorted { $0.name < $1.name }))
        }
    }

    static func authorName(_ message: Message, names: [UUID: String]) -> String {
        if let author = message.authorID { return names[author] ?? "someone" }
        return message.via == "webhook" ? "Integration" : "Baton"
    }

    /// A message just posted: no reactions, replies or acknowledgements yet, so no reads but its mentions'.
    static func fresh(_ message: Message, authorName: String, on db: any Database) async throws -> MessageDTO {
        let mentions = Mentions.handles(in: message.body).isEmpty ? [] : try await PlainSQL.rows(on: db, """
            SELECT user_id FROM message_mentions WHERE message_id = \(bind: message.id!)
            """).map { try $0.decode(column: "user_id", as: UUID.self) }
        guard !message.asksAcknowledgement else { return try await dto(message, viewer: message.authorID ?? UUID(), on: db) }
        return MessageDTO(
            id: message.id!, channelId: message.channelID, seq: message.seq, threadRootId: message.threadRootID, threadSeq: message.threadSeq,
            authorId: message.authorID, authorName: authorName, via: message.via, body: message.body, createdAt: message.createdAt,
            editedAt: nil, editCount: 0, deleted: false, taskId: message.taskID, replyCount: 0, lastReplyAt: nil, replyUserIds: [],
            reactions: [], mentions: mentions, mentionsChannel: message.mentionsChannel, acknowledgement: nil)
    }

    static func dto(_ message: Message, viewer: UUID, on db: any Database) async throws -> MessageDTO {
        try await dtos([message], viewer: viewer, on: db)[0]
    }

    /// Where a page of the channel starts: the newest (no cursor), before a message or after one.
    enum Cursor: Sendable { case latest, before(Int), after(Int) }

    /// The channel's messages (and replies also sent to it) in order of position.
    static func page(_ channelID: UUID, cursor: Cursor, limit: Int, on db: any Database) async throws -> (messages: [Message], next: UUID?) {
        let fetched: [Message]
        switch cursor {
        case .latest:
            fetched = try await PlainSQL.all(Message.self, on: db, """
                SELECT * FROM messages WHERE channel_id = \(bind: channelID) AND seq IS NOT NULL ORDER BY seq DESC LIMIT \(bind: limit + 1)
                """)
        case .before(let seq):
            fetched = try await PlainSQL.all(Message.self, on: db, """
                SELECT * FROM messages WHERE channel_id = \(bind: channelID) AND seq < \(bind: seq) ORDER BY seq DESC LIMIT \(bind: limit + 1)
                """)
        case .after(let seq):
            let rows = try await PlainSQL.all(Message.self, on: db, """
                SELECT * FROM messages WHERE channel_id = \(bind: channelID) AND seq > \(bind: seq) ORDER BY seq ASC LIMIT \(bind: limit + 1)
                """)
            return (Array(rows.prefix(limit)), rows.count > limit ? rows[limit - 1].id : nil)
        }
        let page = Array(fetched.prefix(limit))
        return (page.reversed(), fetched.count > limit ? page.last?.id : nil)
    }

    /// A thread's replies in order, after one of them if given.
    static func replies(_ rootID: UUID, afterThreadSeq: Int, limit: Int, on db: any Database) async throws -> (messages: [Message], next: UUID?) {
        let rows = try await PlainSQL.all(Message.self, on: db, """
            SELECT * FROM messages WHERE thread_root_id = \(bind: rootID) AND thread_seq > \(bind: afterThreadSeq)
            ORDER BY thread_seq ASC LIMIT \(bind: limit + 1)
            """)
        return (Array(rows.prefix(limit)), rows.count > limit ? rows[limit - 1].id : nil)
    }

    /// Who has read the message and who has not, among the channel's people (its author has).
    static func reads(_ message: Message, on db: any Database) async throws -> ReadsDTO {
        var pointers: [UUID: Int] = [:]
        let position: Int
        if let seq = message.seq {
            position = seq
            for row in try await PlainSQL.rows(on: db, "SELECT user_id, last_read_seq FROM channel_members WHERE channel_id = \(bind: message.channelID)") {
                pointers[try row.decode(column: "user_id", as: UUID.self)] = try row.decode(column: "last_read_seq", as: Int.self)
            }
        } else {
            position = message.threadSeq ?? 0
            for row in try await PlainSQL.rows(on: db, """
                SELECT user_id, last_read_seq FROM thread_follows WHERE root_id = \(bind: message.threadRootID)
                """) {
                pointers[try row.decode(column: "user_id", as: UUID.self)] = try row.decode(column: "last_read_seq", as: Int.self)
            }
        }
        let members = try await ChannelService.memberIDs(of: message.channelID, on: db)
        let split = ReadState.readers(of: position, author: message.authorID ?? UUID(), pointers: pointers, members: members)
        let names = try await UserNames.load(members, on: db)
        func people(_ ids: [UUID]) -> [ChannelPersonDTO] {
            ids.map { ChannelPersonDTO(userId: $0, name: names[$0] ?? "someone") }.sorted { $0.name < $1.name }
        }
        return ReadsDTO(messageId: message.id!, read: people(split.read), unread: people(split.unread))
    }

    static func revisions(_ messageID: UUID, on db: any Database) async throws -> [MessageRevisionDTO] {
        try await PlainSQL.all(MessageRevision.self, on: db, "SELECT * FROM message_revisions WHERE message_id = \(bind: messageID) ORDER BY number")
            .map { MessageRevisionDTO(number: $0.number, body: $0.body, writtenAt: $0.writtenAt, replacedAt: $0.replacedAt) }
    }
}
