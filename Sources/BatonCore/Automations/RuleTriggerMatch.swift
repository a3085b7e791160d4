import Foundation

/// Whether a task's event sets off a rule's trigger. Stage and field names are as the event
/// recorded them; the caller says what the rule's stage and custom field ids are called now.
public enum RuleTriggerMatch {
    public struct Names: Sendable {
        public let stage: @Sendable (UUID) -> String?
        public let field: @Sendable (UUID) -> String?

        public init(stage: @escaping @Sendable (UUID) -> String?, field: @escaping @Sendable (UUID) -> String?) {
            self.stage = stage
            self.field = field
        }
    }

    /// The task events whose changes a field trigger listens to, by the field they change.
    static func changedField(kind: String, data: [String: String]) -> String? {
        switch kind {
        case "task.updated": return data["field"]
        case "task.due_changed": return "due_at"
        case "task.assigned": return "assignee"
        case "task.blocked", "task.unblocked": return "blocked"
        case "task.stage_changed": return "stage"
        default: return nil
        }
    }

    public static func matches(_ trigger: RuleTrigger, kind: String, data: [String: String], names: Names) -> Bool {
        switch trigger.type {
        case .taskCreated:
            return kind == "task.created"
        case .stageChanged:
            guard kind == "task.stage_changed" else { return false }
            if let from = trigger.fromStage, names.stage(from) != data["from"] { return false }
            if let to = trigger.toStage, names.stage(to) != data["to"] { return false }
            return true
        case .fieldChanged:
            guard let changed = changedField(kind: kind, data: data) else { return false }
            guard let wanted = trigger.field else { return true }
            if let id = RuleFacts.customFieldID(wanted) { return names.field(id).map { $0 == changed } ?? false }
            return wanted == changed
        case .blocked:
            return kind == "task.blocked"
        case .unblocked:
            return kind == "task.unblocked"
        case .startsMatching:
            // Any change may bring a task into the view; whether it entered is judged by the caller.
            return kind.hasPrefix("task.")
        case .approvalApproved:
            return kind == "task.approval_decided" && data["outcome"] == "approved"
        case .approvalRejected:
            return kind == "task.approval_decided" && data["outcome"] == "rejected"
        case .dueSoon, .checkpointOverdue, .schedule:
            return false
        }
    }
}
