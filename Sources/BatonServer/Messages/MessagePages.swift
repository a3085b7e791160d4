import Fluent
import Vapor
import BatonCore

/// Messages in the browser: the channel list beside a channel's messages and its composer, a
/// thread, scheduled messages and search. Every part that changes lives in a `data-live-region`,
/// refreshed when the socket brings the channel's events; opening a channel marks it read (not
/// while the tab is hidden), which is what the other side's "seen by" follows.
struct MessagePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(MessagePaths.home.inWorkspace, use: home)
        routes.get(MessagePaths.channel.inWorkspace, use: channel)
        routes.get(MessagePaths.thread.inWorkspace, use: thread)
        routes.get(MessagePaths.scheduled.inWorkspace, use: scheduled)
        routes.get(MessagePaths.search.inWorkspace, use: search)
        try routes.register(collection: MessageForms())
    }

    struct SideItem: Encodable { let url: String; let title: String; let kind: String; let unread: Int; let mentions: Int; let current: Bool; let muted: Bool }
    struct Person: Encodable { let id: UUID; let name: String; var presence = "offline" }
    struct Pin: Encodable { let id: UUID; let title: String; let url: String; let kind: String }

    struct ChannelContext: Encodable {
        let workspaceId: UUID
        let channelId: UUID
        let title: String
        let topic: String
        let kind: String
        let isDirect: Bool
        let isMember: Bool
        let archived: Bool
        let canManage: Bool
        let postsWorkUpdates: Bool
        let memberCount: Int
        let members: [Person]
        let pins: [Pin]
        let messages: [MessageView]
        let older: String?
        let notifyLevel: String
        let muted: Bool
        let reactions: [String]
        let timeZone: String
        let sidebar: [SideItem]
        let people: [Person]
        let editing: UUID?
        let isThread = false
    }

    /// The last channel with something new, else the first one; with none, the page to start one.
    func home(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let sidebar = try await Self.sidebar(access, current: nil, on: req.reader)
        if let first = sidebar.first(where: { $0.unread > 0 }) ?? sidebar.first { return req.redirect(to: first.url) }
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
        let context = HomeContext(workspaceId: access.workspaceID, sidebar: sidebar, people: try await Self.people(access, on: req.reader),
                                  canStart: access.role != .guest)
        return try await PageRenderer.render("messages/home", Page(title: "Messages", layout: layout, page: context), for: req)
    }

    struct HomeContext: Encodable {
        let workspaceId: UUID
        let sidebar: [SideItem]
        let people: [Person]
        let canStart: Bool
    }

    func channel(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let id = try req.uuidParameter("channelID", label: "Channel")
        var scope = try await ChannelScope.channel(id, for: access.userID, on: req.reader)
        guard scope.channel.workspaceID == access.workspaceID else { throw BatonError.notFound("Channel") }
        let firstUnread = scope.member.map { $0.lastReadSeq + 1 }
        if let member = scope.member, scope.channel.lastSeq > member.lastReadSeq, req.headers.first(name: "X-Baton-Hidden") != "1" {
            try await req.messages.markRead(id, by: access.userID, messageID: nil)
            scope = try await ChannelScope.channel(id, for: access.userID, on: req.application.store.reader)
        }
        return try await Self.render(req, scope: scope, access: access, firstUnread: firstUnread)
    }

    /// The channel page, with `errors` beside the composer or the form that was refused.
    static func render(_ req: Request, scope: ChannelScope, access: WorkspaceAccess, firstUnread: Int? = nil, errors: [String: String] = [:],
                       form: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let db = req.application.store.reader
        let cursor: MessageQueries.Cursor = try await {
            guard let raw = req.queryText("before"), let before = UUID(uuidString: raw),
                  let message = try await MessageService.message(before, on: db), message.channelID == scope.channelID, let seq = message.seq
            else { return .latest }
            return .before(seq)
        }()
        let (page, older) = try await MessageQueries.page(scope.channelID, cursor: cursor, limit: 50, on: db)
        let detail = try await ChannelQueries.detail(scope, on: db)
        let members = try await Tenancy.query(access, Membership.self, on: db).with(\.$user).all()
        let views = try await MessageViews.make(page, scope: scope, firstUnreadSeq: firstUnread, members: members, on: db, req: req)
        let principal = try req.principal()
        let presence = access.role == .guest ? [:] : req.store.hub.presence(in: access.workspaceID)
        let context = ChannelContext(
            workspaceId: access.workspaceID, channelId: scope.channelID, title: detail.kind == "direct" ? detail.title : "#" + detail.name,
            topic: detail.topic, kind: detail.kind, isDirect: detail.kind == "direct", isMember: scope.isMember, archived: detail.archived,
            canManage: try await scope.manages(on: db),
            postsWorkUpdates: detail.postsWorkUpdates, memberCount: detail.memberCount,
            members: (detail.members ?? []).map { Person(id: $0.userId, name: $0.name, presence: presence[$0.userId] ?? "offline") },
            pins: (detail.pins ?? []).map { Pin(id: $0.id, title: $0.title, url: $0.url, kind: $0.kind) },
            messages: views, older: older?.uuidString, notifyLevel: detail.notifyLevel ?? "mentions", muted: detail.muted,
            reactions: MessageText.reactions, timeZone: principal.timeZone,
            sidebar: try await sidebar(access, current: scope.channelID, on: db),
            people: people(access, among: members).filter { person in !(detail.members ?? []).contains { $0.userId == person.id } },
            editing: req.queryText("edit").flatMap(UUID.init(uuidString:)))
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
        var rendered = Page(title: context.title, layout: layout, page: context)
        rendered.errors = errors
        rendered.form = form
        return try await PageRenderer.render("messages/channel", rendered, for: req, status: status)
    }

    struct ThreadContext: Encodable {
        let workspaceId: UUID
        let channelId: UUID
        let channelTitle: String
        let rootId: UUID
        /// One message (a list, for the template's loop).
        let root: [MessageView]
        let replies: [MessageView]
        let readBy: [String]
        let notReadBy: [String]
        let isMember: Bool
        let open: Bool
        let reactions: [String]
        let sidebar: [SideItem]
        let editing: UUID?
        let isThread = true
    }

    func thread(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let (message, scope) = try await ChannelScope.message(try req.uuidParameter("messageID", label: "Message"), for: access.userID, on: req.reader)
        guard scope.channel.workspaceID == access.workspaceID else { throw BatonError.notFound("Message") }
        return try await Self.renderThread(req, message: message, scope: scope, access: access)
    }

    static func renderThread(_ req: Request, message: Message, scope: ChannelScope, access: WorkspaceAccess, errors: [String: String] = [:],
                             status: HTTPResponseStatus = .ok) async throws -> Response {
        let db = req.application.store.reader
        var root = message
        if let rootID = message.threadRootID, let actual = try await MessageService.message(rootID, on: db) { root = actual }
        let (replies, _) = try await MessageQueries.replies(root.id!, afterThreadSeq: 0, limit: 200, on: db)
        if scope.isMember, let last = replies.last, req.headers.first(name: "X-Baton-Hidden") != "1" {
            try await req.messages.markRead(scope.channelID, by: access.userID, messageID: last.id)
        }
        let views = try await MessageViews.make([root] + replies, scope: scope, firstUnreadSeq: nil, on: db, req: req)
        let reads = try await MessageQueries.reads(root, on: db)
        let detail = try await ChannelQueries.detail(scope, on: db)
        let context = ThreadContext(
            workspaceId: access.workspaceID, channelId: scope.channelID, channelTitle: detail.kind == "direct" ? detail.title : "#" + detail.name,
            rootId: root.id!, root: [views[0]], replies: Array(views.dropFirst()), readBy: reads.read.map(\.name), notReadBy: reads.unread.map(\.name),
            isMember: scope.isMember, open: !detail.archived && !root.isDeleted, reactions: MessageText.reactions,
            sidebar: try await sidebar(access, current: scope.channelID, on: db), editing: req.queryText("edit").flatMap(UUID.init(uuidString:)))
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
        var page = Page(title: "Thread in \(context.channelTitle)", layout: layout, page: context)
        page.errors = errors
        return try await PageRenderer.render("messages/thread", page, for: req, status: status)
    }

    struct ScheduledRow: Encodable {
        let id: UUID
        let channelTitle: String
        let channelURL: String
        let body: String
        let when: String
        let whenLocal: String
        let repeats: String?
        let status: String
        let failure: String?
    }

    func scheduled(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        return try await Self.renderScheduled(req, access: access)
    }

    static func renderScheduled(_ req: Request, access: WorkspaceAccess, errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let db = req.application.store.reader
        let timeZone = try req.principal().timeZone
        func rows(_ status: String) async throws -> [ScheduledRow] {
            try await ScheduleQueries.mine(access.userID, status: status, workspaceID: access.workspaceID, limit: 100, on: db).map { row in
                let weekday = row.recurrence.map { ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][max(0, min(6, $0.weekday - 1))] }
                return ScheduledRow(id: row.id, channelTitle: row.channelTitle, channelURL: MessagePaths.channel.url(access.workspaceID, row.channelId),
                                    body: row.body, when: BatonDate.format(row.sendAt, "EEE MMM d, HH:mm", timeZone: timeZone),
                                    whenLocal: BatonDate.format(row.sendAt, "yyyy-MM-dd'T'HH:mm", timeZone: timeZone),
                                    repeats: row.recurrence.map { "every \(weekday ?? "week") at \($0.at) (\($0.timeZone))" },
                                    status: row.status, failure: row.failure)
            }
        }
        struct Context: Encodable { let workspaceId: UUID; let pending: [ScheduledRow]; let failed: [ScheduledRow]; let sent: [ScheduledRow]; let timeZone: String }
        let context = Context(workspaceId: access.workspaceID, pending: try await rows("pending"), failed: try await rows("failed"),
                              sent: Array(try await rows("sent").prefix(20)), timeZone: timeZone)
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
        var page = Page(title: "Scheduled messages", layout: layout, page: context)
        page.errors = errors
        return try await PageRenderer.render("messages/scheduled", page, for: req, status: status)
    }

    func search(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let q = req.queryText("q") ?? ""
        struct Hit: Encodable { let channel: String; let url: String; let author: String; let when: String; let excerpt: String }
        struct Context: Encodable { let workspaceId: UUID; let q: String; let hits: [Hit]; let error: String?; let searched: Bool }
        var hits: [Hit] = []
        var error: String?
        if !q.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                let (found, _) = try await MessageSearch().search(access, MessageSearch.Query(words: try MessageSearch.Query.words(q)), on: req.reader)
                let timeZone = try req.principal().timeZone
                hits = found.map { hit in
                    Hit(channel: hit.channelKind == "direct" ? hit.channelName : "#" + hit.channelName,
                        url: MessagePaths.thread.url(access.workspaceID, hit.message.threadRootId ?? hit.message.id),
                        author: hit.message.authorName, when: BatonDate.format(hit.message.createdAt, "MMM d, HH:mm", timeZone: timeZone),
                        excerpt: String(hit.message.body.prefix(300)))
                }
            } catch let problem as BatonError where problem.field == "q" {
                error = problem.message
            }
        }
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "messages")
        let context = Context(workspaceId: access.workspaceID, q: q, hits: hits, error: error, searched: !q.isEmpty)
        return try await PageRenderer.render("messages/search", Page(title: "Search messages", layout: layout, page: context), for: req)
    }

    // MARK: parts

    static func sidebar(_ access: WorkspaceAccess, current: UUID?, on db: any Database) async throws -> [SideItem] {
        try await ChannelQueries.list(access, joinable: false, archived: false, on: db).map { channel in
            SideItem(url: MessagePaths.channel.url(access.workspaceID, channel.id), title: channel.kind == "direct" ? channel.title : channel.name,
                     kind: channel.kind, unread: channel.muted ? 0 : channel.unread, mentions: channel.mentions, current: channel.id == current,
                     muted: channel.muted)
        }
    }

    /// Active members one may start a conversation with (not oneself).
    static func people(_ access: WorkspaceAccess, on db: any Database) async throws -> [Person] {
        guard access.role != .guest else { return [] }
        return people(access, among: try await Tenancy.query(access, Membership.self, on: db).with(\.$user).all())
    }

    static func people(_ access: WorkspaceAccess, among members: [Membership]) -> [Person] {
        guard access.role != .guest else { return [] }
        return members.filter { $0.isActive && $0.$user.id != access.userID }.map { Person(id: $0.$user.id, name: $0.user.name) }
            .sorted { $0.name < $1.name }
    }
}
