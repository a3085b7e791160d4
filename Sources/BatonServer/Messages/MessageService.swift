import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// The only way messages, their reactions, read positions and acknowledgements change.
struct MessageService: Sendable {
    let store: Store

    /// Who wrote a message: a person, or another system through the channel's webhook, or Baton.
    struct Author: Sendable {
        let id: UUID?
        var via = "person"
        /// The webhook's sender name, shown instead of a person's.
        var sender: String? = nil

        static func person(_ id: UUID) -> Author { Author(id: id) }
    }

    static let everyoneLimit = 50

    func post(_ channelID: UUID, by userID: UUID, _ draft: MessageDraft) async throws -> Message {
        try await store.write { ctx in
            let scope = try await ChannelScope.member(channelID, for: userID, on: ctx.db)
            try scope.requireOpen()
            if draft.acknowledgeByEveryone, try await ChannelService.memberIDs(of: channelID, on: ctx.db).count > Self.everyoneLimit,
               !(try await scope.manages(on: ctx.db)) {
                throw BatonError.forbidden("Asking everyone in a channel of more than \(Self.everyoneLimit) people to acknowledge is for whoever manages it: name the people instead.")
            }
            return try await Self.post(draft, in: scope.channel, root: nil, author: .person(userID), ctx: ctx, authorMember: scope.member)
        }
    }

    /// A reply in the thread of `messageID` (a reply to a reply joins its root's thread).
    func reply(to messageID: UUID, by userID: UUID, _ draft: MessageDraft) async throws -> Message {
        try await store.write { ctx in
            var (root, scope) = try await ChannelScope.message(messageID, for: userID, on: ctx.db)
            if let rootID = root.threadRootID, let actual = try await Self.message(rootID, on: ctx.db) { root = actual }
            try scope.requireMember()
            try scope.requireOpen()
            if root.isDeleted { throw BatonError.conflict(nil, "That message was deleted: its thread takes no new replies.") }
            return try await Self.post(draft, in: scope.channel, root: root, author: .person(userID), ctx: ctx)
        }
    }

    func edit(_ messageID: UUID, by userID: UUID, body: String) async throws -> Message {
        try await store.write { ctx in
            let (message, scope) = try await ChannelScope.message(messageID, for: userID, on: ctx.db, lockingRow: true)
            guard message.authorID == userID else { throw BatonError.forbidden("Only its author edits a message.") }
            guard !message.isDeleted else { throw BatonError.conflict(nil, "That message was deleted.") }
            try scope.requireOpen()
            guard body != message.body else { return message }
            let revision = MessageRevision()
            revision.messageID = messageID
            revision.number = message.editCount + 1
            revision.body = message.body
            revision.writtenAt = message.editedAt ?? message.createdAt
            revision.replacedAt = ctx.now
            try await ctx.insert(revision)
            message.body = body
            message.searchText = body.lowercased()
            message.editCount += 1
            message.editedAt = ctx.now
            try await PlainSQL.run(on: ctx.db, """
                UPDATE messages SET body = \(bind: body), search_text = \(bind: message.searchText), edit_count = \(bind: message.editCount),
                    edited_at = \(bind: ctx.now), mentions_channel = \(bind: MessageText.mentionsChannel(body))
                WHERE id = \(bind: messageID)
                """)
            let mentioned = try await Self.mentioned(in: body, channelID: message.channelID, on: ctx.db)
            for person in mentioned { try await Self.addMention(person, of: message, ctx: ctx) }
            ctx.record(MessageEvent.edited, workspace: message.workspaceID, actor: userID, subject: .message(message),
                       data: Self.eventData(message, scope.channel).merging(["edit_count": String(message.editCount)]) { $1 })
            return message
        }
    }

