import Fluent
import Vapor
import BatonCore

/// The two sides of a delegated task talking through the brief: the assignee proposes, requests
/// and self-assesses; the delegator answers, decides and accepts (DelegationRights says who).
extension WorkService {
    // MARK: submissions

    func reviewCompletion(_ taskID: UUID, by userID: UUID, _ verdict: TaskReview.Verdict) async throws -> WorkTask {
        try await store.write { ctx in
            let (task, scope, standing) = try await Self.editable(taskID, userID, .editDetails, ctx: ctx)
            let readAtVersion = task.version
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            try await TaskReview.decide(task, verdict, standing: standing, stages: stages, actor: userID, ctx: ctx)
            try await GuardedTaskSave.saveNextVersion(task, readAtVersion: readAtVersion, ctx: ctx)
            return task
        }
    }

    // MARK: archive

    /// Off every list (board, table, My work, calendar, dashboards), or back; the delegator's call.
    func setTaskArchived(_ taskID: UUID, by userID: UUID, _ archived: Bool) async throws -> WorkTask {
        try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editDetails, ctx: ctx)
            try await standing.require(.archive, on: ctx.db)
            guard (task.archivedAt != nil) != archived else {
                throw BatonError.conflict(nil, archived ? "This task is archived already." : "This task is not archived.")
            }
            task.archivedAt = archived ? ctx.now : nil
            ctx.record(archived ? WorkEvent.taskArchived : .taskRestored, workspace: task.workspaceID, actor: userID, subject: .task(task),
                       data: ["title": task.title])
            try await Self.touch(task, progress: false, ctx: ctx)
            return task
        }
    }

    // MARK: questions

    /// The delegator's answer goes on the task as a comment and closes the question.
    func answerClarification(_ taskID: UUID, by userID: UUID, answer raw: String) async throws -> WorkTask {
        let answer = try DisplayText.validate(raw, label: "Answer", max: 10_000, lines: true).orFail(field: "answer")
        return try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editDetails, ctx: ctx)
            try await standing.require(.answerQuestion, on: ctx.db)
            guard task.clarificationRequestedAt != nil else { throw BatonError.conflict("answer", "There is no open question on this task.") }
            let comment = TaskComment()
            comment.taskID = taskID
            comment.authorID = userID
            comment.body = answer
            comment.mentions = ""
            comment.createdAt = ctx.now
            try await comment.create(on: ctx.db)
            ctx.record(WorkEvent.taskClarificationAnswered, workspace: task.workspaceID, actor: userID, subject: .task(task), data: [
                "title": task.title, "question": task.clarificationQuestion ?? "", "answer": String(answer.prefix(500)),
                "comment_id": try comment.requireID().uuidString, "assignee": task.assigneeID?.uuidString ?? "",
            ])
            task.clarificationRequestedAt = nil
            task.clarificationQuestion = nil
            try await Self.touch(task, progress: false, ctx: ctx)
            return task
        }
    }

    // MARK: proposed brief changes

    func proposeBriefChange(_ taskID: UUID, by userID: UUID, field: BriefField, text raw: String, reason rawReason: String) async throws -> BriefProposal {
        let text = try DisplayText.validate(raw, label: "Proposed \(field.label)", max: 5000, required: false, lines: true).orFail(field: "text")
        let reason = try DisplayText.validate(rawReason, label: "Reason", max: 1000, required: false, lines: true).orFail(field: "reason")
        return try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .answerHandoff, ctx: ctx)
            try await standing.require(.proposeBriefChange, on: ctx.db)
            if text == Self.briefText(task, field) { throw BatonError.validation("text", "That is what the \(field.label) says already.") }
            let proposal = BriefProposal()
            proposal.taskID = taskID
            proposal.field = field.rawValue
            proposal.text = text
            proposal.reason = reason
            proposal.proposedBy = userID
            proposal.createdAt = ctx.now
            try await proposal.create(on: ctx.db)
            ctx.record(WorkEvent.taskBriefChangeProposed, workspace: task.workspaceID, actor: userID, subject: .task(task), data: [
                "title": task.title, "field": field.rawValue, "proposal_id": try proposal.requireID().uuidString,
                "delegator": task.delegatorID?.uuidString ?? "",
            ])
            try await Self.touch(task, progress: false, ctx: ctx)
            return proposal
        }
    }

    /// Accepting writes the proposed text into the brief (recorded as a brief edit too).
    func decideBriefProposal(_ taskID: UUID, proposalID: UUID, by userID: UUID, accept: Bool) async throws -> WorkTask {
        try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editDetails, ctx: ctx)
            guard let proposal = try await BriefProposal.query(on: ctx.db).filter(\.$id == proposalID).filter(\.$taskID == taskID).first(),
                  let field = BriefField(rawValue: proposal.field) else { throw BatonError.notFound("Proposal") }
            try await standing.require(.editBrief, subject: TaskApplier.briefLabel(field.rawValue), on: ctx.db)
            guard proposal.decidedAt == nil else {
                throw BatonError.conflict(nil, "This proposal was \(proposal.accepted == true ? "accepted" : "declined") already.")
            }
            proposal.decidedAt = ctx.now
            proposal.decidedBy = userID
            proposal.accepted = accept
            try await proposal.save(on: ctx.db)
            let data = ["title": task.title, "field": field.rawValue, "proposal_id": proposalID.uuidString,
                        "proposed_by": proposal.proposedBy.uuidString]
            ctx.record(accept ? WorkEvent.taskBriefChangeAccepted : .taskBriefChangeDeclined, workspace: task.workspaceID,
                       actor: userID, subject: .task(task), data: data)
            if accept, Self.briefText(task, field) != proposal.text {
                switch field {
                case .outcome: task.outcome = proposal.text
                case .constraints: task.constraints = proposal.text
                case .successCriteria: task.successCriteria = proposal.text
                }
                ctx.record(WorkEvent.taskBriefUpdated, workspace: task.workspaceID, actor: userID, subject: .task(task),
                           data: ["title": task.title, "fields": field.rawValue])
            }
            try await Self.touch(task, progress: false, ctx: ctx)
            return task
        }
    }

    static func briefText(_ task: WorkTask, _ field: BriefField) -> String {
        switch field {
        case .outcome: task.outcome
        case .constraints: task.constraints
        case .successCriteria: task.successCriteria
        }
    }

    // MARK: waivers

    func requestWaiver(_ taskID: UUID, itemID: UUID, by userID: UUID, reason raw: String) async throws -> ChecklistItem {
        let reason = try DisplayText.validate(raw, label: "Reason", max: 500, lines: true).orFail(field: "reason")
        return try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .answerHandoff, ctx: ctx)
            let item = try await Self.checklistItem(itemID, of: taskID, ctx: ctx)
            try await standing.require(.requestWaiver, subject: item.text, on: ctx.db)
            guard item.checkedAt == nil, item.waivedReason == nil else {
                throw BatonError.conflict(nil, "“\(item.text)” is \(item.checkedAt != nil ? "checked" : "waived") already.")
            }
            item.waiverRequestReason = reason
            item.waiverRequestedBy = userID
            item.waiverRequestedAt = ctx.now
            try await item.save(on: ctx.db)
            ctx.record(WorkEvent.taskWaiverRequested, workspace: task.workspaceID, actor: userID, subject: .task(task), data: [
                "title": task.title, "item": item.text, "reason": reason, "delegator": task.delegatorID?.uuidString ?? "",
            ])
            try await Self.touch(task, progress: false, ctx: ctx)
            return item
        }
    }

    /// Granting waives the item with the requested reason; refusing keeps it open.
    func decideWaiver(_ taskID: UUID, itemID: UUID, by userID: UUID, grant: Bool) async throws -> ChecklistItem {
        try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .editChecklist, ctx: ctx)
            let item = try await Self.checklistItem(itemID, of: taskID, ctx: ctx)
            try await standing.require(.waiveItem, subject: item.text, on: ctx.db)
            guard let reason = item.waiverRequestReason else {
                throw BatonError.conflict(nil, "No one has asked to waive “\(item.text)”.")
            }
            let requester = item.waiverRequestedBy?.uuidString ?? ""
            item.waiverRequestReason = nil
            item.waiverRequestedBy = nil
            item.waiverRequestedAt = nil
            if grant { item.waivedReason = reason }
            try await item.save(on: ctx.db)
            ctx.record(grant ? WorkEvent.taskWaiverGranted : .taskWaiverRefused, workspace: task.workspaceID, actor: userID,
                       subject: .task(task), data: ["title": task.title, "item": item.text, "reason": reason, "requested_by": requester])
            try await Self.touch(task, progress: grant, ctx: ctx)
            return item
        }
    }

    // MARK: checkpoints

    func selfAssessCheckpoint(_ taskID: UUID, checkpointID: UUID, by userID: UUID, status: CheckpointStatus,
                              note raw: String) async throws -> Checkpoint {
        let note = try DisplayText.validate(raw, label: "Note", max: 2000, required: false, lines: true).orFail(field: "note")
        return try await store.write { ctx in
            let (task, _, standing) = try await Self.editable(taskID, userID, .answerHandoff, ctx: ctx)
            let checkpoint = try await Self.checkpoint(checkpointID, of: taskID, ctx: ctx)
            try await standing.require(.selfAssessCheckpoint, on: ctx.db)
            checkpoint.selfStatus = status
            checkpoint.selfNote = note
            checkpoint.selfAssessedAt = ctx.now
            try await checkpoint.save(on: ctx.db)
            ctx.record(WorkEvent.taskCheckpointSelfAssessed, workspace: task.workspaceID, actor: userID, subject: .task(task),
                       data: ["title": task.title, "checkpoint": checkpoint.title, "status": status.rawValue, "note": note])
            try await Self.touch(task, progress: true, ctx: ctx)
            return checkpoint
        }
    }
}
