import Foundation

/// The events of automation rules: edits to rules (seen by the project), and what rules did
/// that is not itself a change to a task (notifications and webhooks).
public enum AutomationEvent: String, EventKinds {
    case ruleCreated = "rule.created"
    case ruleUpdated = "rule.updated"
    case ruleEnabled = "rule.enabled"
    case ruleDisabled = "rule.disabled"
    case ruleDeleted = "rule.deleted"
    /// A rule's notify action: `recipients` (ids, `;`) hear `message` about the task.
    case ruleNotified = "rule.notified"
    case webhookQueued = "rule.webhook_queued"

    /// Rules are not shown to guests; what a rule did about a task is seen like the task's own events.
    public var audience: EventAudience {
        switch self {
        case .ruleNotified: .project
        default: .team
        }
    }

    public func sentence(_ line: EventLine) -> String {
        let rule = "“\(line.data["rule"] ?? "a rule")”"
        switch self {
        case .ruleCreated: return "\(line.who) added the rule \(rule)"
        case .ruleUpdated: return "\(line.who) edited the rule \(rule)"
        case .ruleEnabled: return "\(line.who) turned on the rule \(rule)"
        case .ruleDisabled: return "\(line.who) turned off the rule \(rule)"
        case .ruleDeleted: return "\(line.who) deleted the rule \(rule)"
        case .ruleNotified: return "Rule \(rule): \(line.data["message"] ?? "")"
        case .webhookQueued: return "Rule \(rule) sent “\(line.data["title"] ?? "a task")” to \(line.data["host"] ?? "a webhook")"
        }
    }
}

/// Rule notifications in people's inboxes.
public enum AutomationNotices {
    public static let kind = NoticeKind("rule", label: "Alerts from project rules", defaultDelivery: .inApp)

    public static func notices(eventID: Int, workspaceID: UUID, data: [String: String], subjectID: UUID?, at: Date) -> [Notice] {
        let recipients = (data["recipients"] ?? "").split(separator: ";").compactMap { UUID(uuidString: String($0)) }
        return recipients.map { recipient in
            Notice(eventID: eventID, workspaceID: workspaceID, recipient: recipient, actor: nil, kind: kind.rawValue,
                   subjectType: "task", subjectID: subjectID, subjectTitle: data["title"] ?? "", at: at)
        }
    }
}
