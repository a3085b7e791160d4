import Fluent
import Vapor
import BatonCore

/// Channels, their people and messages, threads, reactions, read positions and acknowledgements.
struct MessagesAPI {
    func register(_ api: APIRoutes) {
        api.workspace.get("channels", use: channels)
        api.workspace.post("channels", use: createChannel)
        api.signedIn.get("channels", ":channelID", use: channel)
        api.signedIn.patch("channels", ":channelID", use: updateChannel)
        api.signedIn.post("channels", ":channelID", "members", use: addMembers)
        api.signedIn.patch("channels", ":channelID", "members", "me", use: setMembership)
        api.signedIn.delete("channels", ":channelID", "members", ":userID", use: removeMember)
        api.signedIn.get("channels", ":channelID", "messages", use: messages)
        api.signedIn.post("channels", ":channelID", "messages", use: post)
        api.signedIn.post("channels", ":channelID", "read", use: markRead)
        api.signedIn.post("channels", ":channelID", "unread", use: markUnread)
        api.signedIn.get("messages", ":messageID", use: message)
        api.signedIn.patch("messages", ":messageID", use: edit)
        api.signedIn.delete("messages", ":messageID", use: delete)
        api.signedIn.get("messages", ":messageID", "revisions", use: revisions)
        api.signedIn.get("messages", ":messageID", "replies", use: replies)
        api.signedIn.post("messages", ":messageID", "replies", use: reply)
        api.signedIn.post("messages", ":messageID", "reactions", use: react)
        api.signedIn.get("messages", ":messageID", "reads", use: reads)
        api.signedIn.post("messages", ":messageID", "acknowledge", use: acknowledge)
        api.signedIn.get("me", "unread", use: unread)
        api.workspace.get("messages", "search", use: search)
        api.signedIn.post("channels", ":channelID", "pins", use: pin)
        api.signedIn.delete("channels", ":channelID", "pins", ":pinID", use: unpin)
        api.signedIn.post("channels", ":channelID", "webhook", use: rotateWebhook)
        api.signedIn.delete("channels", ":channelID", "webhook", use: removeWebhook)
        api.open.post("hooks", "messages", ":secret", use: webhookPost)
        api.signedIn.post("tasks", ":taskID", "thread", use: taskThread)
        api.workspace.get("presence", use: presence)
    }

    struct PresenceDTO: Content { let data: [String: String] }

    /// Who is online or away now, on every server process; members only.
    func presence(req: Request) async throws -> PresenceDTO {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { return PresenceDTO(data: [:]) }
        let all = req.store.hub.presence(in: access.workspaceID)
        return PresenceDTO(data: Dictionary(uniqueKeysWithValues: all.map { ($0.key.uuidString, $0.value) }))
    }

    /// The task's work-updates thread in its project's channel (opened if it has none).
    func taskThread(req: Request) async throws -> MessageDTO {
        let userID = try req.principal().userID
        let root = try await WorkUpdates.open(try req.uuidParameter("taskID", label: "Task"), by: userID, store: req.application.store)
        return try await MessageQueries.dto(root, viewer: userID, on: req.application.store.reader)
    }

    private func channelID(_ req: Request) throws -> UUID { try req.uuidParameter("channelID", label: "Channel") }
    private func messageID(_ req: Request) throws -> UUID { try req.uuidParameter("messageID", label: "Message") }

    // MARK: channels

    func channels(req: Request) async throws -> ListPage<ChannelDTO> {
        let access = try await req.workspaceAccess()
        let view = req.queryText("view") ?? ""
        guard ["", "mine", "all", "archived"].contains(view) else { throw BatonError.validation("view", "view is mine (default), all or archived.") }
        let list = try await ChannelQueries.list(access, joinable: view == "all" || view == "archived", archived: view == "archived", on: req.reader)
        return ListPage(data: list, nextCursor: nil)
    }

    func createChannel(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let (channel, created) = try await req.channels.create(access, try ChannelDraft(try PatchReader.body(req)))
        let scope = try await ChannelScope.channel(channel.id!, for: access.userID, on: req.application.store.reader)
        return try await ChannelQueries.detail(scope, on: req.application.store.reader).encodeResponse(status: created ? .created : .ok, for: req)
    }

    func channel(req: Request) async throws -> ChannelDTO {
        try await ChannelQueries.detail(try await ChannelScope.channel(try channelID(req), for: try req.principal().userID, on: req.reader), on: req.reader)
    }

    func updateChannel(req: Request) async throws -> ChannelDTO {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        var patch = try ChannelPatch(try PatchReader.body(req))
        if patch.version == nil, let header = req.headers.first(name: .ifMatch) { patch.version = Int(header.trimmingCharacters(in: CharacterSet(charactersIn: "\" "))) }
        _ = try await req.channels.update(id, by: userID, patch)
        return try await ChannelQueries.detail(try await ChannelScope.channel(id, for: userID, on: req.application.store.reader), on: req.application.store.reader)
    }

