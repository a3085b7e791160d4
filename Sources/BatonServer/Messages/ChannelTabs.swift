import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// A channel's tabs (pinned links to work and pinned messages) and its incoming webhook.
struct ChannelTabs: Sendable {
    let store: Store

    /// What to pin: a message of the channel, or a link to a task, document, dashboard, approval
    /// request or goal, by its page's address in this workspace.
    struct PinDraft: Sendable {
        var kind: ChannelPin.Kind
        var title: String?
        var messageID: UUID?
        var url: String?

        init(_ body: PatchReader) throws {
            let reading = Reading()
            kind = reading.read { try body.enumValue("kind", ChannelPin.Kind.self, allowed: ChannelPin.Kind.allCases.map(\.rawValue).joined(separator: ", ")) }
                ?? .link
            title = reading.read { try body.string("title").map { try DisplayText.validate($0, label: "The tab's title", max: 120).orFail(field: "title") } }
            messageID = reading.read { try body.uuid("message_id") }
            url = reading.read { try body.string("url") }
            try reading.finish()
        }
    }

    func pin(_ channelID: UUID, by userID: UUID, _ draft: PinDraft) async throws -> ChannelPin {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db)
            try scope.requireMember()
            try scope.requireOpen()
            let pin = ChannelPin()
            pin.channelID = channelID
            pin.kind = draft.kind.rawValue
            pin.pinnedBy = userID
            pin.createdAt = ctx.now
            if draft.kind == .message {
                guard let messageID = draft.messageID, let message = try await MessageService.message(messageID, on: ctx.db),
                      message.channelID == channelID, !message.isDeleted else {
                    throw BatonError.validation("message_id", "Pin a message of this channel.")
                }
                pin.targetID = messageID
                pin.url = MessagePaths.thread.url(scope.channel.workspaceID, messageID)
                pin.title = draft.title ?? String(message.body.prefix(80))
            } else {
                guard let url = draft.url, let target = WorkspaceLink.parse(url, workspaceID: scope.channel.workspaceID) else {
                    throw BatonError.validation("url", "Pin a page of this workspace: its address starts with /w/\(scope.channel.workspaceID.uuidString.lowercased())/.")
                }
                guard let title = draft.title else { throw BatonError.validation("title", "Give the tab a title.") }
                pin.url = target
                pin.title = title
            }
            let count = try await PlainSQL.rows(on: ctx.db, "SELECT COUNT(*) AS n FROM channel_pins WHERE channel_id = \(bind: channelID)").first?
                .decode(column: "n", as: Int.self) ?? 0
            guard count < 30 else { throw BatonError.conflict(nil, "A channel keeps at most 30 tabs: unpin one first.") }
            try await ctx.insert(pin)
            ctx.record(MessageEvent.pinned, workspace: scope.channel.workspaceID, actor: userID, subject: .channel(scope.channel),
                       data: scope.eventData.merging(["title": pin.title, "pin_id": pin.id!.uuidString]) { $1 })
            return pin
        }
    }

    func unpin(_ channelID: UUID, pin pinID: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db)
            try scope.requireMember()
            guard let pin = try await PlainSQL.first(ChannelPin.self, on: ctx.db, """
                SELECT * FROM channel_pins WHERE id = \(bind: pinID) AND channel_id = \(bind: channelID)
                """) else { throw BatonError.notFound("Tab") }
            try await PlainSQL.run(on: ctx.db, "DELETE FROM channel_pins WHERE id = \(bind: pinID)")
            ctx.record(MessageEvent.unpinned, workspace: scope.channel.workspaceID, actor: userID, subject: .channel(scope.channel),
                       data: scope.eventData.merging(["title": pin.title]) { $1 })
        }
    }

    /// A new secret address for the channel's incoming webhook (the old one stops working); shown once.
    func rotateWebhook(_ channelID: UUID, by userID: UUID) async throws -> String {
        try await store.write { ctx in
            let scope = try await Self.managed(channelID, by: userID, ctx: ctx)
            let secret = Secret.generate()
            try await PlainSQL.run(on: ctx.db, "UPDATE channels SET webhook_hash = \(bind: Secret.hash(secret)) WHERE id = \(bind: channelID)")
            ctx.record(MessageEvent.webhookChanged, workspace: scope.channel.workspaceID, actor: userID, subject: .channel(scope.channel),
                       data: scope.eventData.merging(["on": "true"]) { $1 })
            return secret
        }
    }

    func removeWebhook(_ channelID: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let scope = try await Self.managed(channelID, by: userID, ctx: ctx)
            guard scope.channel.webhookHash != nil else { return }
            try await PlainSQL.run(on: ctx.db, "UPDATE channels SET webhook_hash = NULL WHERE id = \(bind: channelID)")
            ctx.record(MessageEvent.webhookChanged, workspace: scope.channel.workspaceID, actor: userID, subject: .channel(scope.channel),
                       data: scope.eventData.merging(["on": "false"]) { $1 })
        }
    }

    /// Another system posts through the secret address: the text is checked like anyone's, and
    /// the message is shown as from the sender it names, marked as an integration's.
    func postFromWebhook(secret: String, text: String, sender: String?) async throws -> Message {
        try await store.write { ctx in
            guard secret.count >= 20, let channel = try await PlainSQL.first(MessageChannel.self, on: ctx.db, """
                SELECT * FROM channels WHERE webhook_hash = \(bind: Secret.hash(secret))
                """) else { throw BatonError.notFound("Webhook") }
            guard channel.archivedAt == nil else { throw BatonError.conflict(nil, "#\(channel.name) is archived: it takes no messages.") }
            return try await MessageService.post(MessageDraft(body: text), in: channel, root: nil,
                                                 author: .init(id: nil, via: "webhook", sender: sender ?? "Integration"), ctx: ctx)
        }
    }

    private static func managed(_ channelID: UUID, by userID: UUID, ctx: WriteContext) async throws -> ChannelScope {
        let scope = try await ChannelScope.channel(channelID, for: userID, on: ctx.db, lockingRow: true)
        try scope.requireMember()
        guard scope.channel.channelKind != .direct else { throw BatonError.validation("channel", "Direct conversations have no webhook.") }
        guard try await scope.manages(on: ctx.db) else {
            throw BatonError.forbidden("Only whoever made the channel, the project lead and admins set up its webhook.")
        }
        return scope
    }
}

