import Foundation

/// The events of projects, stages, fields, tasks, handoffs and saved views. Work happens in the
/// open: every one is seen by the team and by the guests of its project.
public enum WorkEvent: String, EventKinds {
    case projectCreated = "project.created"
    case projectUpdated = "project.updated"
    case projectArchived = "project.archived"
    case projectRestored = "project.restored"
    case projectMemberAdded = "project.member_added"
    case projectMemberRemoved = "project.member_removed"
    case stageCreated = "stage.created"
    case stageUpdated = "stage.updated"
    case stageRemoved = "stage.removed"
    case stagesReordered = "stage.reordered"
    case fieldCreated = "field.created"
    /// One CSV import: announced once with its count; its tasks' own events are quiet (`import_id`).
    case tasksImported = "tasks.imported"
    case taskCreated = "task.created"
    case taskAssigned = "task.assigned"
    case taskStageChanged = "task.stage_changed"
    case taskDueChanged = "task.due_changed"
    case taskUpdated = "task.updated"
    case taskBlocked = "task.blocked"
    case taskUnblocked = "task.unblocked"
    case taskBriefUpdated = "task.brief_updated"
    case taskHandoffAccepted = "task.handoff_accepted"
    case taskClarificationRequested = "task.clarification_requested"
    case taskChecklistItemAdded = "task.checklist_item_added"
    case taskChecklistChecked = "task.checklist_checked"
    case taskChecklistUnchecked = "task.checklist_unchecked"
    case taskChecklistWaived = "task.checklist_waived"
    case taskCheckpointAdded = "task.checkpoint_added"
    case taskCheckpointReviewed = "task.checkpoint_reviewed"
    case taskCommented = "task.commented"
    case taskWatcherAdded = "task.watcher_added"
    case taskWatcherRemoved = "task.watcher_removed"
    case taskClarificationAnswered = "task.clarification_answered"
    case taskBriefChangeProposed = "task.brief_change_proposed"
    case taskBriefChangeAccepted = "task.brief_change_accepted"
    case taskBriefChangeDeclined = "task.brief_change_declined"
    case taskWaiverRequested = "task.waiver_requested"
    case taskWaiverGranted = "task.waiver_granted"
    case taskWaiverRefused = "task.waiver_refused"
    case taskSubmittedForAcceptance = "task.submitted_for_acceptance"
    case taskSubmissionWithdrawn = "task.submission_withdrawn"
    case taskCompletionAccepted = "task.completion_accepted"
    case taskCompletionReturned = "task.completion_returned"
    case taskCheckpointSelfAssessed = "task.checkpoint_self_assessed"
    case taskArchived = "task.archived"
    case taskRestored = "task.restored"
    case viewSaved = "view.saved"
    case viewDeleted = "view.deleted"

    public var audience: EventAudience {
        switch self {
        case .projectCreated, .projectUpdated, .projectArchived, .projectRestored, .projectMemberAdded, .projectMemberRemoved, .stageCreated, .stageUpdated,
             .stageRemoved, .stagesReordered, .fieldCreated, .tasksImported, .taskCreated, .taskAssigned, .taskStageChanged,
             .taskDueChanged, .taskUpdated, .taskBlocked, .taskUnblocked, .taskBriefUpdated, .taskHandoffAccepted,
             .taskClarificationRequested, .taskChecklistItemAdded, .taskChecklistChecked, .taskChecklistUnchecked,
             .taskChecklistWaived, .taskCheckpointAdded, .taskCheckpointReviewed, .taskCommented, .taskWatcherAdded,
             .taskWatcherRemoved, .taskClarificationAnswered, .taskBriefChangeProposed, .taskBriefChangeAccepted,
             .taskBriefChangeDeclined, .taskWaiverRequested, .taskWaiverGranted, .taskWaiverRefused, .taskSubmittedForAcceptance,
             .taskSubmissionWithdrawn, .taskCompletionAccepted, .taskCompletionReturned, .taskCheckpointSelfAssessed,
             .taskArchived, .taskRestored:
            .project
        // a saved view is its owner's
        case .viewSaved, .viewDeleted:
            .involved
        }
    }

    public var summarizesBulk: Bool { self == .tasksImported }