    /// A tombstone: the row keeps its place (and its thread), its words, history, reactions and
    /// requests to acknowledge go.
    func delete(_ messageID: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let (message, scope) = try await ChannelScope.message(messageID, for: userID, on: ctx.db, lockingRow: true)
            guard !message.isDeleted else { return }
            if message.authorID != userID, !(try await scope.manages(on: ctx.db)) {
                throw BatonError.forbidden("Only its author, whoever made the channel and admins delete a message.")
            }
            try await PlainSQL.run(on: ctx.db, """
                UPDATE messages SET body = '', search_text = '', deleted_at = \(bind: ctx.now), deleted_seq = seq,
                    mentions_channel = \(bind: false), asks_acknowledgement = \(bind: false)
                WHERE id = \(bind: messageID)
                """)
            for table in ["message_revisions", "message_reactions", "message_mentions", "message_acks"] {
                try await PlainSQL.run(on: ctx.db, "DELETE FROM \(unsafeRaw: table) WHERE message_id = \(bind: messageID)")
            }
            // a pin of the message holds its first words as its title
            try await PlainSQL.run(on: ctx.db, "DELETE FROM channel_pins WHERE channel_id = \(bind: message.channelID) AND target_id = \(bind: messageID)")
            if let rootID = message.threadRootID {
                try await PlainSQL.run(on: ctx.db, "UPDATE messages SET reply_count = reply_count - 1 WHERE id = \(bind: rootID) AND reply_count > 0")
            }
            ctx.record(MessageEvent.deleted, workspace: message.workspaceID, actor: userID, subject: .message(message),
                       data: Self.eventData(message, scope.channel))
        }
    }

    /// Adds (or, with `remove`, takes back) one's reaction; doing it twice changes nothing.
    func react(_ messageID: UUID, by userID: UUID, emoji: String, remove: Bool) async throws -> Message {
        try await store.write { ctx in
            let (message, scope) = try await ChannelScope.message(messageID, for: userID, on: ctx.db)
            try scope.requireMember()
            try scope.requireOpen()
            guard !message.isDeleted else { throw BatonError.conflict(nil, "That message was deleted.") }
            let changed: Bool
            if remove {
                changed = !(try await PlainSQL.rows(on: ctx.db, """
                    DELETE FROM message_reactions WHERE message_id = \(bind: messageID) AND user_id = \(bind: userID) AND emoji = \(bind: emoji)
                    RETURNING id
                    """)).isEmpty
            } else {
                changed = !(try await PlainSQL.rows(on: ctx.db, """
                    INSERT INTO message_reactions (id, message_id, user_id, emoji, created_at)
                    VALUES (\(bind: UUID()), \(bind: messageID), \(bind: userID), \(bind: emoji), \(bind: ctx.now))
                    ON CONFLICT (message_id, user_id, emoji) DO NOTHING RETURNING id
                    """)).isEmpty
            }
            if changed {
                ctx.record(remove ? MessageEvent.unreacted : .reacted, workspace: message.workspaceID, actor: userID, subject: .message(message),
                           data: Self.eventData(message, scope.channel).merging(["emoji": emoji]) { $1 })
            }
            return message
        }
    }

    /// Moves one's read position in the channel (or, for a reply, in its thread) to the message:
    /// forward only, unless `unreadFromHere`, which puts it just before. Nil: everything is read.
    func markRead(_ channelID: UUID, by userID: UUID, messageID: UUID?, unreadFromHere: Bool = false) async throws {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db)
            try scope.requireMember()
            let member = scope.member!
            guard let messageID else {
                try await Self.moveChannelPointer(member, to: scope.channel.lastSeq, channel: scope.channel, force: false, ctx: ctx)
                return
            }
            guard let message = try await Self.message(messageID, on: ctx.db), message.channelID == channelID else {
                throw BatonError.validation("message_id", "That message is not in this channel.")
            }
            if let rootID = message.threadRootID, let threadSeq = message.threadSeq {
                let target = unreadFromHere ? ReadState.markUnread(from: threadSeq) : threadSeq
                try await Self.moveThreadPointer(userID, rootID: rootID, to: target, force: unreadFromHere, channel: scope.channel, ctx: ctx)
            }
            // a reply also sent to the channel has its place there too
            if let seq = message.seq {
                let target = unreadFromHere ? ReadState.markUnread(from: seq) : seq
                try await Self.moveChannelPointer(member, to: target, channel: scope.channel, force: unreadFromHere, ctx: ctx)
            }
        }
    }

    /// Acknowledges a message that asked the caller to; doing it again changes nothing.
    func acknowledge(_ messageID: UUID, by userID: UUID) async throws -> Message {
        try await store.write { ctx in
            let (message, scope) = try await ChannelScope.message(messageID, for: userID, on: ctx.db)
            try scope.requireMember()
            let rows = try await PlainSQL.rows(on: ctx.db, """
                SELECT acknowledged_at FROM message_acks WHERE message_id = \(bind: messageID) AND user_id = \(bind: userID)
                """)
            guard let row = rows.first else {
                throw BatonError.conflict(nil, message.asksAcknowledgement ? "This message did not ask you to acknowledge it." : "This message asks nobody to acknowledge it.")
            }
            guard try row.decode(column: "acknowledged_at", as: Date?.self) == nil else { return message }
            try await PlainSQL.run(on: ctx.db, """
                UPDATE message_acks SET acknowledged_at = \(bind: ctx.now), remind_at = NULL WHERE message_id = \(bind: messageID) AND user_id = \(bind: userID)
                """)
            ctx.record(MessageEvent.acknowledged, workspace: message.workspaceID, actor: userID, subject: .message(message),
                       data: Self.eventData(message, scope.channel))
            if let seq = message.seq, seq > scope.member!.lastReadSeq {
                try await Self.moveChannelPointer(scope.member!, to: seq, channel: scope.channel, force: false, ctx: ctx)
            }
            return message
        }
    }

    // MARK: inside a write

    /// Posts into `channel` (or, with `root`, its thread): the next position, mentions, the
    /// author's read position, who follows the thread, who is asked to acknowledge, the event.
    static func post(_ draft: MessageDraft, in channel: MessageChannel, root: Message?, author: Author, ctx: WriteContext,
                     taskID: UUID? = nil, deliveryKey: String? = nil, authorMember: ChannelMember? = nil) async throws -> Message {
        let channelID = channel.id!
        let message = Message()
        message.id = UUID()
        message.workspaceID = channel.workspaceID
        message.channelID = channelID
        message.authorID = author.id
        message.via = author.via
        message.body = draft.body
        message.searchText = draft.body.lowercased()
        message.taskID = taskID
        message.replyCount = 0
        message.replySeq = 0
        message.mentionsChannel = MessageText.mentionsChannel(draft.body)
        message.asksAcknowledgement = draft.asksAcknowledgement
        message.editCount = 0
        message.deliveryKey = deliveryKey
        message.createdAt = ctx.now
        if root == nil || draft.alsoSendToChannel {
            let seq = try await PlainSQL.rows(on: ctx.db, """
                UPDATE channels SET last_seq = last_seq + 1, last_message_at = \(bind: ctx.now) WHERE id = \(bind: channelID) RETURNING last_seq
                """).first?.decode(column: "last_seq", as: Int.self)
            message.seq = seq
            channel.lastSeq = seq ?? channel.lastSeq
        }
        if let root {
            message.threadRootID = root.id
            message.threadSeq = try await PlainSQL.rows(on: ctx.db, """
                UPDATE messages SET reply_seq = reply_seq + 1, reply_count = reply_count + 1, last_reply_at = \(bind: ctx.now)
                WHERE id = \(bind: root.id!) RETURNING reply_seq
                """).first?.decode(column: "reply_seq", as: Int.self)
        }
        // The whole roster only when the text names people or asks for acknowledgement: a post
        // into a channel of a thousand reads one member row, the author's.
        let handles = Set(Mentions.handles(in: draft.body))
        let roster = handles.isEmpty && !draft.asksAcknowledgement ? nil : try await Roster.load(channelID, on: ctx.db)
        let mentioned = roster?.named(by: handles).filter { $0 != author.id } ?? []
        let asked = try roster.map { try acknowledgers(draft, roster: $0, author: author.id) } ?? []
        try await ctx.insert(message)
        for person in mentioned { try await addMention(person, of: message, ctx: ctx) }
        // the author's row, when the caller has it already (read in this transaction)
        var authorRow = authorMember
        if authorRow == nil, let authorID = author.id, message.seq != nil { authorRow = try await member(authorID, of: channelID, on: ctx.db) }
        if let seq = message.seq, let member = authorRow {
            try await moveChannelPointer(member, to: seq, channel: channel, force: false, ctx: ctx, announce: false)
        }
        if let root, let rootID = root.id {
            if let authorID = author.id {
                try await moveThreadPointer(authorID, rootID: rootID, to: message.threadSeq ?? 0, force: false, channel: channel, ctx: ctx, announce: false)
            }
            var followers = Set(mentioned)
            if let rootAuthor = root.authorID, try await member(rootAuthor, of: channelID, on: ctx.db) != nil { followers.insert(rootAuthor) }
            if let authorID = author.id { followers.remove(authorID) }
            for follower in followers { try await follow(follower, rootID: rootID, channelID: channelID, ctx: ctx) }
        }
        let reminders = try await AckReminders.firstReminders(for: asked, ctx: ctx)
        for person in asked {
            let ack = MessageAck()
            ack.remindAt = reminders[person]
            ack.messageID = message.id!
            ack.channelID = channelID
            ack.workspaceID = channel.workspaceID
            ack.userID = person
            ack.remindersSent = 0
            try await ctx.insert(ack)
        }
        var data = eventData(message, channel)
        data["via"] = author.via
        if let sender = author.sender { data["sender"] = sender }
        if !mentioned.isEmpty { data["mentions"] = mentioned.map(\.uuidString).joined(separator: ";") }
        if message.mentionsChannel { data["mentions_channel"] = "true" }
        if !asked.isEmpty { data["asks"] = asked.map(\.uuidString).joined(separator: ";") }
        if let root, let rootAuthor = root.authorID { data["root_author_id"] = rootAuthor.uuidString }
        ctx.record(MessageEvent.posted, workspace: channel.workspaceID, actor: author.id, subject: .message(message), data: data)
        return message
    }

    static func eventData(_ message: Message, _ channel: MessageChannel) -> [String: String] {
        var data = ChannelScope.eventData(channel)
        data["message_id"] = message.id!.uuidString
        if let seq = message.seq { data["seq"] = String(seq) }
        if let root = message.threadRootID { data["thread_root_id"] = root.uuidString }
        if let threadSeq = message.threadSeq { data["thread_seq"] = String(threadSeq) }
        return data
    }

    static func message(_ id: UUID, on db: any Database) async throws -> Message? {
        try await PlainSQL.first(Message.self, on: db, "SELECT * FROM messages WHERE id = \(bind: id)")
    }

    static func member(_ userID: UUID, of channelID: UUID, on db: any Database) async throws -> ChannelMember? {
        try await PlainSQL.first(ChannelMember.self, on: db, """
            SELECT * FROM channel_members WHERE channel_id = \(bind: channelID) AND user_id = \(bind: userID)
            """)
    }

    /// The channel's members that `@handle`s in the text name.
    static func mentioned(in body: String, channelID: UUID, on db: any Database) async throws -> [UUID] {
        let handles = Set(Mentions.handles(in: body))
        guard !handles.isEmpty else { return [] }
        return try await Roster.load(channelID, on: db).named(by: handles)
    }

    private static func acknowledgers(_ draft: MessageDraft, roster: Roster, author: UUID?) throws -> [UUID] {
        if draft.acknowledgeByEveryone { return roster.people.filter { $0 != author } }
        let inChannel = Set(roster.people)
        for person in draft.acknowledgeBy where !inChannel.contains(person) {
            throw BatonError.validation("acknowledgement.user_ids", "\(person.uuidString.lowercased()) is not in this channel.")
        }
        return (Array(NSOrderedSet(array: draft.acknowledgeBy)) as! [UUID]).filter { $0 != author }
    }

    private static func addMention(_ person: UUID, of message: Message, ctx: WriteContext) async throws {
        try await PlainSQL.run(on: ctx.db, """
            INSERT INTO message_mentions (id, message_id, channel_id, user_id, seq)
            VALUES (\(bind: UUID()), \(bind: message.id!), \(bind: message.channelID), \(bind: person), \(bind: message.seq))
            ON CONFLICT (message_id, user_id) DO NOTHING
            """)
    }

    static func follow(_ person: UUID, rootID: UUID, channelID: UUID, ctx: WriteContext) async throws {
        try await PlainSQL.run(on: ctx.db, """
            INSERT INTO thread_follows (id, root_id, channel_id, user_id, last_read_seq)
            VALUES (\(bind: UUID()), \(bind: rootID), \(bind: channelID), \(bind: person), 0)
            ON CONFLICT (root_id, user_id) DO NOTHING
            """)
    }

    static func moveChannelPointer(_ member: ChannelMember, to seq: Int, channel: MessageChannel, force: Bool, ctx: WriteContext,
                                   announce: Bool = true) async throws {
        let target = force ? seq : ReadState.markRead(seq, current: member.lastReadSeq)
        guard target != member.lastReadSeq else { return }
        // Forward moves compare in the statement: on PostgreSQL two concurrent "mark read"s both
        // read the row first, and the later commit must not carry the pointer back.
        let moved = try await PlainSQL.rows(on: ctx.db, """
            UPDATE channel_members SET last_read_seq = \(bind: target), last_read_at = \(bind: ctx.now)
            WHERE id = \(bind: member.id!)\(unsafeRaw: force ? "" : " AND last_read_seq < \(target)") RETURNING last_read_seq
            """)
        guard !moved.isEmpty else { return }
        member.lastReadSeq = target
        guard announce else { return }
        var data = ChannelScope.eventData(channel)
        data["seq"] = String(target)
        ctx.record(MessageEvent.read, workspace: channel.workspaceID, actor: member.userID, subject: .channel(channel), data: data)
    }

    static func moveThreadPointer(_ person: UUID, rootID: UUID, to threadSeq: Int, force: Bool, channel: MessageChannel, ctx: WriteContext,
                                  announce: Bool = true) async throws {
        let current = try await PlainSQL.rows(on: ctx.db, """
            SELECT last_read_seq FROM thread_follows WHERE root_id = \(bind: rootID) AND user_id = \(bind: person)
            """).first?.decode(column: "last_read_seq", as: Int.self)
        let target = force ? threadSeq : ReadState.markRead(threadSeq, current: current)
        guard target != current else { return }
        // as for the channel pointer: the statement itself keeps a forward move forward
        let moved = try await PlainSQL.rows(on: ctx.db, """
            INSERT INTO thread_follows (id, root_id, channel_id, user_id, last_read_seq)
            VALUES (\(bind: UUID()), \(bind: rootID), \(bind: channel.id!), \(bind: person), \(bind: target))
            ON CONFLICT (root_id, user_id) DO UPDATE SET last_read_seq = excluded.last_read_seq
            \(unsafeRaw: force ? "" : "WHERE thread_follows.last_read_seq < excluded.last_read_seq") RETURNING last_read_seq
            """)
        guard !moved.isEmpty, announce else { return }
        var data = ChannelScope.eventData(channel)
        data["thread_root_id"] = rootID.uuidString
        data["thread_seq"] = String(target)
        ctx.record(MessageEvent.read, workspace: channel.workspaceID, actor: person, subject: .channel(channel), data: data)
    }
}

/// A channel's people and the handles `@mentions` name them by (the email's local part).
struct Roster: Sendable {
    let people: [UUID]
    let handles: [UUID: String]

    static func load(_ channelID: UUID, on db: any Database) async throws -> Roster {
        let rows = try await PlainSQL.rows(on: db, """
            SELECT channel_members.user_id, users.email FROM channel_members JOIN users ON users.id = channel_members.user_id
            WHERE channel_members.channel_id = \(bind: channelID)
            """)
        var people: [UUID] = []
        var handles: [UUID: String] = [:]
        for row in rows {
            let id = try row.decode(column: "user_id", as: UUID.self)
            people.append(id)
            handles[id] = Mentions.handle(forEmail: try row.decode(column: "email", as: String.self))
        }
        return Roster(people: people, handles: handles)
    }

    func named(by handles: Set<String>) -> [UUID] {
        people.filter { self.handles[$0].map(handles.contains) == true }
    }
}

extension Request {
    var messages: MessageService { MessageService(store: application.store) }
}
