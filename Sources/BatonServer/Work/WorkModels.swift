import Fluent
import Vapor
import BatonCore

final class Project: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "projects"
    static var workspaceKey: KeyPath<Project, FieldProperty<Project, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    @OptionalField(key: "lead_id") var leadID: UUID?
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "archived_at") var archivedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $workspaceID, $name, $description, $leadID, $createdAt, $archivedAt] }
}

final class ProjectMember: Model, @unchecked Sendable {
    static let schema = "project_members"

    @ID(key: .id) var id: UUID?
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "user_id") var userID: UUID

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $projectID, $userID] }
}

final class Stage: Model, @unchecked Sendable {
    static let schema = "stages"

    @ID(key: .id) var id: UUID?
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "name") var name: String
    @Field(key: "color") var color: String
    @Field(key: "category") var category: StageCategory
    @Field(key: "position") var position: Int

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $projectID, $name, $color, $category, $position] }
}

final class CustomField: Model, @unchecked Sendable {
    static let schema = "custom_fields"

    @ID(key: .id) var id: UUID?
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "name") var name: String
    @Field(key: "type") var type: CustomFieldType
    /// Choices of select fields, joined by ";".
    @Field(key: "options") var options: String
    @OptionalField(key: "currency") var currency: String?
    @Field(key: "position") var position: Int

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $projectID, $name, $type, $options, $currency, $position] }

    var optionList: [String] { options.split(separator: ";").map(String.init) }
    var definition: CustomFieldValue.Definition {
        .init(name: name, type: type, options: optionList, currency: currency)
    }
}

/// A piece of delegated work. The handoff brief lives on the same row (it is one per task).
final class WorkTask: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "tasks"
    static var workspaceKey: KeyPath<WorkTask, FieldProperty<WorkTask, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "title") var title: String
    @Field(key: "description") var description: String
    @OptionalField(key: "delegator_id") var delegatorID: UUID?
    @OptionalField(key: "assignee_id") var assigneeID: UUID?
    @Field(key: "stage_id") var stageID: UUID
    /// Copied from the stage so filters and dashboards need no join.
    @Field(key: "stage_category") var stageCategory: StageCategory
    @Field(key: "priority") var priority: Priority
    @OptionalField(key: "start_at") var startAt: Date?
    @OptionalField(key: "due_at") var dueAt: Date?
    @Field(key: "time_zone") var timeZone: String
    @Field(key: "blocked") var blocked: Bool
    @OptionalField(key: "blocked_reason") var blockedReason: String?
    @OptionalField(key: "blocked_at") var blockedAt: Date?
    @OptionalField(key: "estimate") var estimate: Double?
    /// Tags joined by ";" for display; `task_tags` holds them for filtering.
    @Field(key: "tags") var tags: String
    @OptionalField(key: "parent_id") var parentID: UUID?
    @Field(key: "version") var version: Int
    @Field(key: "created_by") var createdBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "completed_at") var completedAt: Date?
    /// Last sign of movement: a stage change, a checked item, a checkpoint review, an assignee's comment.
    @Field(key: "progress_at") var progressAt: Date

    // handoff brief
    @Field(key: "brief_outcome") var outcome: String
    @Field(key: "brief_constraints") var constraints: String
    @Field(key: "brief_success_criteria") var successCriteria: String
    @OptionalField(key: "brief_risk_tolerance") var riskTolerance: RiskTolerance?
    /// JSON object: decide_alone / consult_first / escalate → [String].
    @Field(key: "brief_decision_rights") var decisionRights: String
    @OptionalField(key: "brief_delegation_level") var delegationLevel: Int?
    @Field(key: "brief_stretch") var stretch: Bool
    @Field(key: "brief_skills") var skills: String
    @OptionalField(key: "handoff_accepted_at") var handoffAcceptedAt: Date?
    @OptionalField(key: "clarification_requested_at") var clarificationRequestedAt: Date?
    @OptionalField(key: "clarification_question") var clarificationQuestion: String?
    /// Submitted for the delegator's acceptance (levels 1–5): when, the done stage asked for, the stage it came from.
    @OptionalField(key: "acceptance_requested_at") var acceptanceRequestedAt: Date?
    @OptionalField(key: "acceptance_target_stage_id") var acceptanceTargetStageID: UUID?
    @OptionalField(key: "acceptance_from_stage_id") var acceptanceFromStageID: UUID?
    /// The delegator's last return: what is missing.
    @OptionalField(key: "returned_at") var returnedAt: Date?
    @OptionalField(key: "return_feedback") var returnFeedback: String?
    /// Off every list; restored, it comes back as it was.
    @OptionalField(key: "archived_at") var archivedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [
        $id, $workspaceID, $projectID, $title, $description, $delegatorID, $assigneeID, $stageID,
        $stageCategory, $priority, $startAt, $dueAt, $timeZone, $blocked, $blockedReason, $blockedAt,
        $estimate, $tags, $parentID, $version, $createdBy, $createdAt, $updatedAt, $completedAt, $progressAt,
        $outcome, $constraints, $successCriteria, $riskTolerance, $decisionRights, $delegationLevel, $stretch,
        $skills, $handoffAcceptedAt, $clarificationRequestedAt, $clarificationQuestion, $acceptanceRequestedAt,
        $acceptanceTargetStageID, $acceptanceFromStageID, $returnedAt, $returnFeedback, $archivedAt,
    ] }

    /// Handed from one person to another: the brief is then the delegator's (DelegationRights).
    var isDelegated: Bool { assigneeID != nil && delegatorID != nil && assigneeID != delegatorID }

    var tagList: [String] { tags.split(separator: ";").map(String.init) }
    var skillList: [String] { skills.split(separator: ";").map(String.init) }
}

