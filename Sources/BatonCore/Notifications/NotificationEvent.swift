/// The events of people's inboxes and reminders. They are their owner's alone: not even admins see these.
public enum NotificationEvent: String, EventKinds {
    /// New entries (or new lines on open ones) reached someone's inbox; `unread` is their count after.
    case delivered = "notification.delivered"
    case read = "notification.read"
    case archived = "notification.archived"
    case settingsChanged = "notification.settings_changed"
    case reminderSet = "reminder.set"
    case reminderChanged = "reminder.changed"
    case reminderCancelled = "reminder.cancelled"
    /// A reminder's time came: its owner's inbox gets it (`ReminderNotices`).
    case reminderDue = "reminder.due"

    public var audience: EventAudience { .personal }

    public func sentence(_ line: EventLine) -> String {
        let count = line.data["count"] ?? "some"
        let title = line.data["title"] ?? "a task"
        switch self {
        case .delivered: return "\(line.person) got \(count) new notification\(count == "1" ? "" : "s")"
        case .read: return "\(line.who) read \(count) notification\(count == "1" ? "" : "s")"
        case .archived: return "\(line.who) archived \(count) notification\(count == "1" ? "" : "s")"
        case .settingsChanged: return "\(line.who) changed their notification settings"
        case .reminderSet: return "\(line.who) set a reminder on “\(title)” for \(line.date("remind_at") ?? "later")"
        case .reminderChanged: return "\(line.who) moved a reminder on “\(title)” to \(line.date("remind_at") ?? "later")"
        case .reminderCancelled: return "\(line.who) cancelled a reminder"
        case .reminderDue:
            let note = line.data["note"] ?? ""
            return "Reminder: “\(title)”" + (note.isEmpty ? "" : ": \(note)")
        }
    }
}
