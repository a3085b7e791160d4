import Fluent
import Vapor
import BatonCore

/// Read-side queries for Work, shared by the API and the pages.
enum WorkQueries {
    /// Everyone in the workspace (deactivated people too: their names stay on old work), with names by id.
    static func members(_ access: WorkspaceAccess, on db: any Database) async throws -> (names: [UUID: String], memberships: [Membership]) {
        let members = try await Tenancy.query(access, Membership.self, on: db).with(\.$user).all()
        return (Dictionary(members.map { ($0.$user.id, $0.user.name) }, uniquingKeysWith: { first, _ in first }), members)
    }

    static func project(_ scope: WorkScope.ProjectAccess, on db: any Database) async throws -> ProjectDTO {
        let stages = try await Stage.query(on: db).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let fields = try await CustomField.query(on: db).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let members = try await ProjectMember.query(on: db).filter(\.$projectID == scope.projectID).all()
        return ProjectDTO(id: scope.projectID, workspaceId: scope.project.workspaceID, name: scope.project.name,
                          description: scope.project.description, leadId: scope.project.leadID,
                          memberIds: members.map(\.userID), stages: try stages.map(StageDTO.init),
                          fields: try fields.map(FieldDTO.init), createdAt: scope.project.createdAt,
                          archivedAt: scope.project.archivedAt)
    }

    /// Projects the caller may see (guests: only those they were added to); `archived` lists those instead.
    static func projects(_ access: WorkspaceAccess, archived: Bool = false, on db: any Database) async throws -> [Project] {
        var query = Tenancy.query(access, Project.self, on: db)
        query = archived ? query.filter(\.$archivedAt != nil) : query.filter(\.$archivedAt == nil)
        if access.role == .guest {
            let mine = try await ProjectMember.query(on: db).filter(\.$userID == access.userID).all().map(\.projectID)
            query = query.filter(\.$id ~~ mine)
        }
        return try await query.sort(\.$name).all()
    }

    /// Custom field values of many tasks at once, by field name.
    static func customValues(of taskIDs: [UUID], on db: any Database) async throws -> [UUID: [String: String]] {
        guard !taskIDs.isEmpty else { return [:] }
        let rows = try await PlainSQL.rows(on: db, """
            SELECT task_field_values.task_id, task_field_values.value, custom_fields.name
            FROM task_field_values JOIN custom_fields ON custom_fields.id = task_field_values.field_id
            WHERE task_field_values.task_id IN (\(binds: taskIDs))
            """)
        var result: [UUID: [String: String]] = [:]
        for row in rows {
            result[try row.decode(column: "task_id", as: UUID.self), default: [:]][try row.decode(column: "name", as: String.self)] =
                try row.decode(column: "value", as: String.self)
        }
        return result
    }

    static func dtos(_ tasks: [WorkTask], on db: any Database) async throws -> [TaskDTO] {
        let values = try await customValues(of: tasks.compactMap(\.id), on: db)
        return try tasks.map { try TaskDTO($0, customFields: values[$0.id!] ?? [:]) }
    }

    static func detail(_ task: WorkTask, on db: any Database) async throws -> TaskDetailDTO {
        let parts = try await TaskParts.read(of: try task.requireID(), on: db)
        let brief = BriefDTO(
            outcome: task.outcome, constraints: task.constraints, successCriteria: task.successCriteria,
            riskTolerance: task.riskTolerance, decisionRights: DecisionRightsText.decode(task.decisionRights),
            delegationLevel: task.delegationLevel, delegationLevelName: task.delegationLevel.flatMap { DelegationLevel(rawValue: $0)?.name },
            stretch: task.stretch, skills: task.skillList, handoffAcceptedAt: task.handoffAcceptedAt,
            clarificationRequestedAt: task.clarificationRequestedAt, clarificationQuestion: task.clarificationQuestion,
            rightsSummary: task.isDelegated
                ? DelegationRights.summary(level: task.delegationLevel.flatMap(DelegationLevel.init(rawValue:)),
                                           delegator: try await DelegationStanding.delegatorName(task, on: db))
                : nil,
            awaitingAcceptanceSince: task.acceptanceRequestedAt, returnedAt: task.returnedAt, returnFeedback: task.returnFeedback,
            checklist: try parts.checklist.map(ChecklistItemDTO.init), checkpoints: try parts.checkpoints.map(CheckpointDTO.init),
            proposals: try parts.proposals.map(BriefProposalDTO.init))
        return TaskDetailDTO(task: try TaskDTO(task, customFields: parts.fields), brief: brief,
                             watcherIds: parts.watchers, subtaskIds: parts.subtasks)
    }

    static func history(_ task: WorkTask, in catalog: EventCatalog, timeZone: String?, on db: any Database) async throws -> [HistoryEntryDTO] {
        let taskID = try task.requireID()
        let events = try await EventRecord.query(on: db)
            .filter(\.$subjectType == "task").filter(\.$subjectID == taskID).sort(\.$id).all().map(\.logged)
        let sentences = try await EventSentences.describe(events, in: catalog, timeZone: timeZone, on: db)
        return zip(events, sentences).map { event, sentence in
            HistoryEntryDTO(id: event.id, kind: event.kind, actorId: event.actorId, sentence: sentence,
                            data: event.data, createdAt: event.createdAt)
        }
    }
}
