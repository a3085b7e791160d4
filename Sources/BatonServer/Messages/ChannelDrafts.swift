import Foundation
import BatonCore

/// A new channel, read from a body: every field is checked before the first problem is reported.
struct ChannelDraft: Sendable {
    var kind: MessageChannel.Kind = .public
    var name: String?
    var topic = ""
    var memberIDs: [UUID] = []
    var projectID: UUID?
    var postsWorkUpdates: Bool?

    static let maxDirectPeople = 8

    init(kind: MessageChannel.Kind, name: String? = nil, topic: String = "", memberIDs: [UUID] = [], projectID: UUID? = nil) {
        self.kind = kind
        self.name = name
        self.topic = topic
        self.memberIDs = memberIDs
        self.projectID = projectID
    }

    init(_ body: PatchReader) throws {
        let reading = Reading()
        kind = reading.read { try body.enumValue("kind", MessageChannel.Kind.self, allowed: "public, private, project or direct") } ?? .public
        name = reading.read { try body.string("name").map(ChannelDraft.channelName) }
        topic = reading.read { try body.string("topic").map(ChannelDraft.topic) } ?? ""
        memberIDs = reading.read { try body.uuids("member_ids") } ?? []
        projectID = reading.read { try body.uuid("project_id") }
        postsWorkUpdates = reading.read { try body.bool("posts_work_updates") }
        try reading.finish()
        switch kind {
        case .public, .private:
            guard name != nil else { throw BatonError.validation("name", "Give the channel a name.") }
        case .project:
            guard projectID != nil else { throw BatonError.validation("project_id", "Name the project the channel is for.") }
        case .direct:
            if name != nil { throw BatonError.validation("name", "A direct conversation is named by its people: leave out the name.") }
            if memberIDs.isEmpty { throw BatonError.validation("member_ids", "Name the people to talk to.") }
        }
        if memberIDs.count > 500 { throw BatonError.validation("member_ids", "Add at most 500 people at once.") }
    }

    /// "#Launch plan" → "Launch plan": one line, at most 80 characters.
    static func channelName(_ raw: String) throws -> String {
        var text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        while text.hasPrefix("#") { text.removeFirst() }
        return try DisplayText.validate(text, label: "A channel's name", max: 80).orFail(field: "name")
    }

    static func topic(_ raw: String) throws -> String {
        try DisplayText.validate(raw, label: "The topic", max: 250, required: false).orFail(field: "topic")
    }
}

/// A change to a channel: what the body names changes.
struct ChannelPatch: Sendable {
    var name: String?
    var topic: String?
    var archived: Bool?
    var postsWorkUpdates: Bool?
    var version: Int?

    init(_ body: PatchReader) throws {
        let reading = Reading()
        name = reading.read { try body.string("name").map(ChannelDraft.channelName) }
        topic = reading.read { try body.string("topic").map(ChannelDraft.topic) }
        archived = reading.read { try body.bool("archived") }
        postsWorkUpdates = reading.read { try body.bool("posts_work_updates") }
        version = reading.read { try body.int("version") }
        try reading.finish()
    }

    var isEmpty: Bool { name == nil && topic == nil && archived == nil && postsWorkUpdates == nil }
}

/// How someone hears of a channel: all messages, mentions only, or nothing; mute hides its unread.
struct MembershipPatch: Sendable {
    var level: ChannelMember.Level?
    var muted: Bool?

    init(_ body: PatchReader) throws {
        let reading = Reading()
        level = reading.read { try body.enumValue("notify_level", ChannelMember.Level.self, allowed: "all, mentions or none") }
        muted = reading.read { try body.bool("muted") }
        try reading.finish()
    }
}

/// A message to post: its text and whom it asks to acknowledge it.
struct MessageDraft: Sendable {
    var body: String
    /// Named people, or everyone in the channel.
    var acknowledgeBy: [UUID] = []
    var acknowledgeByEveryone = false
    var alsoSendToChannel = false

    init(body: String, acknowledgeBy: [UUID] = [], everyone: Bool = false, alsoSendToChannel: Bool = false) {
        self.body = body
        self.acknowledgeBy = acknowledgeBy
        self.acknowledgeByEveryone = everyone
        self.alsoSendToChannel = alsoSendToChannel
    }

    init(_ body: PatchReader, reply: Bool) throws {
        let reading = Reading()
        self.body = reading.read { try MessageDraft.text(body.string("body")) } ?? ""
        if let ack = reading.read({ try body.objectReader("acknowledgement") }) {
            acknowledgeBy = reading.read { try ack.uuids("user_ids") } ?? []
            acknowledgeByEveryone = reading.read { try ack.bool("everyone") } ?? false
            if acknowledgeBy.count > 500 { _ = reading.read { () throws -> Bool? in throw BatonError.validation("acknowledgement.user_ids", "Ask at most 500 people.") } }
        }
        if reply { alsoSendToChannel = reading.read { try body.bool("also_send_to_channel") } ?? false }
        try reading.finish()
    }

    static func text(_ raw: String?) throws -> String {
        guard let raw else { throw BatonError.validation("body", "Write something to send.") }
        return try MessageText.validate(raw).orFail(field: "body")
    }

    var asksAcknowledgement: Bool { acknowledgeByEveryone || !acknowledgeBy.isEmpty }
}
