import Fluent
import SQLKit
import Vapor
import BatonCore

/// Turns committed events into inbox entries: it follows the event log (an `EventConsumer`), asks
/// every module who should hear of each event (`BatonModule.notices`), and keeps only people who
/// may see the event, are not its actor, and want that kind in their inbox. Bursts by one person
/// on one subject join one entry (`InboxGrouping`).
enum InboxDelivery {
    static let consumer = EventConsumer(name: "notifications") { events, ctx, app in
        try await deliver(events, ctx: ctx, app: app)
    }

    static func deliver(_ events: [LoggedEvent], ctx: WriteContext, app: Application) async throws {
        let catalog = app.modules.events
        let announced = events.filter { $0.workspaceId != nil && catalog.isAnnounced(kind: $0.kind, data: $0.data) }
        guard !announced.isEmpty else { return }
        let drafted = NoticeFilter.apply(try await app.modules.notices(for: announced, on: ctx.db))
        guard !drafted.isEmpty else { return }
        let byID = Dictionary(announced.map { ($0.id, $0) }) { first, _ in first }
        let viewers = try await viewers(of: drafted, modules: app.modules, on: ctx.db)
        let preferences = try await NotificationPreferences.load(Set(drafted.map(\.recipient)), on: ctx.db)
        let visible = drafted.filter { notice in
            guard let viewer = viewers[ViewerKey(workspace: notice.workspaceID, user: notice.recipient)],
                  let event = byID[notice.eventID] else { return false }
            return event.isVisible(to: viewer, in: catalog)
        }
        func delivery(_ notice: Notice) -> NoticeDelivery {
            preferences[notice.recipient, default: .defaults].delivery(of: notice.kind, kinds: app.modules.noticeKinds)
        }
        let inbox = visible.filter { delivery($0).reachesInbox }
        if !inbox.isEmpty { try await place(inbox, ctx: ctx) }
        let mail = visible.filter { delivery($0).sendsEmail }
        if !mail.isEmpty { try await NoticeMail.queue(mail, events: byID, settings: preferences, ctx: ctx, app: app) }
    }

    private static func place(_ notices: [Notice], ctx: WriteContext) async throws {
        let open = try await openEntries(for: notices, on: ctx.db)
        var entries = Dictionary(open.map { ($0.id!, $0) }) { first, _ in first }
        let placements = InboxGrouping.place(notices, open: open.map(\.grouping))
        var created: [InboxEntry] = []
        var changed = Set<UUID>()
        for placement in placements {
            switch placement {
            case .join(let id, let notice):
                guard let entry = entries[id] else { continue }
                entry.eventIDs += ";\(notice.eventID)"
                entry.lines += 1
                entry.position = notice.eventID
                entry.lastAt = notice.at
                if !created.contains(where: { $0 === entry }) { changed.insert(id) }
            case .start(let id, let notice):
                let entry = InboxEntry(notice, id: id)
                entries[id] = entry
                created.append(entry)
            }
        }
        for entry in created { try await ctx.insert(entry) }
        for id in changed {
            guard let entry = entries[id] else { continue }
            try await InboxEntry.query(on: ctx.db).filter(\.$id == id)
                .set(\.$eventIDs, to: entry.eventIDs).set(\.$lines, to: entry.lines)
                .set(\.$position, to: entry.position).set(\.$lastAt, to: entry.lastAt).update()
        }
        // One event per reader and workspace, carrying their new unread count for the live badge.
        var counts: [ViewerKey: Int] = [:]
        for placement in placements {
            let notice = placement.notice
            counts[ViewerKey(workspace: notice.workspaceID, user: notice.recipient), default: 0] += 1
        }
        for (key, count) in counts.sorted(by: { $0.key.user.uuidString < $1.key.user.uuidString }) {
            let unread = try await Inbox.unreadCount(user: key.user, workspace: key.workspace, on: ctx.db)
            ctx.record(NotificationEvent.delivered, workspace: key.workspace, actor: nil, subject: .user(key.user),
                       data: ["count": String(count), "unread": String(unread)])
        }
    }

    /// Unread entries in the inbox that a notice of this batch might join: by one of its actors,
    /// about one of its subjects, not full yet (`InboxGrouping.joins` decides). Baton's own notices
    /// (rules, reminders) join nothing, so a reader flooded with them costs no growing lookup.
    private static func openEntries(for notices: [Notice], on db: any Database) async throws -> [InboxEntry] {
        let joinable = notices.filter { $0.actor != nil && $0.subjectID != nil }
        guard let earliest = joinable.map(\.at).min() else { return [] }
        return try await InboxEntry.query(on: db)
            .filter(\.$userID ~~ Array(Set(joinable.map(\.recipient))))
            .filter(\.$actorID ~~ Array(Set(joinable.compactMap(\.actor))))
            .filter(\.$subjectID ~~ Array(Set(joinable.compactMap(\.subjectID))))
            .filter(\.$readAt == nil).filter(\.$archivedAt == nil)
            .filter(\.$lines < InboxGrouping.maximumLines)
            .filter(\.$firstAt >= earliest.addingTimeInterval(-InboxGrouping.window))
            .sort(\.$position).all()
    }

    struct ViewerKey: Hashable { let workspace: UUID; let user: UUID }

    /// What each recipient may see in the notice's workspace; no entry for someone who is not
    /// (or no longer) an active member.
    private static func viewers(of notices: [Notice], modules: InstalledModules, on db: any Database) async throws -> [ViewerKey: EventVisibility.Viewer<UUID>] {
        var viewers: [ViewerKey: EventVisibility.Viewer<UUID>] = [:]
        for (workspace, group) in Dictionary(grouping: notices, by: \.workspaceID) {
            let members = try await Membership.query(on: db).filter(\.$workspaceID == workspace)
                .filter(\.$user.$id ~~ Array(Set(group.map(\.recipient)))).filter(\.$deactivatedAt == nil).all()
            for member in members {
                let access = WorkspaceAccess(workspaceID: workspace, workspaceName: "", userID: member.$user.id, role: member.role)
                viewers[ViewerKey(workspace: workspace, user: member.$user.id)] = try await modules.viewer(access, on: db)
            }
        }
        return viewers
    }
}

extension InboxGrouping.Placement {
    var notice: Notice {
        switch self {
        case .join(_, let notice), .start(_, let notice): notice
        }
    }
}

extension InboxEntry {
    convenience init(_ notice: Notice, id: UUID) {
        self.init()
        self.id = id
        workspaceID = notice.workspaceID
        userID = notice.recipient
        actorID = notice.actor
        kind = notice.kind
        subjectType = notice.subjectType
        subjectID = notice.subjectID
        subjectTitle = String(notice.subjectTitle.prefix(300))
        eventIDs = String(notice.eventID)
        lines = 1
        position = notice.eventID
        firstAt = notice.at
        lastAt = notice.at
    }

    var grouping: InboxGrouping.Entry {
        InboxGrouping.Entry(id: id!, recipient: userID, actor: actorID, kind: kind, subjectType: subjectType, subjectID: subjectID,
                            firstAt: firstAt, lines: lines, isRead: readAt != nil, isArchived: archivedAt != nil)
    }
}
