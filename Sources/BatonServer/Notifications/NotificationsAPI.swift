import Fluent
import Vapor
import BatonCore

/// `/api/v1/me/notifications…`: the caller's inbox across their workspaces, and their settings.
struct NotificationsAPI {
    func register(_ api: APIRoutes) {
        let me = api.signedIn.grouped("me")
        me.get("notifications", use: list)
        me.get("notifications", "unread-count", use: unreadCount)
        me.post("notifications", "read", use: read)
        me.post("notifications", "archive", use: archive)
        me.get("notification-preferences", use: preferences)
        me.put("notification-preferences", use: savePreferences)
    }

    func list(req: Request) async throws -> Response {
        let principal = try req.principal()
        var filter = Inbox.Filter()
        filter.workspace = try req.queryID("workspace_id")
        filter.unread = try flag(req, "unread")
        filter.archived = try flag(req, "archived") ?? false
        filter.after = try req.cursorParameter("after")
        filter.limit = try req.pageSize()
        let (entries, next) = try await Inbox.page(user: principal.userID, filter, on: req.reader)
        let items = try await Inbox.items(entries, timeZone: principal.timeZone, app: req.application, on: req.reader)
        return try await ListPage(data: items, nextCursor: next.map(String.init)).encodeResponse(for: req)
    }

    struct UnreadCount: Content { let unread: Int }

    func unreadCount(req: Request) async throws -> UnreadCount {
        try await unreadTotal(try req.principal().userID, workspace: try req.queryID("workspace_id"), on: req.reader)
    }

    func read(req: Request) async throws -> UnreadCount {
        try await change(req) { service, selection, user in try await service.markRead(selection, by: user) }
    }

    func archive(req: Request) async throws -> UnreadCount {
        try await change(req) { service, selection, user in try await service.archive(selection, by: user) }
    }

    /// Either `{"ids": [...]}` or `{"all": true}` (with `workspace_id` to keep to one workspace).
    private func change(_ req: Request, _ apply: (NotificationService, NotificationService.Selection, UUID) async throws -> [UUID: Int])
        async throws -> UnreadCount {
        let body = try PatchReader.body(req)
        let userID = try req.principal().userID
        // every key is read before the first refusal, so one answer names the first problem of all
        let (idsRead, allRead, workspaceRead) = (Result { try body.uuids("ids") }, Result { try body.bool("all") },
                                                 Result { try body.uuid("workspace_id") })
        let ids = try idsRead.get()
        let all = try allRead.get() ?? false
        let workspace = try workspaceRead.get()
        let selection: NotificationService.Selection
        switch (ids, all) {
        case (let ids?, false) where !ids.isEmpty:
            guard workspace == nil else { throw BatonError.validation("workspace_id", "workspace_id goes with all, not with ids.") }
            selection = .ids(ids)
        case (nil, true): selection = .all(workspace: workspace)
        case (_?, true): throw BatonError.validation("ids", "Send ids or all, not both.")
        default: throw BatonError.validation("ids", "Send ids (a list of notification ids) or all: true.")
        }
        if let workspace, !(try await Inbox.activeWorkspaces(of: userID, on: req.reader)).contains(workspace) {
            throw BatonError.notFound("Workspace")
        }
        _ = try await apply(req.notifications, selection, userID)
        return try await unreadTotal(userID, workspace: workspace, on: req.reader)
    }

    private func unreadTotal(_ userID: UUID, workspace: UUID?, on db: any Database) async throws -> UnreadCount {
        var total = 0
        for id in try await Inbox.activeWorkspaces(of: userID, on: db) where workspace == nil || workspace == id {
            total += try await Inbox.unreadCount(user: userID, workspace: id, on: db)
        }
        return UnreadCount(unread: total)
    }

    private func flag(_ req: Request, _ name: String) throws -> Bool? {
        switch req.queryText(name) {
        case nil, "": return nil
        case "true": return true
        case "false": return false
        default: throw BatonError.validation(name, "\(name) is true or false.")
        }
    }

    func preferences(req: Request) async throws -> Response {
        let principal = try req.principal()
        let settings = try await NotificationPreferences.settings(of: principal.userID, on: req.reader)
        return try await PreferencesDTO(settings, kinds: req.application.modules.noticeKinds, timeZone: principal.timeZone)
            .encodeResponse(for: req)
    }

    func savePreferences(req: Request) async throws -> Response {
        let principal = try req.principal()
        let body = try PatchReader.body(req)
        var settings = NotificationSettings()
        if let deliveries = try body.objectReader("deliveries") {
            for key in deliveries.object.keys.sorted() {
                settings.deliveries[key] = try deliveries.enumValue(key, NoticeDelivery.self, allowed: "in_app, email, both, none")
            }
        }
        settings.digest = try body.bool("digest") ?? false
        if body.object["quiet_hours"] != .null, let quiet = try body.objectReader("quiet_hours") {
            let given = ["start", "end"].map { key in (key, Result { try quiet.string(key) }) }
            for (key, text) in given {
                guard let text = try text.get(), let minutes = NotificationSettings.minutes(text) else {
                    throw BatonError.validation(quiet.name(key), "\(quiet.name(key)) is a time of day such as 22:00.")
                }
                if key == "start" { settings.quietStart = minutes } else { settings.quietEnd = minutes }
            }
        }
        let saved = try await req.notifications.saveSettings(settings, for: principal.userID)
        return try await PreferencesDTO(saved, kinds: req.application.modules.noticeKinds, timeZone: principal.timeZone)
            .encodeResponse(for: req)
    }
}

struct PreferencesDTO: Content {
    struct Kind: Content {
        let kind: String
        let label: String
        let delivery: String
        let defaultDelivery: String
    }
    struct QuietHours: Content { let start: String; let end: String }

    let kinds: [Kind]
    let digest: Bool
    let quietHours: QuietHours?
    /// Quiet hours are in this zone (the person's profile).
    let timeZone: String

    init(_ settings: NotificationSettings, kinds: [NoticeKind], timeZone: String) {
        self.kinds = kinds.map { kind in
            Kind(kind: kind.rawValue, label: kind.label, delivery: settings.delivery(of: kind.rawValue, kinds: kinds).rawValue,
                 defaultDelivery: kind.defaultDelivery.rawValue)
        }
        digest = settings.digest
        if let start = settings.quietStart, let end = settings.quietEnd {
            quietHours = QuietHours(start: NotificationSettings.clock(start), end: NotificationSettings.clock(end))
        } else {
            quietHours = nil
        }
        self.timeZone = timeZone
    }
}
