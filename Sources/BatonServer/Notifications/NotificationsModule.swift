import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// People's inboxes: every module's notices, delivered by following the event log; settings
    /// per person and kind.
    static let notifications = BatonModule(
        name: "notifications",
        migrations: [CreateNotifications(), CreateNotificationSettings(), CreateReminders()],
        events: [NotificationEvent.self],
        jobs: [ReminderService.job],
        consumers: [InboxDelivery.consumer],
        api: { api in
            NotificationsAPI().register(api)
            RemindersAPI().register(api)
        },
        pages: { pages in
            try pages.workspace.register(collection: NotificationsPages())
            try pages.workspace.register(collection: ReminderPages())
        },
        paths: NotificationPaths.all,
        notices: { events, _ in
            events.compactMap { event in
                guard event.kind == NotificationEvent.reminderDue.rawValue, let workspace = event.workspaceId,
                      let owner = event.subjectId else { return nil }
                return ReminderNotices.notice(eventID: event.id, workspaceID: workspace, owner: owner, data: event.data, at: event.createdAt)
            }
        },
        noticeKinds: [ReminderNotices.kind],
        subjectPanels: ReminderPages.subjectPanels,
        badges: { workspaceID, userID, db in
            ["inbox": try await Inbox.unreadCount(user: userID, workspace: workspaceID, on: db)]
        },
        navigation: [NavigationEntry(title: "Inbox", path: NotificationPaths.inbox, page: "inbox", order: 10, shortcut: "i")],
        operations: NotificationsOpenAPI.operations + NotificationsOpenAPI.reminderOperations,
        schemas: { NotificationsOpenAPI.schemas.merging(NotificationsOpenAPI.reminderSchemas) { $1 } }
    )
}
