import Fluent
import SQLKit
import Foundation
import BatonCore

/// Who hears of what is posted, by each person's level for the channel: direct messages,
/// mentions (`@channel` too), replies in threads one follows, requests to acknowledge, and for
/// the level "all" everything. A muted channel tells of one's own mentions and requests alone (not
/// `@channel`); the level
/// "none" of requests alone. One notice per person and message: the strongest reason wins.
enum MessageNotices {
    static let direct = NoticeKind("message_direct", label: "Direct messages to you")
    static let mention = NoticeKind("message_mention", label: "Mentions of you in channels")
    static let reply = NoticeKind("message_reply", label: "Replies in threads you follow")
    static let acknowledge = NoticeKind("message_acknowledge", label: "Messages that ask you to acknowledge them", defaultDelivery: .both)
    static let channel = NoticeKind("message_channel", label: "Every message in channels you set to “all”")
    static let schedule = NoticeKind("message_schedule", label: "Your scheduled messages that could not be sent")

    static let kinds = [direct, mention, reply, acknowledge, channel, schedule]

    /// Strongest first.
    private enum Reason: Int, Comparable {
        case acknowledge, mention, everyone, direct, reply, all
        static func < (a: Reason, b: Reason) -> Bool { a.rawValue < b.rawValue }
        var kind: NoticeKind {
            switch self {
            case .acknowledge: MessageNotices.acknowledge
            case .mention, .everyone: MessageNotices.mention
            case .direct: MessageNotices.direct
            case .reply: MessageNotices.reply
            case .all: MessageNotices.channel
            }
        }
    }

    private struct Member { let level: ChannelMember.Level; let muted: Bool }

    static func notices(_ events: [LoggedEvent], on db: any Database) async throws -> [Notice] {
        var notices: [Notice] = []
        for event in events {
            guard let workspace = event.workspaceId else { continue }
            if event.kind == MessageEvent.told.rawValue, let recipient = event.subjectId {
                let reminder = event.data["reason"] == "acknowledgement_reminder"
                notices.append(Notice(eventID: event.id, workspaceID: workspace, recipient: recipient, actor: event.actorId,
                                      kind: (reminder ? acknowledge : schedule).rawValue,
                                      subjectType: reminder ? "message" : "scheduled_message",
                                      subjectID: UUID(uuidString: event.data[reminder ? "message_id" : "scheduled_id"] ?? ""),
                                      subjectTitle: MessageEvent.placeName(event.data), at: event.createdAt))
                continue
            }
            guard event.kind == MessageEvent.posted.rawValue, let channelID = event.data[EventVisibility.roomKey].flatMap(UUID.init(uuidString:)),
                  let messageID = event.subjectId else { continue }
            let rootID = event.data["thread_root_id"].flatMap(UUID.init(uuidString:))
            let followers = try await rootID.asyncMap { try await Self.followers(of: $0, on: db) } ?? []
            let everyone = event.data["mentions_channel"] == "true" || event.data["kind"] == MessageChannel.Kind.direct.rawValue
            // a post into a big channel reads the people it names and those who hear everything, not the whole roster
            let members = try await levels(of: channelID, everyone: everyone,
                                           named: ids(event.data["asks"]) + ids(event.data["mentions"]) + followers, on: db)
            var reasons: [UUID: Reason] = [:]
            func add(_ person: UUID, _ reason: Reason) {
                guard person != event.actorId, let member = members[person] else { return }
                let heard: Bool
                switch reason {
                case .acknowledge: heard = true
                case .mention: heard = member.level != .none
                case .everyone, .direct, .reply, .all: heard = member.level != .none && !member.muted
                }
                guard heard else { return }
                reasons[person] = min(reasons[person] ?? reason, reason)
            }
            for person in ids(event.data["asks"]) { add(person, .acknowledge) }
            for person in ids(event.data["mentions"]) { add(person, .mention) }
            if event.data["mentions_channel"] == "true" { for person in members.keys { add(person, .everyone) } }
            if event.data["kind"] == MessageChannel.Kind.direct.rawValue { for person in members.keys { add(person, .direct) } }
            for person in followers { add(person, .reply) }
            for (person, member) in members where member.level == .all { add(person, .all) }
            let subjectIsChannel = { (reason: Reason) in reason == .direct || reason == .all }
            for (person, reason) in reasons {
                notices.append(Notice(eventID: event.id, workspaceID: workspace, recipient: person, actor: event.actorId, kind: reason.kind.rawValue,
                                      subjectType: subjectIsChannel(reason) ? "channel" : "message",
                                      subjectID: subjectIsChannel(reason) ? channelID : (reason == .reply ? rootID : messageID),
                                      subjectTitle: MessageEvent.placeName(event.data), at: event.createdAt))
            }
        }
        return notices
    }

    private static func ids(_ text: String?) -> [UUID] {
        (text ?? "").split(separator: ";").compactMap { UUID(uuidString: String($0)) }
    }

    private static func levels(of channelID: UUID, everyone: Bool, named: [UUID], on db: any Database) async throws -> [UUID: Member] {
        let columns: SQLQueryString = "SELECT user_id, notify_level, muted FROM channel_members WHERE channel_id = \(bind: channelID)"
        var queries: [SQLQueryString] = []
        if everyone {
            queries.append(columns)
        } else {
            // two index lookups rather than one OR, which would read every member row
            var hearAll = columns
            hearAll.appendInterpolation(unsafeRaw: " AND notify_level = 'all'")
            queries.append(hearAll)
            if !named.isEmpty {
                var byName = columns
                byName.appendInterpolation(unsafeRaw: " AND user_id IN (")
                byName.appendInterpolation(SQLList(Array(Set(named)).map { SQLBind($0) }))
                byName.appendInterpolation(unsafeRaw: ")")
                queries.append(byName)
            }
        }
        var members: [UUID: Member] = [:]
        for query in queries {
            for row in try await PlainSQL.rows(on: db, query) {
                members[try row.decode(column: "user_id", as: UUID.self)] = Member(
                    level: ChannelMember.Level(rawValue: try row.decode(column: "notify_level", as: String.self)) ?? .mentions,
                    muted: try row.decode(column: "muted", as: Bool.self))
            }
        }
        return members
    }

    private static func followers(of rootID: UUID, on db: any Database) async throws -> [UUID] {
        try await PlainSQL.rows(on: db, "SELECT user_id FROM thread_follows WHERE root_id = \(bind: rootID)")
            .map { try $0.decode(column: "user_id", as: UUID.self) }
    }
}