final class TaskTag: Model, @unchecked Sendable {
    static let schema = "task_tags"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "tag") var tag: String

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $taskID, $workspaceID, $tag] }
}

final class TaskWatcher: Model, @unchecked Sendable {
    static let schema = "task_watchers"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "user_id") var userID: UUID

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $taskID, $userID] }
}

final class TaskFieldValue: Model, @unchecked Sendable {
    static let schema = "task_field_values"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "field_id") var fieldID: UUID
    @Field(key: "value") var value: String

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $taskID, $fieldID, $value] }
}

final class ChecklistItem: Model, @unchecked Sendable {
    static let schema = "checklist_items"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "position") var position: Int
    @Field(key: "text") var text: String
    @OptionalField(key: "checked_at") var checkedAt: Date?
    @OptionalField(key: "checked_by") var checkedBy: UUID?
    @OptionalField(key: "waived_reason") var waivedReason: String?
    /// The assignee asked the delegator to waive it, with this reason.
    @OptionalField(key: "waiver_request_reason") var waiverRequestReason: String?
    @OptionalField(key: "waiver_requested_by") var waiverRequestedBy: UUID?
    @OptionalField(key: "waiver_requested_at") var waiverRequestedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [
        $id, $taskID, $position, $text, $checkedAt, $checkedBy, $waivedReason, $waiverRequestReason, $waiverRequestedBy,
        $waiverRequestedAt,
    ] }

    var rule: CompletionRule.Item { .init(text: text, checked: checkedAt != nil, waivedReason: waivedReason) }
}

final class Checkpoint: Model, @unchecked Sendable {
    static let schema = "checkpoints"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "title") var title: String
    @Field(key: "due_at") var dueAt: Date
    @OptionalField(key: "status") var status: CheckpointStatus?
    @Field(key: "note") var note: String
    @OptionalField(key: "reviewed_at") var reviewedAt: Date?
    @OptionalField(key: "reviewed_by") var reviewedBy: UUID?
    /// The assignee's own view beside the delegator's review.
    @OptionalField(key: "self_status") var selfStatus: CheckpointStatus?
    @OptionalField(key: "self_note") var selfNote: String?
    @OptionalField(key: "self_assessed_at") var selfAssessedAt: Date?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [
        $id, $taskID, $title, $dueAt, $status, $note, $reviewedAt, $reviewedBy, $selfStatus, $selfNote, $selfAssessedAt,
    ] }
}

final class TaskComment: Model, @unchecked Sendable {
    static let schema = "task_comments"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "author_id") var authorID: UUID
    @Field(key: "body") var body: String
    /// Ids of the people mentioned, joined by ";" (read by notifications).
    @Field(key: "mentions") var mentions: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $taskID, $authorID, $body, $mentions, $createdAt] }
}

/// The assignee's proposed wording for one field of the brief; the delegator accepts or declines it.
final class BriefProposal: Model, @unchecked Sendable {
    static let schema = "brief_proposals"

    @ID(key: .id) var id: UUID?
    @Field(key: "task_id") var taskID: UUID
    /// outcome, constraints or success_criteria
    @Field(key: "field") var field: String
    @Field(key: "text") var text: String
    @Field(key: "reason") var reason: String
    @Field(key: "proposed_by") var proposedBy: UUID
    @Field(key: "created_at") var createdAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?
    @OptionalField(key: "decided_by") var decidedBy: UUID?
    @OptionalField(key: "accepted") var accepted: Bool?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $taskID, $field, $text, $reason, $proposedBy, $createdAt, $decidedAt, $decidedBy, $accepted] }
}

/// A person's named filter of a project's table.
final class SavedView: Model, @unchecked Sendable {
    static let schema = "saved_views"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "name") var name: String
    /// The table's query string (filters), without a cursor.
    @Field(key: "query") var query: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $workspaceID, $userID, $projectID, $name, $query, $createdAt] }
}
