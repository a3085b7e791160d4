import Foundation

/// Who hears of a task's events in their inbox: the people who own the work (its assignee, its
/// delegator, its watchers) and the people a comment mentions, never the whole project. Stage
/// changes, due dates and blocked flags reach people through automation rules instead.
public enum WorkNotices {
    public static let mentioned = NoticeKind("mentioned", label: "@mentions of you", defaultDelivery: .both)
    public static let assigned = NoticeKind("assigned", label: "Work assigned to you or taken from you", defaultDelivery: .both)
    public static let handoff = NoticeKind("handoff", label: "Handoffs accepted, questions asked and answered")
    public static let acceptance = NoticeKind("acceptance", label: "Work submitted for your acceptance, accepted or returned",
                                              defaultDelivery: .both)
    public static let waiver = NoticeKind("waiver", label: "Waivers requested, granted or refused")
    public static let briefChange = NoticeKind("brief_change", label: "Brief changes proposed, accepted or declined")
    public static let comment = NoticeKind("comment", label: "Comments on work you own, delegated or watch")

    public static let kinds = [mentioned, assigned, handoff, acceptance, waiver, briefChange, comment]

    /// The people a task belongs to as of the event.
    public struct Owners: Sendable, Equatable {
        public var assignee: UUID?
        public var delegator: UUID?
        public var watchers: [UUID]

        public init(assignee: UUID? = nil, delegator: UUID? = nil, watchers: [UUID] = []) {
            self.assignee = assignee
            self.delegator = delegator
            self.watchers = watchers
        }
    }

    /// Who to tell of one event, most specific reason first (`NoticeFilter` keeps the first
    /// reason per person and drops the actor).
    public static func recipients(of event: WorkEvent, data: [String: String], owners: Owners) -> [(UUID, NoticeKind)] {
        func id(_ key: String) -> UUID? { data[key].flatMap(UUID.init(uuidString:)) }
        let delegator = id("delegator") ?? owners.delegator
        let assignee = owners.assignee
        func tell(_ people: UUID?..., as kind: NoticeKind) -> [(UUID, NoticeKind)] { people.compactMap { $0 }.map { ($0, kind) } }
        switch event {
        case .taskAssigned: return tell(id("to"), id("from"), as: assigned)
        case .taskHandoffAccepted, .taskClarificationRequested: return tell(delegator, as: handoff)
        case .taskClarificationAnswered: return tell(id("assignee") ?? assignee, as: handoff)
        case .taskSubmittedForAcceptance: return tell(delegator, as: acceptance)
        case .taskCompletionAccepted, .taskCompletionReturned: return tell(id("assignee") ?? assignee, as: acceptance)
        case .taskWaiverRequested: return tell(delegator, as: waiver)
        case .taskWaiverGranted, .taskWaiverRefused: return tell(id("requested_by") ?? assignee, as: waiver)
        case .taskBriefChangeProposed: return tell(delegator, as: briefChange)
        case .taskBriefChangeAccepted, .taskBriefChangeDeclined: return tell(id("proposed_by") ?? assignee, as: briefChange)
        case .taskCommented:
            let mentions = (data["mentions"] ?? "").split(separator: ";").compactMap { UUID(uuidString: String($0)) }
            return mentions.map { ($0, mentioned) } + tell(assignee, delegator, as: comment) + owners.watchers.map { ($0, comment) }
        default: return []
        }
    }
}