    func addMembers(req: Request) async throws -> ChannelDTO {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        let body = try PatchReader.body(req)
        var ids = try body.uuids("user_ids") ?? []
        if let one = try body.uuid("user_id") { ids.append(one) }
        guard !ids.isEmpty else { throw BatonError.validation("user_ids", "Name who joins: user_ids (your own id to join).") }
        guard ids.count <= 500 else { throw BatonError.validation("user_ids", "Add at most 500 people at once.") }
        _ = try await req.channels.addMembers(id, by: userID, ids)
        return try await ChannelQueries.detail(try await ChannelScope.channel(id, for: userID, on: req.application.store.reader), on: req.application.store.reader)
    }

    func removeMember(req: Request) async throws -> HTTPStatus {
        try await req.channels.removeMember(try channelID(req), by: try req.principal().userID,
                                            member: try req.uuidParameter("userID", label: "Channel member"))
        return .noContent
    }

    func setMembership(req: Request) async throws -> MembershipDTO {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        return MembershipDTO(try await req.channels.setMembership(id, by: userID, try MembershipPatch(try PatchReader.body(req))))
    }

    // MARK: messages

    func messages(req: Request) async throws -> MessagePage {
        let userID = try req.principal().userID
        let scope = try await ChannelScope.channel(try channelID(req), for: userID, on: req.reader)
        let limit = try req.pageSize()
        let after = try await position(req, "after", in: scope.channelID)
        let before = try await position(req, "before", in: scope.channelID)
        if after != nil && before != nil { throw BatonError.validation("after", "Give after or before, not both.") }
        let cursor: MessageQueries.Cursor = after.map { .after($0) } ?? before.map { .before($0) } ?? .latest
        let (page, next) = try await MessageQueries.page(scope.channelID, cursor: cursor, limit: limit, on: req.reader)
        return MessagePage(data: try await MessageQueries.dtos(page, viewer: userID, on: req.reader), nextCursor: next?.uuidString)
    }

