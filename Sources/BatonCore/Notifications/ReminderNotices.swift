import Foundation

/// A reminder that fell due is a notice to its owner, about the task it was set on.
public enum ReminderNotices {
    public static let kind = NoticeKind("reminder", label: "Your reminders", defaultDelivery: .both)

    public static func notice(eventID: Int, workspaceID: UUID, owner: UUID, data: [String: String], at: Date) -> Notice? {
        guard let task = data["task_id"].flatMap(UUID.init(uuidString:)) else { return nil }
        return Notice(eventID: eventID, workspaceID: workspaceID, recipient: owner, actor: nil, kind: kind.rawValue,
                      subjectType: "task", subjectID: task, subjectTitle: data["title"] ?? "", at: at)
    }
}
