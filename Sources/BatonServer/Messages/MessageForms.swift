import Fluent
import Vapor
import BatonCore

/// The channel pages' form posts. Each goes through the same services as the API; a refusal
/// shows the page again with the message beside its field and what was typed kept.
struct MessageForms: RouteCollection {
    static let create = PagePath("messages.create", "/w/:workspaceID/channels")
    static let post = PagePath("messages.post", "/w/:workspaceID/channels/:channelID/messages")
    static let channelAct = PagePath("messages.channelAct", "/w/:workspaceID/channels/:channelID/act")
    static let messageAct = PagePath("messages.messageAct", "/w/:workspaceID/messages/:messageID/act")
    static let scheduledAct = PagePath("messages.scheduledAct", "/w/:workspaceID/scheduled-messages/:scheduledID/act")
    static let all = [create, post, channelAct, messageAct, scheduledAct]

    func boot(routes: any RoutesBuilder) throws {
        routes.post(Self.create.inWorkspace, use: createChannel)
        routes.post(Self.post.inWorkspace, use: postMessage)
        routes.post(Self.channelAct.inWorkspace, use: channelAction)
        routes.post(Self.messageAct.inWorkspace, use: messageAction)
        routes.post(Self.scheduledAct.inWorkspace, use: scheduledAction)
    }

    private func form(_ req: Request) throws -> [String: String] { try req.content.decode([String: String].self) }

    /// A new channel or direct conversation from the home page or the sidebar.
    func createChannel(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode(CreateForm.self)
        // a project's channel is made with its project, not from this form
        let kind = MessageChannel.Kind(rawValue: form.kind ?? "public").flatMap { $0 == .project ? nil : $0 } ?? .public
        let people = (form.member_ids ?? []).compactMap(UUID.init(uuidString:))
        do {
            var draft = ChannelDraft(kind: kind, memberIDs: people)
            if kind != .direct { draft.name = try ChannelDraft.channelName(form.name ?? "") }
            draft.topic = try ChannelDraft.topic(form.topic ?? "")
            if kind == .direct && people.isEmpty { throw BatonError.validation("member_ids", "Choose who to talk to.") }
            let (channel, _) = try await req.channels.create(access, draft)
            return req.redirect(to: MessagePaths.channel.url(access.workspaceID, channel.id!))
        } catch let error as BatonError where error.field != nil {
            let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
            let context = MessagePages.HomeContext(workspaceId: access.workspaceID, sidebar: try await MessagePages.sidebar(access, current: nil, on: req.reader),
                                                   people: try await MessagePages.people(access, on: req.reader), canStart: access.role != .guest)
            var page = Page(title: "Messages", layout: layout, page: context)
            page.errors = [(kind == .direct ? "direct_" : "") + error.field!: error.message]
            page.form = ["name": form.name ?? "", "topic": form.topic ?? "", "kind": kind.rawValue]
            return try await PageRenderer.render("messages/home", page, for: req, status: error.status)
        }
    }

    struct CreateForm: Content {
        var kind: String?
        var name: String?
        var topic: String?
        var member_ids: [String]?
    }