    /// The position of the message a cursor names; it must be in this channel.
    private func position(_ req: Request, _ name: String, in channelID: UUID) async throws -> Int? {
        guard let raw = req.queryText(name), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw), let message = try await MessageService.message(id, on: req.reader), message.channelID == channelID,
              let seq = message.seq else {
            throw BatonError.validation(name, "\(name) is the id of a message in this channel (a next_cursor).")
        }
        return seq
    }

    func post(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        let message = try await req.messages.post(id, by: userID, try MessageDraft(try PatchReader.body(req), reply: false))
        return try await MessageQueries.fresh(message, authorName: try req.principal().name, on: req.application.store.reader)
            .encodeResponse(status: .created, for: req)
    }

    func message(req: Request) async throws -> MessageDTO {
        let userID = try req.principal().userID
        let (message, _) = try await ChannelScope.message(try messageID(req), for: userID, on: req.reader)
        return try await MessageQueries.dto(message, viewer: userID, on: req.reader)
    }

    func edit(req: Request) async throws -> MessageDTO {
        let userID = try req.principal().userID
        let id = try messageID(req)
        _ = try await ChannelScope.message(id, for: userID, on: req.reader)
        let body = try MessageDraft.text(try PatchReader.body(req).string("body"))
        let message = try await req.messages.edit(id, by: userID, body: body)
        return try await MessageQueries.dto(message, viewer: userID, on: req.application.store.reader)
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try await req.messages.delete(try messageID(req), by: try req.principal().userID)
        return .noContent
    }

    func revisions(req: Request) async throws -> ListPage<MessageRevisionDTO> {
        let (message, _) = try await ChannelScope.message(try messageID(req), for: try req.principal().userID, on: req.reader)
        return ListPage(data: try await MessageQueries.revisions(message.id!, on: req.reader), nextCursor: nil)
    }

    func replies(req: Request) async throws -> MessagePage {
        let userID = try req.principal().userID
        let (root, _) = try await ChannelScope.message(try messageID(req), for: userID, on: req.reader)
        var after = 0
        if let raw = req.queryText("after"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw), let reply = try await MessageService.message(id, on: req.reader), reply.threadRootID == root.id,
                  let seq = reply.threadSeq else {
                throw BatonError.validation("after", "after is the id of a reply in this thread (a next_cursor).")
            }
            after = seq
        }
        let (page, next) = try await MessageQueries.replies(root.threadRootID ?? root.id!, afterThreadSeq: after, limit: try req.pageSize(), on: req.reader)
        return MessagePage(data: try await MessageQueries.dtos(page, viewer: userID, on: req.reader), nextCursor: next?.uuidString)
    }

    func reply(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let id = try messageID(req)
        _ = try await ChannelScope.message(id, for: userID, on: req.reader)
        let message = try await req.messages.reply(to: id, by: userID, try MessageDraft(try PatchReader.body(req), reply: true))
        return try await MessageQueries.dto(message, viewer: userID, on: req.application.store.reader).encodeResponse(status: .created, for: req)
    }

    func react(req: Request) async throws -> MessageDTO {
        let userID = try req.principal().userID
        let id = try messageID(req)
        _ = try await ChannelScope.message(id, for: userID, on: req.reader)
        let body = try PatchReader.body(req)
        let reading = Reading()
        let emoji = reading.read { try body.string("emoji") }
        let remove = reading.read { try body.bool("remove") } ?? false
        try reading.finish()
        guard let emoji, MessageText.isReaction(emoji) else {
            throw BatonError.validation("emoji", "React with one of \(MessageText.reactions.joined(separator: " ")).")
        }
        let message = try await req.messages.react(id, by: userID, emoji: emoji, remove: remove)
        return try await MessageQueries.dto(message, viewer: userID, on: req.application.store.reader)
    }

    func reads(req: Request) async throws -> ReadsDTO {
        let (message, _) = try await ChannelScope.message(try messageID(req), for: try req.principal().userID, on: req.reader)
        return try await MessageQueries.reads(message, on: req.reader)
    }

    func acknowledge(req: Request) async throws -> MessageDTO {
        let userID = try req.principal().userID
        let message = try await req.messages.acknowledge(try messageID(req), by: userID)
        return try await MessageQueries.dto(message, viewer: userID, on: req.application.store.reader)
    }

    func markRead(req: Request) async throws -> MembershipDTO { try await moveRead(req, unreadFromHere: false) }
    func markUnread(req: Request) async throws -> MembershipDTO { try await moveRead(req, unreadFromHere: true) }

    private func moveRead(_ req: Request, unreadFromHere: Bool) async throws -> MembershipDTO {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        let messageID = try PatchReader.body(req).uuid("message_id")
        if unreadFromHere, messageID == nil { throw BatonError.validation("message_id", "Name the message to be unread from.") }
        try await req.messages.markRead(id, by: userID, messageID: messageID, unreadFromHere: unreadFromHere)
        guard let member = try await MessageService.member(userID, of: id, on: req.application.store.reader) else { throw BatonError.notFound("Channel") }
        return MembershipDTO(member)
    }

    func search(req: Request) async throws -> ListPage<SearchHitDTO> {
        let access = try await req.workspaceAccess()
        var query = MessageSearch.Query(words: try MessageSearch.Query.words(req.queryText("q")))
        query.channelID = try req.queryID("channel_id")
        query.authorID = try req.queryID("author_id")
        query.offset = try req.cursorParameter("after") ?? 0
        query.limit = try req.pageSize()
        let (hits, next) = try await MessageSearch().search(access, query, on: req.reader)
        return ListPage(data: hits, nextCursor: next.map(String.init))
    }

    func pin(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let id = try channelID(req)
        _ = try await ChannelScope.channel(id, for: userID, on: req.reader)
        let pin = try await req.channelTabs.pin(id, by: userID, try ChannelTabs.PinDraft(try PatchReader.body(req)))
        return try await ChannelPinDTO(pin).encodeResponse(status: .created, for: req)
    }

    func unpin(req: Request) async throws -> HTTPStatus {
        try await req.channelTabs.unpin(try channelID(req), pin: try req.uuidParameter("pinID", label: "Tab"), by: try req.principal().userID)
        return .noContent
    }

    struct WebhookDTO: Content {
        let url: String
        let secret: String
    }

    /// The new address, shown this once.
    func rotateWebhook(req: Request) async throws -> Response {
        let secret = try await req.channelTabs.rotateWebhook(try channelID(req), by: try req.principal().userID)
        let base = req.application.batonConfig.publicURL ?? ""
        return try await WebhookDTO(url: "\(base)/api/v1/hooks/messages/\(secret)", secret: secret).encodeResponse(status: .created, for: req)
    }

    func removeWebhook(req: Request) async throws -> HTTPStatus {
        try await req.channelTabs.removeWebhook(try channelID(req), by: try req.principal().userID)
        return .noContent
    }

    struct WebhookPosted: Content { let id: UUID }

    func webhookPost(req: Request) async throws -> Response {
        let secret = req.parameters.get("secret") ?? ""
        let body = try PatchReader.body(req)
        let reading = Reading()
        let text = reading.read { () throws -> String? in
            guard let raw = try body.string("text") else { throw BatonError.validation("text", "Send the message as text.") }
            return try MessageText.validate(raw).orFail(field: "text")
        }
        let sender = reading.read { try body.string("sender").map { try DisplayText.validate($0, label: "The sender", max: 80).orFail(field: "sender") } }
        try reading.finish()
        let message = try await req.channelTabs.postFromWebhook(secret: secret, text: text ?? "", sender: sender)
        return try await WebhookPosted(id: message.id!).encodeResponse(status: .created, for: req)
    }

    func unread(req: Request) async throws -> UnreadDTO {
        let userID = try req.principal().userID
        return try await ChannelQueries.unread(userID, workspaceID: try await req.workspaceFilter(for: userID), on: req.reader)
    }
}

extension Request {
    /// `?workspace_id=` narrowing a `/me/…` list to one of the caller's workspaces (404 for another's).
    func workspaceFilter(for userID: UUID) async throws -> UUID? {
        guard let raw = queryText("workspace_id"), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else { throw BatonError.validation("workspace_id", "workspace_id is a workspace's id.") }
        _ = try await Tenancy.access(id, for: userID, on: reader)
        return id
    }
}
