/// The inbox's pages: every route and link to them is built from these.
enum NotificationPaths {
    static let inbox = PagePath("notifications.inbox", "/w/:workspaceID/inbox")
    static let read = PagePath("notifications.read", "/w/:workspaceID/inbox/read")
    static let archive = PagePath("notifications.archive", "/w/:workspaceID/inbox/archive")
    static let open = PagePath("notifications.open", "/w/:workspaceID/inbox/:notificationID/open")
    static let settings = PagePath("notifications.settings", "/w/:workspaceID/inbox/settings")

    static let reminders = PagePath("notifications.reminders", "/w/:workspaceID/reminders")
    static let taskReminders = PagePath("notifications.taskReminders", "/w/:workspaceID/tasks/:taskID/reminders")
    static let reminder = PagePath("notifications.reminder", "/w/:workspaceID/reminders/:reminderID")
    static let cancelReminder = PagePath("notifications.cancelReminder", "/w/:workspaceID/reminders/:reminderID/cancel")

    static let all = [inbox, read, archive, open, settings, reminders, taskReminders, reminder, cancelReminder]
}
