import Fluent
import Vapor
import BatonCore

/// The only way an inbox or someone's notification settings change (delivery itself is
/// `InboxDelivery`, which follows the event log). Each change is an event of its owner's.
struct NotificationService: Sendable {
    let store: Store
    let modules: InstalledModules

    enum Selection: Sendable {
        case ids([UUID])
        /// Everything unread, in one workspace or in all of the person's.
        case all(workspace: UUID?)
    }

    /// Marks entries read; returns the unread count left in each workspace touched.
    @discardableResult
    func markRead(_ selection: Selection, by userID: UUID) async throws -> [UUID: Int] {
        try await change(selection, by: userID, event: .read) { query, now in query.set(\.$readAt, to: now) }
    }

    /// Takes entries out of the inbox (they are read too).
    @discardableResult
    func archive(_ selection: Selection, by userID: UUID) async throws -> [UUID: Int] {
        try await change(selection, by: userID, event: .archived) { query, now in
            query.set(\.$archivedAt, to: now)
        }
    }

    private func change(_ selection: Selection, by userID: UUID, event: NotificationEvent,
                        _ set: @escaping @Sendable (QueryBuilder<InboxEntry>, Date) -> Void) async throws -> [UUID: Int] {
        if case .ids(let ids) = selection, ids.count > PageSize.maximum {
            throw BatonError.validation("ids", "At most \(PageSize.maximum) notifications at a time.")
        }
        return try await store.write { ctx in
            let workspaces = try await Inbox.activeWorkspaces(of: userID, on: ctx.db)
            let query = InboxEntry.query(on: ctx.db).filter(\.$userID == userID).filter(\.$workspaceID ~~ workspaces)
            switch selection {
            case .ids(let ids):
                query.filter(\.$id ~~ ids)
            case .all(let workspace):
                if let workspace { query.filter(\.$workspaceID == workspace) }
                query.filter(event == .read ? \.$readAt : \.$archivedAt, .equal, nil)
            }
            let chosen = try await query.all()
            let pending = chosen.filter { event == .read ? $0.readAt == nil : $0.archivedAt == nil }
            if case .ids(let ids) = selection, chosen.count != Set(ids).count {
                // someone else's entry, or one that does not exist: nothing changes
                throw BatonError.notFound("Notification")
            }
            guard !pending.isEmpty else { return [:] }
            let update = InboxEntry.query(on: ctx.db).filter(\.$id ~~ pending.compactMap(\.id))
            set(update, ctx.now)
            try await update.update()
            // an archived entry counts as read; one read before keeps its first read time
            let unreadArchived = pending.filter { $0.readAt == nil }.compactMap(\.id)
            if event == .archived, !unreadArchived.isEmpty {
                try await InboxEntry.query(on: ctx.db).filter(\.$id ~~ unreadArchived).set(\.$readAt, to: ctx.now).update()
            }
            var left: [UUID: Int] = [:]
            for (workspace, group) in Dictionary(grouping: pending, by: \.workspaceID) {
                let unread = try await Inbox.unreadCount(user: userID, workspace: workspace, on: ctx.db)
                left[workspace] = unread
                ctx.record(event, workspace: workspace, actor: userID, subject: .user(userID),
                           data: ["count": String(group.count), "unread": String(unread)])
            }
            return left
        }
    }

    func saveSettings(_ settings: NotificationSettings, for userID: UUID) async throws -> NotificationSettings {
        let known = Set(modules.noticeKinds.map(\.rawValue))
        if let unknown = settings.deliveries.keys.sorted().first(where: { !known.contains($0) }) {
            throw BatonError.validation("deliveries.\(unknown)", "There is no kind of notification called “\(unknown)”.")
        }
        if (settings.quietStart == nil) != (settings.quietEnd == nil) {
            throw BatonError.validation(settings.quietStart == nil ? "quiet_start" : "quiet_end",
                                        "Quiet hours need a start and an end, or neither.")
        }
        let encoded = String(decoding: try JSONEncoder.sorted.encode(settings.deliveries.mapValues(\.rawValue)), as: UTF8.self)
        return try await store.write { ctx in
            let row = try await NotificationSettingsRow.find(userID, on: ctx.db) ?? NotificationSettingsRow()
            let isNew = row.id == nil
            row.id = userID
            row.deliveries = encoded
            row.digest = settings.digest
            row.quietStart = settings.quietStart
            row.quietEnd = settings.quietEnd
            row.updatedAt = ctx.now
            if isNew { try await row.create(on: ctx.db) } else { try await row.update(on: ctx.db) }
            ctx.record(NotificationEvent.settingsChanged, workspace: nil, actor: userID, subject: .user(userID),
                       data: ["digest": settings.digest ? "true" : "false"])
            return row.settings
        }
    }
}

extension JSONEncoder {
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

extension Request {
    var notifications: NotificationService { NotificationService(store: store, modules: application.modules) }
}
