import Fluent
import Foundation
import BatonCore

/// A place to talk: public (any member may read and join), private (invite only), a project's
/// (its members are in it) or a direct conversation of 2 to 8 people. Every message posted into it
/// (not a thread's replies, unless also sent to the channel) takes the next `last_seq`.
final class MessageChannel: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "channels"
    static var workspaceKey: KeyPath<MessageChannel, FieldProperty<MessageChannel, UUID>> { \.$workspaceID }

    enum Kind: String, Codable, CaseIterable, Sendable { case `public`, `private`, project, direct }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "kind") var kind: String
    /// Empty for a direct conversation (it is named by its people).
    @Field(key: "name") var name: String
    /// The lowercased name, unique in the workspace; nil for direct conversations.
    @OptionalField(key: "name_key") var nameKey: String?
    @Field(key: "topic") var topic: String
    @OptionalField(key: "project_id") var projectID: UUID?
    /// A direct conversation's people, sorted, joined: one conversation per set of people.
    @OptionalField(key: "direct_key") var directKey: String?
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "last_seq") var lastSeq: Int
    @OptionalField(key: "last_message_at") var lastMessageAt: Date?
    /// Stage changes and checkpoint reviews of the project's tasks post into their work-update threads.
    @Field(key: "posts_work_updates") var postsWorkUpdates: Bool
    /// SHA-256 of the incoming webhook's secret; nil when it has none.
    @OptionalField(key: "webhook_hash") var webhookHash: String?
    @OptionalField(key: "archived_at") var archivedAt: Date?
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $workspaceID, $kind, $name, $nameKey, $topic, $projectID, $directKey, $createdBy, $lastSeq, $lastMessageAt,
         $postsWorkUpdates, $webhookHash, $archivedAt, $version, $createdAt, $updatedAt]
    }

    var channelKind: Kind { Kind(rawValue: kind) ?? .private }
    /// Whether members of the workspace who are not in it may read it (and join it).
    var isOpen: Bool { channelKind == .public || channelKind == .project }
}

/// Someone in a channel, with how far they have read (a position, never a row per message) and
/// how they want to hear of it.
final class ChannelMember: Model, @unchecked Sendable {
    static let schema = "channel_members"

    enum Level: String, Codable, CaseIterable, Sendable { case all, mentions, none }

    @ID(key: .id) var id: UUID?
    @Field(key: "channel_id") var channelID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "last_read_seq") var lastReadSeq: Int
    @OptionalField(key: "last_read_at") var lastReadAt: Date?
    @Field(key: "notify_level") var notifyLevel: String
    @Field(key: "muted") var muted: Bool
    @Field(key: "joined_at") var joinedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $channelID, $workspaceID, $userID, $lastReadSeq, $lastReadAt, $notifyLevel, $muted, $joinedAt]
    }
}

/// A message in a channel or a reply in a thread. A reply has `thread_root_id` and its place in
/// the thread (`thread_seq`); it has a channel `seq` only when it was also sent to the channel.
/// Deleting leaves a tombstone: the row stays (positions and threads hold), the text goes.
final class Message: Model, @unchecked Sendable {
    static let schema = "messages"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "channel_id") var channelID: UUID
    @OptionalField(key: "seq") var seq: Int?
    @OptionalField(key: "thread_root_id") var threadRootID: UUID?
    @OptionalField(key: "thread_seq") var threadSeq: Int?
    /// nil when another system posted it (an incoming webhook) or Baton did (a work update).
    @OptionalField(key: "author_id") var authorID: UUID?
    /// "person", "webhook", "automation" or "baton".
    @Field(key: "via") var via: String
    @Field(key: "body") var body: String
    /// The body lowercased, for search on both databases alike.
    @Field(key: "search_text") var searchText: String
    /// The task whose work-update thread this root message opens.
    @OptionalField(key: "task_id") var taskID: UUID?
    @Field(key: "reply_count") var replyCount: Int
    /// The last reply's place in the thread (replies deleted since still count here).
    @Field(key: "reply_seq") var replySeq: Int
    @OptionalField(key: "last_reply_at") var lastReplyAt: Date?
    @Field(key: "mentions_channel") var mentionsChannel: Bool
    @Field(key: "asks_acknowledgement") var asksAcknowledgement: Bool
    @Field(key: "edit_count") var editCount: Int
    @OptionalField(key: "edited_at") var editedAt: Date?
    @OptionalField(key: "deleted_at") var deletedAt: Date?
    /// `seq` again once deleted, else nil: unread counts subtract the deleted after one's position
    /// through an index of these alone.
    @OptionalField(key: "deleted_seq") var deletedSeq: Int?
    /// For a scheduled message, its schedule and occurrence ("<id>:<n>"), unique: a delivery that
    /// ran twice could not post twice.
    @OptionalField(key: "delivery_key") var deliveryKey: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $workspaceID, $channelID, $seq, $threadRootID, $threadSeq, $authorID, $via, $body, $searchText, $taskID, $replyCount,
         $replySeq, $lastReplyAt, $mentionsChannel, $asksAcknowledgement, $editCount, $editedAt, $deletedAt, $deletedSeq, $deliveryKey, $createdAt]
    }

    var isDeleted: Bool { deletedAt != nil }
}

