import Foundation
import BatonCore

/// What happens to templates, the matrix and requests. A request's own events are seen by the
/// people it involves and admins; what a person is told about it is an `approval.told` event
/// whose subject is that person (so it reaches their inbox and their open pages, nobody else's).
public enum ApprovalEvent: String, EventKinds {
    case templateCreated = "approval_template.created"
    case templateUpdated = "approval_template.updated"
    case decisionRightsChanged = "decision_rights.changed"
    case submitted = "approval.submitted"
    case approved = "approval.approved"
    case autoApproved = "approval.auto_approved"
    case rejected = "approval.rejected"
    case changesRequested = "approval.changes_requested"
    case withdrawn = "approval.withdrawn"
    case resubmitted = "approval.resubmitted"
    case transferred = "approval.transferred"
    case approverAdded = "approval.approver_added"
    case returned = "approval.returned"
    case reminded = "approval.reminded"
    case escalated = "approval.escalated"
    /// The request's outcome: `outcome` approved or rejected (automations trigger on it).
    case decided = "approval.decided"
    /// On the request's task, when it is decided: in the task's history, and what automation
    /// rules' "a request about the task is approved / rejected" follow.
    case taskDecided = "task.approval_decided"
    /// One person told of a request: `reason` (to_act, decided, changes_requested, withdrawn, reminder, cc, progress).
    case told = "approval.told"
    case outOfOfficeSet = "user.out_of_office_set"
    case outOfOfficeCleared = "user.out_of_office_cleared"

    public var audience: EventAudience {
        switch self {
        case .templateCreated, .templateUpdated, .decisionRightsChanged: .team
        case .told: .personal
        case .taskDecided: .project
        default: .involved
        }
    }

    public func sentence(_ line: EventLine) -> String {
        let title = "“\(line.data["title"] ?? "a request")”"
        let step = line.data["step"].map { " at “\($0)”" } ?? ""
        switch self {
        case .templateCreated: return "\(line.who) added the approval template “\(line.data["name"] ?? "")”"
        case .templateUpdated: return "\(line.who) edited the approval template “\(line.data["name"] ?? "")”"
        case .decisionRightsChanged: return "\(line.who) changed the decision-rights matrix"
        case .submitted: return "\(line.who) asked for approval of \(title)"
        case .approved: return "\(line.who) approved \(title)\(step)"
        case .autoApproved: return "\(line.person("user_id")) approved \(title)\(step) automatically (\(line.data["why"] ?? "by the template"))"
        case .rejected: return "\(line.who) rejected \(title)\(step)"
        case .changesRequested: return "\(line.who) asked for changes to \(title)"
        case .withdrawn: return "\(line.who) withdrew \(title)"
        case .resubmitted: return "\(line.who) resubmitted \(title)"
        case .transferred: return "\(line.who) handed \(title) to \(line.person("to"))"
        case .approverAdded: return "\(line.who) added \(line.person("user_id")) as an approver of \(title)"
        case .returned: return "\(line.who) sent \(title) back to “\(line.data["to_step"] ?? "an earlier step")”"
        case .reminded: return "Baton reminded \(line.data["count"] ?? "the") approver(s) of \(title)"
        case .escalated: return "Baton escalated \(title) from \(line.person("from")) to \(line.person("to"))"
        case .decided: return "\(title) was \(line.data["outcome"] ?? "decided")"
        case .taskDecided: return "The approval request \(title) was \(line.data["outcome"] ?? "decided")"
        case .told: return Self.toldSentence(line, title: title)
        case .outOfOfficeSet: return "\(line.who) is out of office until \(line.date("until") ?? "later"); \(line.person("to")) approves meanwhile"
        case .outOfOfficeCleared: return "\(line.who) is back in the office"
        }
    }

    private static func toldSentence(_ line: EventLine, title: String) -> String {
        let who = line.who
        switch line.data["reason"] ?? "" {
        case "to_act": return "\(who) asks you to approve \(title)\(line.data["acting_for"] == nil ? "" : ", acting for \(line.person("acting_for"))")"
        case "reminder": return "Reminder: \(title) is waiting for your approval"
        case "decided": return "\(title) was \(line.data["outcome"] ?? "decided")\(line.data["comment"].map { ": “\($0)”" } ?? "")"
        case "changes_requested": return "\(who) asks for changes to \(title): “\(line.data["comment"] ?? "")”"
        case "withdrawn": return "\(who) withdrew \(title): you need not act on it"
        case "cc": return "\(who) asked for approval of \(title); you are copied"
        default: return "\(who) moved \(title) on\(line.data["step"].map { ": “\($0)” is approved" } ?? "")"
        }
    }
}

/// The inbox's side: what to act on, and news of one's own requests.
enum ApprovalNotices {
    static let toAct = NoticeKind("approval", label: "Approvals waiting for you", defaultDelivery: .both)
    static let updates = NoticeKind("approval_update", label: "News of your requests and requests you are copied on")

    static func notices(_ events: [LoggedEvent]) -> [Notice] {
        events.compactMap { event in
            guard event.kind == ApprovalEvent.told.rawValue, let workspace = event.workspaceId, let recipient = event.subjectId,
                  let request = event.data["request_id"].flatMap(UUID.init(uuidString:)) else { return nil }
            let acting = ["to_act", "reminder"].contains(event.data["reason"] ?? "")
            return Notice(eventID: event.id, workspaceID: workspace, recipient: recipient, actor: event.actorId,
                          kind: (acting ? toAct : updates).rawValue, subjectType: "approval_request", subjectID: request,
                          subjectTitle: event.data["title"] ?? "", at: event.createdAt)
        }
    }
}
