import Fluent
import SQLKit
import Vapor
import BatonCore

/// What waits for the person who delegated: handoffs not yet accepted, open questions, work
/// submitted for acceptance, waiver requests and proposed brief changes.
struct NeedsYouDTO: Content {
    struct Waiting: Content { let task: TaskRefDTO; let since: Date; let ageDays: Int }
    struct Question: Content { let task: TaskRefDTO; let question: String; let askedAt: Date }
    struct WaiverRequest: Content { let task: TaskRefDTO; let itemId: UUID; let item: String; let reason: String; let requestedAt: Date? }
    struct Proposal: Content { let task: TaskRefDTO; let proposalId: UUID; let field: String; let text: String; let proposedAt: Date }

    let unacceptedHandoffs: [Waiting]
    let questions: [Question]
    let awaitingAcceptance: [Waiting]
    let waiverRequests: [WaiverRequest]
    let proposals: [Proposal]

    var total: Int { unacceptedHandoffs.count + questions.count + awaitingAcceptance.count + waiverRequests.count + proposals.count }
}

enum NeedsYouQueries {
    static let limit = 50

    static func load(workspaceID: UUID, delegatorID: UUID, now: Date, on db: any Database) async throws -> NeedsYouDTO {
        let mine: SQLQueryString = """
            tasks.workspace_id = \(bind: workspaceID) AND tasks.delegator_id = \(bind: delegatorID)
            AND tasks.assignee_id IS NOT NULL AND tasks.assignee_id <> \(bind: delegatorID) AND tasks.archived_at IS NULL
            """
        func tasks(_ condition: SQLQueryString, order: String) async throws -> [WorkTask] {
            try await PlainSQL.all(WorkTask.self, on: db, """
                SELECT * FROM tasks WHERE \(mine) AND \(condition) ORDER BY \(unsafeRaw: order) LIMIT \(unsafeRaw: String(limit))
                """)
        }
        func ref(_ task: WorkTask) -> TaskRefDTO {
            TaskRefDTO(id: task.id!, title: task.title, projectId: task.projectID, assigneeId: task.assigneeID, dueAt: task.dueAt)
        }
        func days(since date: Date) -> Int { max(0, Int(now.timeIntervalSince(date) / 86_400)) }

        let unaccepted = try await tasks("tasks.handoff_accepted_at IS NULL AND tasks.stage_category <> 'done'", order: "tasks.created_at")
        // a handoff's age runs from its latest assignment
        var assignedAt: [UUID: Date] = [:]
        if !unaccepted.isEmpty {
            let rows = try await PlainSQL.rows(on: db, """
                SELECT subject_id, MAX(created_at) AS at FROM events
                WHERE kind = 'task.assigned' AND subject_type = 'task' AND subject_id IN (\(binds: unaccepted.compactMap(\.id)))
                GROUP BY subject_id
                """)
            for row in rows { assignedAt[try row.decode(column: "subject_id", as: UUID.self)] = try row.decode(column: "at", as: Date.self) }
        }
        let questions = try await tasks("tasks.clarification_requested_at IS NOT NULL", order: "tasks.clarification_requested_at")
        let awaiting = try await tasks("tasks.acceptance_requested_at IS NOT NULL", order: "tasks.acceptance_requested_at")

        let itemRows = try await PlainSQL.rows(on: db, """
            SELECT tasks.*, checklist_items.id AS item_id, checklist_items.text AS item_text,
                   checklist_items.waiver_request_reason AS item_reason, checklist_items.waiver_requested_at AS item_requested_at
            FROM checklist_items JOIN tasks ON tasks.id = checklist_items.task_id
            WHERE \(mine) AND checklist_items.waiver_request_reason IS NOT NULL
            ORDER BY checklist_items.waiver_requested_at LIMIT \(unsafeRaw: String(limit))
            """)
        let proposalRows = try await PlainSQL.rows(on: db, """
            SELECT tasks.*, brief_proposals.id AS proposal_id, brief_proposals.field AS proposal_field,
                   brief_proposals.text AS proposal_text, brief_proposals.created_at AS proposed_at
            FROM brief_proposals JOIN tasks ON tasks.id = brief_proposals.task_id
            WHERE \(mine) AND brief_proposals.decided_at IS NULL
            ORDER BY brief_proposals.created_at LIMIT \(unsafeRaw: String(limit))
            """)
        return NeedsYouDTO(
            unacceptedHandoffs: unaccepted.map { task in
                let since = assignedAt[task.id!] ?? task.createdAt
                return .init(task: ref(task), since: since, ageDays: days(since: since))
            },
            questions: questions.map { .init(task: ref($0), question: $0.clarificationQuestion ?? "", askedAt: $0.clarificationRequestedAt!) },
            awaitingAcceptance: awaiting.map { .init(task: ref($0), since: $0.acceptanceRequestedAt!, ageDays: days(since: $0.acceptanceRequestedAt!)) },
            waiverRequests: try itemRows.map { row in
                .init(task: ref(try row.decode(fluentModel: WorkTask.self)), itemId: try row.decode(column: "item_id", as: UUID.self),
                      item: try row.decode(column: "item_text", as: String.self), reason: try row.decode(column: "item_reason", as: String.self),
                      requestedAt: try row.decode(column: "item_requested_at", as: Date?.self))
            },
            proposals: try proposalRows.map { row in
                .init(task: ref(try row.decode(fluentModel: WorkTask.self)), proposalId: try row.decode(column: "proposal_id", as: UUID.self),
                      field: try row.decode(column: "proposal_field", as: String.self), text: try row.decode(column: "proposal_text", as: String.self),
                      proposedAt: try row.decode(column: "proposed_at", as: Date.self))
            })
    }
}