/// A message's earlier text, one row per edit (removed with the message).
final class MessageRevision: Model, @unchecked Sendable {
    static let schema = "message_revisions"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: UUID
    @Field(key: "number") var number: Int
    @Field(key: "body") var body: String
    /// When this text was written (the message's creation or the edit before).
    @Field(key: "written_at") var writtenAt: Date
    @Field(key: "replaced_at") var replacedAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $messageID, $number, $body, $writtenAt, $replacedAt] }
}

final class MessageReaction: Model, @unchecked Sendable {
    static let schema = "message_reactions"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "emoji") var emoji: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $messageID, $userID, $emoji, $createdAt] }
}

/// A person a message names (or everyone, for `@channel`, is not a row): for their inbox and
/// their unread mentions.
final class MessageMention: Model, @unchecked Sendable {
    static let schema = "message_mentions"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: UUID
    @Field(key: "channel_id") var channelID: UUID
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "seq") var seq: Int?

    init() {}

    var properties: [any AnyProperty] { [$id, $messageID, $channelID, $userID, $seq] }
}

/// Someone following a thread (its author, whoever replied or was named in it), with how far
/// they have read it.
final class ThreadFollow: Model, @unchecked Sendable {
    static let schema = "thread_follows"

    @ID(key: .id) var id: UUID?
    @Field(key: "root_id") var rootID: UUID
    @Field(key: "channel_id") var channelID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "last_read_seq") var lastReadSeq: Int

    init() {}

    var properties: [any AnyProperty] { [$id, $rootID, $channelID, $userID, $lastReadSeq] }
}

/// A channel's tab: a pinned link to a task, document, dashboard, approval request or goal, or a
/// pinned message.
final class ChannelPin: Model, @unchecked Sendable {
    static let schema = "channel_pins"

    enum Kind: String, Codable, CaseIterable, Sendable { case task, document, dashboard, approval_request, goal, message, link }

    @ID(key: .id) var id: UUID?
    @Field(key: "channel_id") var channelID: UUID
    @Field(key: "kind") var kind: String
    @Field(key: "title") var title: String
    @OptionalField(key: "target_id") var targetID: UUID?
    @Field(key: "url") var url: String
    @Field(key: "pinned_by") var pinnedBy: UUID
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $channelID, $kind, $title, $targetID, $url, $pinnedBy, $createdAt] }
}

/// Someone a message asks to acknowledge it: when they did, and how often they were reminded.
final class MessageAck: Model, @unchecked Sendable {
    static let schema = "message_acks"

    @ID(key: .id) var id: UUID?
    @Field(key: "message_id") var messageID: UUID
    @Field(key: "channel_id") var channelID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @OptionalField(key: "acknowledged_at") var acknowledgedAt: Date?
    @Field(key: "reminders_sent") var remindersSent: Int
    /// When the next reminder goes out (in their working hours); nil once acknowledged or reminded enough.
    @OptionalField(key: "remind_at") var remindAt: Date?

    init() {}

    var properties: [any AnyProperty] { [$id, $messageID, $channelID, $workspaceID, $userID, $acknowledgedAt, $remindersSent, $remindAt] }
}

/// A message written now and sent later by the job queue: at a time, at the start of a person's
/// working day, or every week ("every Monday at 9:00 their time") until cancelled.
final class ScheduledMessage: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "scheduled_messages"
    static var workspaceKey: KeyPath<ScheduledMessage, FieldProperty<ScheduledMessage, UUID>> { \.$workspaceID }

    enum Status: String, Codable, CaseIterable, Sendable { case pending, sent, cancelled, failed }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "channel_id") var channelID: UUID
    @OptionalField(key: "thread_root_id") var threadRootID: UUID?
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "body") var body: String
    @Field(key: "send_at") var sendAt: Date
    /// Whose working day "at the start of their working day" (and "their time") means.
    @OptionalField(key: "recipient_id") var recipientID: UUID?
    @Field(key: "at_start_of_day") var atStartOfDay: Bool
    /// JSON of `MessageSchedule.Recurrence`, for recurring check-ins.
    @OptionalField(key: "recurrence") var recurrence: String?
    @Field(key: "asks_acknowledgement") var asksAcknowledgement: Bool
    @Field(key: "status") var status: String
    @OptionalField(key: "failure") var failure: String?
    @Field(key: "sent_count") var sentCount: Int
    @OptionalField(key: "last_message_id") var lastMessageID: UUID?
    @OptionalField(key: "last_sent_at") var lastSentAt: Date?
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $workspaceID, $channelID, $threadRootID, $authorID, $body, $sendAt, $recipientID, $atStartOfDay, $recurrence,
         $asksAcknowledgement, $status, $failure, $sentCount, $lastMessageID, $lastSentAt, $version, $createdAt, $updatedAt]
    }
}
