import Fluent
import Vapor
import BatonCore

struct StageDTO: Content {
    let id: UUID
    let name: String
    let color: String
    let category: StageCategory
    let position: Int

    init(_ stage: Stage) throws {
        id = try stage.requireID()
        name = stage.name
        color = stage.color
        category = stage.category
        position = stage.position
    }
}

struct FieldDTO: Content {
    let id: UUID
    let name: String
    let type: CustomFieldType
    let options: [String]
    let currency: String?

    init(_ field: CustomField) throws {
        id = try field.requireID()
        name = field.name
        type = field.type
        options = field.optionList
        currency = field.currency
    }
}

struct ProjectDTO: Content {
    let id: UUID
    let workspaceId: UUID
    let name: String
    let description: String
    let leadId: UUID?
    let memberIds: [UUID]
    let stages: [StageDTO]
    let fields: [FieldDTO]
    let createdAt: Date
    var archivedAt: Date? = nil
}

struct TaskDTO: Content {
    let id: UUID
    let projectId: UUID
    let title: String
    let description: String
    let delegatorId: UUID?
    let assigneeId: UUID?
    let stageId: UUID
    let stageCategory: StageCategory
    let priority: Priority
    let startAt: Date?
    let dueAt: Date?
    let timeZone: String
    let blocked: Bool
    let blockedReason: String?
    let estimate: Double?
    let tags: [String]
    let parentId: UUID?
    let version: Int
    let createdBy: UUID
    let createdAt: Date
    let updatedAt: Date
    let completedAt: Date?
    let handoffState: String
    /// Submitted for the delegator's acceptance and waiting since then.
    let awaitingAcceptanceSince: Date?
    let archivedAt: Date?
    let customFields: [String: String]

    init(_ task: WorkTask, customFields: [String: String]) throws {
        id = try task.requireID()
        projectId = task.projectID
        title = task.title
        description = task.description
        delegatorId = task.delegatorID
        assigneeId = task.assigneeID
        stageId = task.stageID
        stageCategory = task.stageCategory
        priority = task.priority
        startAt = task.startAt
        dueAt = task.dueAt
        timeZone = task.timeZone
        blocked = task.blocked
        blockedReason = task.blockedReason
        estimate = task.estimate
        tags = task.tagList
        parentId = task.parentID
        version = task.version
        createdBy = task.createdBy
        createdAt = task.createdAt
        updatedAt = task.updatedAt
        completedAt = task.completedAt
        handoffState = Self.handoffState(task)
        awaitingAcceptanceSince = task.acceptanceRequestedAt
        archivedAt = task.archivedAt
        self.customFields = customFields
    }

    static func handoffState(_ task: WorkTask) -> String {
        task.assigneeID == nil ? "unassigned"
            : task.handoffAcceptedAt != nil ? "accepted"
            : task.clarificationRequestedAt != nil ? "clarification_requested" : "pending"
    }
}

struct ChecklistItemDTO: Content {
    let id: UUID
    let text: String
    let checked: Bool
    let checkedBy: UUID?
    let waivedReason: String?
    let waiverRequest: WaiverRequestDTO?

    struct WaiverRequestDTO: Content {
        let reason: String
        let requestedBy: UUID?
        let requestedAt: Date?
    }

    init(_ item: ChecklistItem) throws {
        id = try item.requireID()
        text = item.text
        checked = item.checkedAt != nil
        checkedBy = item.checkedBy
        waivedReason = item.waivedReason
        waiverRequest = item.waiverRequestReason.map {
            WaiverRequestDTO(reason: $0, requestedBy: item.waiverRequestedBy, requestedAt: item.waiverRequestedAt)
        }
    }
}

struct CheckpointDTO: Content {
    let id: UUID
    let title: String
    let dueAt: Date
    let status: CheckpointStatus?
    let note: String
    let reviewedAt: Date?
    let reviewedBy: UUID?
    /// The assignee's own view, beside the delegator's review.
    let selfStatus: CheckpointStatus?
    let selfNote: String?
    let selfAssessedAt: Date?

    init(_ checkpoint: Checkpoint) throws {
        id = try checkpoint.requireID()
        title = checkpoint.title
        dueAt = checkpoint.dueAt
        status = checkpoint.status
        note = checkpoint.note
        reviewedAt = checkpoint.reviewedAt
        reviewedBy = checkpoint.reviewedBy
        selfStatus = checkpoint.selfStatus
        selfNote = checkpoint.selfNote
        selfAssessedAt = checkpoint.selfAssessedAt
    }
}

struct BriefProposalDTO: Content {
    let id: UUID
    let field: String
    let text: String
    let reason: String
    let proposedBy: UUID
    let createdAt: Date
    let decidedAt: Date?
    let accepted: Bool?

    init(_ proposal: BriefProposal) throws {
        id = try proposal.requireID()
        field = proposal.field
        text = proposal.text
        reason = proposal.reason
        proposedBy = proposal.proposedBy
        createdAt = proposal.createdAt
        decidedAt = proposal.decidedAt
        accepted = proposal.accepted
    }
}

struct BriefDTO: Content {
    let outcome: String
    let constraints: String
    let successCriteria: String
    let riskTolerance: RiskTolerance?
    let decisionRights: [String: [String]]
    let delegationLevel: Int?
    let delegationLevelName: String?
    let stretch: Bool
    let skills: [String]
    let handoffAcceptedAt: Date?
    let clarificationRequestedAt: Date?
    let clarificationQuestion: String?
    /// What the assignee may do, in plain words; nil when the task is not delegated.
    let rightsSummary: String?
    let awaitingAcceptanceSince: Date?
    let returnedAt: Date?
    let returnFeedback: String?
    let checklist: [ChecklistItemDTO]
    let checkpoints: [CheckpointDTO]
    /// Open proposals only.
    let proposals: [BriefProposalDTO]
}

struct TaskDetailDTO: Content {
    let task: TaskDTO
    let brief: BriefDTO
    let watcherIds: [UUID]
    let subtaskIds: [UUID]
}

struct CommentDTO: Content {
    let id: UUID
    let authorId: UUID
    let body: String
    let mentionIds: [UUID]
    let createdAt: Date

    init(_ comment: TaskComment) throws {
        id = try comment.requireID()
        authorId = comment.authorID
        body = comment.body
        mentionIds = comment.mentions.split(separator: ";").compactMap { UUID(uuidString: String($0)) }
        createdAt = comment.createdAt
    }
}

struct HistoryEntryDTO: Content {
    let id: Int
    let kind: String
    let actorId: UUID?
    let sentence: String
    let data: [String: String]
    let createdAt: Date
}
