import Fluent
import Vapor
import BatonCore

/// The inbox of the current workspace, and the person's notification settings.
struct NotificationsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(NotificationPaths.inbox.inWorkspace, use: inbox)
        routes.post(NotificationPaths.read.inWorkspace) { req in try await change(req, archive: false) }
        routes.post(NotificationPaths.archive.inWorkspace) { req in try await change(req, archive: true) }
        routes.post(NotificationPaths.open.inWorkspace, use: open)
        routes.get(NotificationPaths.settings.inWorkspace) { req in try await settingsPage(req) }
        routes.post(NotificationPaths.settings.inWorkspace, use: saveSettings)
    }

    enum Show: String, CaseIterable { case unread, all, archived }

    struct InboxContext: Encodable {
        struct Tab: Encodable { let key: String; let label: String; let current: Bool }
        let tabs: [Tab]
        struct Row: Encodable { let item: InboxItem; let when: String; let actions: NoticeActions? }
        let show: String
        let items: [Row]
        let unread: Int
        let empty: String
        let nextCursor: Int?
    }

    func inbox(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let show = Show(rawValue: req.queryText("show") ?? "") ?? .unread
        var filter = Inbox.Filter(workspace: access.workspaceID)
        filter.unread = show == .unread ? true : nil
        filter.archived = show == .archived
        filter.after = try req.cursorParameter("after")
        let (entries, next) = try await Inbox.page(user: access.userID, filter, on: req.reader)
        let items = try await Inbox.items(entries, timeZone: principal.timeZone, app: req.application, on: req.reader)
        let unread = try await Inbox.unreadCount(user: access.userID, workspace: access.workspaceID, on: req.reader)
        let subjects = items.compactMap { item in item.subjectId.map { (type: item.subjectType, id: $0) } }
        let actions = try await req.application.modules.noticeActions(subjects, viewer: access, on: req.reader)
        let empty = switch show {
        case .unread: "Nothing new. When someone assigns you work, mentions you, asks about or hands back work you delegated, it shows here."
        case .all: "Your inbox is empty. Work assigned to you, @mentions and answers on your handoffs arrive here."
        case .archived: "Nothing archived. Archive an entry to take it out of your inbox; it stays here."
        }
        let context = InboxContext(
            tabs: Show.allCases.map { .init(key: $0.rawValue, label: $0.rawValue.capitalized, current: $0 == show) },
            show: show.rawValue,
            items: items.map { .init(item: $0, when: BatonDate.format($0.updatedAt, "MMM d, HH:mm", timeZone: principal.timeZone),
                                     actions: $0.subjectId.flatMap { actions[$0] }) }, unread: unread, empty: empty, nextCursor: next)
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "inbox")
        return try await PageRenderer.render("notifications/inbox", Page(title: "Inbox", layout: layout, page: context), for: req)
    }

    /// "Mark read" / "Archive" on one entry (`id`) or on all of this workspace's (`all`).
    func change(_ req: Request, archive: Bool) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        let selection: NotificationService.Selection
        if form["all"] == "true" {
            selection = .all(workspace: access.workspaceID)
        } else if let id = form["id"].flatMap(UUID.init(uuidString:)) {
            try await requireInWorkspace(id, access, on: req.reader)
            selection = .ids([id])
        } else {
            throw BatonError.validation("id", "Choose a notification.")
        }
        if archive { try await req.notifications.archive(selection, by: access.userID) } else { try await req.notifications.markRead(selection, by: access.userID) }
        let back = NotificationPaths.inbox.url(access.workspaceID) + (Show(rawValue: form["show"] ?? "").map { "?show=\($0.rawValue)" } ?? "")
        let notice = form["all"] == "true" ? (archive ? "Archived everything." : "All read.") : (archive ? "Archived." : "Marked read.")
        return PageRenderer.redirect(req, to: back, notice: notice)
    }

    /// Opening an entry reads it and goes to its subject.
    func open(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let id = try req.uuidParameter("notificationID", label: "Notification")
        let entry = try await requireInWorkspace(id, access, on: req.reader)
        try await req.notifications.markRead(.ids([id]), by: access.userID)
        let link = req.application.modules.subjectLink(type: entry.subjectType, id: entry.subjectID, workspaceID: access.workspaceID)
        return req.redirect(to: link ?? NotificationPaths.inbox.url(access.workspaceID), redirectType: .normal)
    }

    @discardableResult
    private func requireInWorkspace(_ id: UUID, _ access: WorkspaceAccess, on db: any Database) async throws -> InboxEntry {
        guard let entry = try await InboxEntry.find(id, on: db), entry.userID == access.userID,
              entry.workspaceID == access.workspaceID else { throw BatonError.notFound("Notification") }
        return entry
    }

    struct SettingsContext: Encodable {
        struct Row: Encodable {
            let kind: String
            let label: String
            let choices: [Choice]
        }
        struct Choice: Encodable { let value: String; let label: String; let selected: Bool }
        let rows: [Row]
        let digest: Bool
        let quietStart: String
        let quietEnd: String
        let timeZone: String
    }

    func settingsPage(_ req: Request, errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let settings = try await NotificationPreferences.settings(of: access.userID, on: req.reader)
        let kinds = req.application.modules.noticeKinds
        let context = SettingsContext(
            rows: kinds.map { kind in
                let chosen = settings.delivery(of: kind.rawValue, kinds: kinds)
                return .init(kind: kind.rawValue, label: kind.label,
                             choices: NoticeDelivery.allCases.map { .init(value: $0.rawValue, label: $0.label, selected: $0 == chosen) })
            },
            digest: settings.digest, quietStart: settings.quietStart.map(NotificationSettings.clock) ?? "",
            quietEnd: settings.quietEnd.map(NotificationSettings.clock) ?? "", timeZone: principal.timeZone)
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "inbox")
        return try await PageRenderer.render("notifications/settings",
                                             Page(title: "Notification settings", layout: layout, page: context, errors: errors), for: req, status: status)
    }

    func saveSettings(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        var settings = NotificationSettings(digest: form["digest"] == "on")
        for kind in req.application.modules.noticeKinds {
            if let value = form["delivery_\(kind.rawValue)"], let delivery = NoticeDelivery(rawValue: value), delivery != kind.defaultDelivery {
                settings.deliveries[kind.rawValue] = delivery
            }
        }
        let start = (form["quiet_start"] ?? "").trimmingCharacters(in: .whitespaces)
        let end = (form["quiet_end"] ?? "").trimmingCharacters(in: .whitespaces)
        var errors: [String: String] = [:]
        if !start.isEmpty || !end.isEmpty {
            settings.quietStart = NotificationSettings.minutes(start)
            settings.quietEnd = NotificationSettings.minutes(end)
            if settings.quietStart == nil { errors["quiet_start"] = start.isEmpty ? "Give a start, or clear both." : "A time of day such as 22:00." }
            if settings.quietEnd == nil { errors["quiet_end"] = end.isEmpty ? "Give an end, or clear both." : "A time of day such as 07:00." }
        }
        guard errors.isEmpty else { return try await settingsPage(req, errors: errors, status: .unprocessableEntity) }
        do {
            _ = try await req.notifications.saveSettings(settings, for: access.userID)
        } catch let error as BatonError where error.status == .unprocessableEntity {
            return try await settingsPage(req, errors: [error.field ?? "settings": error.message], status: .unprocessableEntity)
        }
        return PageRenderer.redirect(req, to: NotificationPaths.settings.url(access.workspaceID), notice: "Saved. These settings apply in every workspace.")
    }
}