/// A page of the workspace, from an address as pasted: `/w/<id>/…` or the same behind any host.
enum WorkspaceLink {
    static func parse(_ text: String, workspaceID: UUID) -> String? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.count <= 500, let components = URLComponents(string: trimmed) else { return nil }
        let path = components.path
        let prefix = "/w/\(workspaceID.uuidString.lowercased())/"
        guard path.lowercased().hasPrefix(prefix), !path.contains(".."), !path.contains("//") else { return nil }
        return path + (components.fragment.map { "#" + $0 } ?? "")
    }
}

extension Request {
    var channelTabs: ChannelTabs { ChannelTabs(store: application.store) }
}

/// Automation rules' "post in channel": the message is the rule's, shown as from it, and a rule
/// run that is repeated after a crash posts once (the delivery key is the run's).
enum ChannelRulePost {
    static func post(_ text: String, in channelID: UUID, workspace: UUID, rule: String, key: String, ctx: WriteContext) async throws -> String {
        guard let channel = try await PlainSQL.first(MessageChannel.self, on: ctx.db, "SELECT * FROM channels WHERE id = \(bind: channelID)"),
              channel.workspaceID == workspace else { throw BatonError.conflict(nil, "the channel to post in was removed; choose another.") }
        guard channel.archivedAt == nil else { throw BatonError.conflict(nil, "#\(channel.name) is archived.") }
        guard channel.isOpen else { throw BatonError.conflict(nil, "rules post only in public and project channels.") }
        if try await PlainSQL.rows(on: ctx.db, "SELECT 1 FROM messages WHERE delivery_key = \(bind: key)").isEmpty {
            _ = try await MessageService.post(MessageDraft(body: text), in: channel, root: nil,
                                              author: .init(id: nil, via: "automation", sender: rule), ctx: ctx, deliveryKey: key)
        }
        return channel.name
    }
}