    /// Send now, or schedule: at a time (in the writer's zone) or at the start of the recipient's day.
    func postMessage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let channelID = try req.uuidParameter("channelID", label: "Channel")
        let scope = try await ChannelScope.channel(channelID, for: access.userID, on: req.reader)
        guard scope.channel.workspaceID == access.workspaceID else { throw BatonError.notFound("Channel") }
        let form = try form(req)
        do {
            let body = try MessageDraft.text(form["body"])
            let asks = form["ask_acknowledgement"] != nil
            switch form["when"] ?? "now" {
            case "later":
                guard let at = BatonDate.parseLocal(form["send_at"] ?? "", timeZone: try req.principal().timeZone) else {
                    throw BatonError.validation("send_at", "Choose the day and time to send it.")
                }
                let scheduled = try await req.schedules.schedule(channelID, by: access.userID, ScheduleDraft(body: body, timing: .at(at), asksAcknowledgement: asks))
                return PageRenderer.redirect(req, to: MessagePaths.channel.url(access.workspaceID, channelID),
                                             notice: "Scheduled for \(BatonDate.long(scheduled.sendAt, timeZone: try req.principal().timeZone)).")
            case "morning":
                let recipient = form["recipient_id"].flatMap(UUID.init(uuidString:))
                let scheduled = try await req.schedules.schedule(channelID, by: access.userID,
                                                                 ScheduleDraft(body: body, timing: .startOfDay, recipientID: recipient, asksAcknowledgement: asks))
                return PageRenderer.redirect(req, to: MessagePaths.channel.url(access.workspaceID, channelID),
                                             notice: "Scheduled for the start of their working day: \(BatonDate.long(scheduled.sendAt, timeZone: try req.principal().timeZone)) your time.")
            default:
                _ = try await req.messages.post(channelID, by: access.userID, MessageDraft(body: body, everyone: asks))
                return req.redirect(to: MessagePaths.channel.url(access.workspaceID, channelID))
            }
        } catch let error as BatonError where error.field != nil {
            let field = error.field == "recipient_id" || error.field == "send_at" ? error.field! : "body"
            return try await MessagePages.render(req, scope: scope, access: access, errors: [field: error.message], form: form, status: error.status)
        }
    }

    func channelAction(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let channelID = try req.uuidParameter("channelID", label: "Channel")
        let scope = try await ChannelScope.channel(channelID, for: access.userID, on: req.reader)
        guard scope.channel.workspaceID == access.workspaceID else { throw BatonError.notFound("Channel") }
        let form = try form(req)
        let back = MessagePaths.channel.url(access.workspaceID, channelID)
        do {
            switch form["action"] ?? "" {
            case "join": _ = try await req.channels.addMembers(channelID, by: access.userID, [access.userID])
            case "leave":
                try await req.channels.removeMember(channelID, by: access.userID, member: access.userID)
                return PageRenderer.redirect(req, to: MessagePaths.home.url(access.workspaceID), notice: "You left \(scope.channel.name).")
            case "add":
                let ids = (form["user_id"].flatMap(UUID.init(uuidString:))).map { [$0] } ?? []
                guard !ids.isEmpty else { throw BatonError.validation("user_id", "Choose who to add.") }
                _ = try await req.channels.addMembers(channelID, by: access.userID, ids)
            case "settings":
                var patch = try MembershipPatch(PatchReader([:]))
                patch.level = ChannelMember.Level(rawValue: form["notify_level"] ?? "")
                patch.muted = form["muted"] != nil
                _ = try await req.channels.setMembership(channelID, by: access.userID, patch)
                return PageRenderer.redirect(req, to: back, notice: "Notifications saved.")
            case "topic", "archive", "unarchive", "rename", "work_updates":
                var patch = try ChannelPatch(PatchReader([:]))
                switch form["action"] {
                case "topic": patch.topic = try ChannelDraft.topic(form["topic"] ?? "")
                case "rename": patch.name = try ChannelDraft.channelName(form["name"] ?? "")
                case "archive": patch.archived = true
                case "unarchive": patch.archived = false
                default: patch.postsWorkUpdates = form["posts_work_updates"] != nil
                }
                _ = try await req.channels.update(channelID, by: access.userID, patch)
            case "pin":
                var draft = try ChannelTabs.PinDraft(PatchReader([:]))
                draft.kind = ChannelPin.Kind(rawValue: form["kind"] ?? "link") ?? .link
                draft.title = try form["title"].flatMap { $0.isEmpty ? nil : try DisplayText.validate($0, label: "The tab's title", max: 120).orFail(field: "title") }
                draft.url = form["url"]
                _ = try await req.channelTabs.pin(channelID, by: access.userID, draft)
            case "unpin":
                guard let pin = form["pin_id"].flatMap(UUID.init(uuidString:)) else { throw BatonError.notFound("Tab") }
                try await req.channelTabs.unpin(channelID, pin: pin, by: access.userID)
            default:
                throw BatonError.badRequest("Unknown action.")
            }
            return req.redirect(to: back)
        } catch let error as BatonError where error.field != nil || error.status == .forbidden || error.status == .conflict {
            let fresh = try await ChannelScope.channel(channelID, for: access.userID, on: req.application.store.reader)
            return try await MessagePages.render(req, scope: fresh, access: access, errors: [error.field ?? "channel": error.message], form: form,
                                                 status: error.status)
        }
    }

    func messageAction(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let messageID = try req.uuidParameter("messageID", label: "Message")
        let (message, scope) = try await ChannelScope.message(messageID, for: access.userID, on: req.reader)
        guard scope.channel.workspaceID == access.workspaceID else { throw BatonError.notFound("Message") }
        let form = try form(req)
        let inThread = form["back"] == "thread"
        let back = inThread ? MessagePaths.thread.url(access.workspaceID, message.threadRootID ?? messageID)
                            : MessagePaths.channel.url(access.workspaceID, scope.channelID)
        do {
            switch form["action"] ?? "" {
            case "reply":
                let draft = MessageDraft(body: try MessageDraft.text(form["body"]), alsoSendToChannel: form["also_send_to_channel"] != nil)
                _ = try await req.messages.reply(to: messageID, by: access.userID, draft)
                return req.redirect(to: MessagePaths.thread.url(access.workspaceID, message.threadRootID ?? messageID))
            case "edit": _ = try await req.messages.edit(messageID, by: access.userID, body: try MessageDraft.text(form["body"]))
            case "delete": try await req.messages.delete(messageID, by: access.userID)
            case "react":
                let emoji = form["emoji"] ?? ""
                guard MessageText.isReaction(emoji) else { throw BatonError.validation("emoji", "Choose one of the reactions offered.") }
                let mine = try await PlainSQL.rows(on: req.reader, """
                    SELECT 1 FROM message_reactions WHERE message_id = \(bind: messageID) AND user_id = \(bind: access.userID) AND emoji = \(bind: emoji)
                    """)
                _ = try await req.messages.react(messageID, by: access.userID, emoji: emoji, remove: !mine.isEmpty)
            case "acknowledge": _ = try await req.messages.acknowledge(messageID, by: access.userID)
            case "unread":
                try await req.messages.markRead(scope.channelID, by: access.userID, messageID: messageID, unreadFromHere: true)
                return PageRenderer.redirect(req, to: MessagePaths.home.url(access.workspaceID), notice: "Marked unread from that message.")
            case "pin":
                var draft = try ChannelTabs.PinDraft(PatchReader([:]))
                draft.kind = .message
                draft.messageID = messageID
                _ = try await req.channelTabs.pin(scope.channelID, by: access.userID, draft)
            default:
                throw BatonError.badRequest("Unknown action.")
            }
            return req.redirect(to: back)
        } catch let error as BatonError where error.field != nil || error.status == .forbidden || error.status == .conflict {
            let field = error.field ?? "message"
            if inThread || form["action"] == "reply" {
                return try await MessagePages.renderThread(req, message: message, scope: scope, access: access, errors: [field: error.message],
                                                           status: error.status)
            }
            return try await MessagePages.render(req, scope: scope, access: access, errors: ["message": error.message],
                                                 form: form, status: error.status)
        }
    }

    func scheduledAction(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let id = try req.uuidParameter("scheduledID", label: "Scheduled message")
        let scheduled = try await ScheduleService.find(id, of: access.userID, on: req.reader)
        guard scheduled.workspaceID == access.workspaceID else { throw BatonError.notFound("Scheduled message") }
        let form = try form(req)
        let back = MessagePaths.scheduled.url(access.workspaceID)
        do {
            switch form["action"] ?? "" {
            case "cancel":
                try await req.schedules.cancel(id, by: access.userID)
                return PageRenderer.redirect(req, to: back, notice: "Cancelled: it will not be sent.")
            case "send_now":
                _ = try await req.schedules.sendNow(id, by: access.userID)
                return PageRenderer.redirect(req, to: back, notice: "Sent.")
            case "reschedule":
                var patch = try SchedulePatch(PatchReader([:]))
                guard let at = BatonDate.parseLocal(form["send_at"] ?? "", timeZone: try req.principal().timeZone) else {
                    throw BatonError.validation("send_at", "Choose the day and time to send it.")
                }
                patch.timing = .at(at)
                if let body = form["body"] { patch.body = try MessageDraft.text(body) }
                _ = try await req.schedules.update(id, by: access.userID, patch)
                return PageRenderer.redirect(req, to: back, notice: "Rescheduled.")
            default:
                throw BatonError.badRequest("Unknown action.")
            }
        } catch let error as BatonError where error.field != nil || error.status == .conflict {
            return try await MessagePages.renderScheduled(req, access: access, errors: ["scheduled": error.message], status: error.status)
        }
    }
}