    public func sentence(_ line: EventLine) -> String {
        let (who, data) = (line.who, line.data)
        let task = "“\(data["title"] ?? "a task")”"
        switch self {
        case .projectCreated: return "\(who) created the project \(data["name"] ?? "")"
        case .projectUpdated: return "\(who) changed the project’s \(data["field"] ?? "settings")"
        case .projectArchived: return "\(who) archived the project \(data["name"] ?? "")"
        case .projectRestored: return "\(who) restored the project \(data["name"] ?? "")"
        case .projectMemberAdded: return "\(who) added \(line.person("user_id")) to \(data["project"] ?? "a project")"
        case .projectMemberRemoved: return "\(who) removed \(line.person("user_id")) from \(data["project"] ?? "a project")"
        case .stageCreated: return "\(who) added the stage \(data["name"] ?? "")"
        case .stageUpdated: return "\(who) changed the stage \(data["name"] ?? "")"
        case .stageRemoved: return "\(who) removed the stage \(data["name"] ?? "") and moved its tasks to \(data["moved_to"] ?? "another stage")"
        case .stagesReordered: return "\(who) reordered the stages"
        case .fieldCreated: return "\(who) added the custom field \(data["name"] ?? "")"
        case .tasksImported: return "\(who) imported \(data["count"] ?? "some") tasks into \(data["project"] ?? "a project")"
        case .taskCreated: return "\(who) created \(task)"
        case .taskAssigned:
            if (data["to"] ?? "").isEmpty { return "\(who) unassigned \(task)" }
            if (data["from"] ?? "").isEmpty { return "\(who) assigned \(task) to \(line.person("to"))" }
            return "\(who) reassigned \(task) from \(line.person("from")) to \(line.person("to"))"
        case .taskStageChanged:
            let verb = data["reopened"] == "true" ? "reopened" : "moved"
            return "\(who) \(verb) \(task) from \(data["from"] ?? "?") to \(data["to"] ?? "?")"
        case .taskDueChanged:
            let to = line.date("to") ?? "no due date"
            return "\(who) changed the due date of \(task) to \(to)"
        case .taskUpdated: return "\(who) changed the \((data["field"] ?? "details").replacingOccurrences(of: "_", with: " ")) of \(task)"
        case .taskBlocked: return "\(who) flagged \(task) as blocked: \(data["reason"] ?? "")"
        case .taskUnblocked: return "\(who) unblocked \(task)"
        case .taskBriefUpdated: return "\(who) edited the handoff brief of \(task)"
        case .taskHandoffAccepted: return "\(who) accepted the handoff of \(task)"
        case .taskClarificationRequested: return "\(who) asked about \(task): \(data["question"] ?? "")"
        case .taskChecklistItemAdded: return "\(who) added the acceptance item “\(data["item"] ?? "")” to \(task)"
        case .taskChecklistChecked: return "\(who) checked “\(data["item"] ?? "")” on \(task)"
        case .taskChecklistUnchecked: return "\(who) unchecked “\(data["item"] ?? "")” on \(task)"
        case .taskChecklistWaived: return "\(who) waived “\(data["item"] ?? "")” on \(task): \(data["reason"] ?? "")"
        case .taskCheckpointAdded:
            return "\(who) added the checkpoint “\(data["checkpoint"] ?? "")” to \(task)" + (line.date("due_at").map { " for \($0)" } ?? "")
        case .taskCheckpointReviewed:
            return "\(who) reviewed “\(data["checkpoint"] ?? "")” on \(task): \(CheckpointStatus(rawValue: data["status"] ?? "")?.label ?? "?")"
        case .taskCommented: return "\(who) commented on \(task)"
        case .taskWatcherAdded: return "\(line.person("user_id")) is watching \(task)"
        case .taskWatcherRemoved: return "\(line.person("user_id")) stopped watching \(task)"
        case .taskClarificationAnswered: return "\(who) answered the question on \(task): \(data["answer"] ?? "")"
        case .taskBriefChangeProposed: return "\(who) proposed a change to the \(field(data)) of \(task)"
        case .taskBriefChangeAccepted: return "\(who) accepted the proposed \(field(data)) of \(task)"
        case .taskBriefChangeDeclined: return "\(who) declined the proposed \(field(data)) of \(task)"
        case .taskWaiverRequested: return "\(who) asked to waive “\(data["item"] ?? "")” on \(task): \(data["reason"] ?? "")"
        case .taskWaiverGranted: return "\(who) waived “\(data["item"] ?? "")” on \(task) as requested: \(data["reason"] ?? "")"
        case .taskWaiverRefused: return "\(who) kept “\(data["item"] ?? "")” on \(task): the waiver was refused"
        case .taskSubmittedForAcceptance: return "\(who) submitted \(task) for \(line.person("delegator"))’s acceptance"
        case .taskSubmissionWithdrawn: return "\(who) took \(task) out of review"
        case .taskCompletionAccepted: return "\(who) accepted \(task) as done"
        case .taskCompletionReturned: return "\(who) returned \(task): \(data["feedback"] ?? "")"
        case .taskCheckpointSelfAssessed:
            return "\(who) assessed “\(data["checkpoint"] ?? "")” on \(task): \(CheckpointStatus(rawValue: data["status"] ?? "")?.label ?? "?")"
        case .taskArchived: return "\(who) archived \(task)"
        case .taskRestored: return "\(who) restored \(task)"
        case .viewSaved: return "\(who) saved the view \(data["name"] ?? "")"
        case .viewDeleted: return "\(who) deleted the view \(data["name"] ?? "")"
        }
    }

    private func field(_ data: [String: String]) -> String {
        BriefField(rawValue: data["field"] ?? "")?.label ?? "brief"
    }
}
