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
    func canManage(projectLead: UUID?) -> Bool {
        access.role.canAdminister || channel.createdBy == userID || (projectLead != nil && projectLead == userID)
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
