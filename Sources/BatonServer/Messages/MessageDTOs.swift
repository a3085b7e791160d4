import Fluent
import Foundation
import Vapor
import BatonCore

struct ChannelPersonDTO: Content {
    let userId: UUID
    let name: String
}

struct ChannelPinDTO: Content {
    let id: UUID
    let kind: String
    let title: String
    let targetId: UUID?
    let url: String
    let pinnedBy: UUID
    let createdAt: Date

    init(_ pin: ChannelPin) {
        id = pin.id!
        kind = pin.kind
        title = pin.title
        targetId = pin.targetID
        url = pin.url
        pinnedBy = pin.pinnedBy
        createdAt = pin.createdAt
    }
}

/// A channel as the caller sees it: for a direct conversation `title` names the other people.
struct ChannelDTO: Content {
    let id: UUID
    let workspaceId: UUID
    let kind: String
    let name: String
    let title: String
    let topic: String
    let projectId: UUID?
    let createdBy: UUID
    let postsWorkUpdates: Bool
    let hasWebhook: Bool
    let archived: Bool
    let memberCount: Int
    let isMember: Bool
    let unread: Int
    let mentions: Int
    let notifyLevel: String?
    let muted: Bool
    let lastReadSeq: Int?
    let lastSeq: Int
    let lastMessageAt: Date?
    let version: Int
    let createdAt: Date
    var members: [ChannelPersonDTO]? = nil
    var pins: [ChannelPinDTO]? = nil
}

struct ReactionDTO: Content {
    let emoji: String
    let count: Int
    let userIds: [UUID]
    let mine: Bool
}

struct AcknowledgerDTO: Content {
    let userId: UUID
    let name: String
    let acknowledgedAt: Date?
}

/// Who a message asked to acknowledge it; the list of people for its author and admins.
struct AcknowledgementDTO: Content {
    let asked: Int
    let acknowledged: Int
    /// The caller's part: asked, acknowledged, or nil when not asked.
    let mine: String?
    let people: [AcknowledgerDTO]?
}

struct MessageDTO: Content {
    let id: UUID
    let channelId: UUID
    let seq: Int?
    let threadRootId: UUID?
    let threadSeq: Int?
    let authorId: UUID?
    let authorName: String
    let via: String
    let body: String
    let createdAt: Date
    let editedAt: Date?
    let editCount: Int
    let deleted: Bool
    let taskId: UUID?
    let replyCount: Int
    let lastReplyAt: Date?
    let replyUserIds: [UUID]
    let reactions: [ReactionDTO]
    let mentions: [UUID]
    let mentionsChannel: Bool
    let acknowledgement: AcknowledgementDTO?
}

struct MessageRevisionDTO: Content {
    let number: Int
    let body: String
    let writtenAt: Date
    let replacedAt: Date
}

struct ReadsDTO: Content {
    let messageId: UUID
    let read: [ChannelPersonDTO]
    let unread: [ChannelPersonDTO]
}

struct UnreadChannelDTO: Content {
    let channelId: UUID
    let workspaceId: UUID
    let name: String
    let kind: String
    let unread: Int
    let mentions: Int
    let muted: Bool
}

struct UnreadThreadDTO: Content {
    let rootId: UUID
    let channelId: UUID
    let unread: Int
}

struct UnreadDTO: Content {
    let channels: [UnreadChannelDTO]
    let threads: [UnreadThreadDTO]
    /// Unread messages in channels that are not muted, and in followed threads.
    let total: Int
    let mentions: Int
}

struct MembershipDTO: Content {
    let channelId: UUID
    let userId: UUID
    let notifyLevel: String
    let muted: Bool
    let lastReadSeq: Int

    init(_ member: ChannelMember) {
        channelId = member.channelID
        userId = member.userID
        notifyLevel = member.notifyLevel
        muted = member.muted
        lastReadSeq = member.lastReadSeq
    }
}

/// A page of messages in order of position; `next_cursor` is the id to pass as `before` for
/// older ones (or as `after` for newer ones, when paging forward).
typealias MessagePage = ListPage<MessageDTO>

struct SearchHitDTO: Content {
    let message: MessageDTO
    let channelName: String
    let channelKind: String
}
