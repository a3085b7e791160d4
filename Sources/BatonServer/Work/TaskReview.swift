import Fluent
import Foundation
import BatonCore

/// Done, as the delegation level allows it: at levels 1–5 an assignee's "done" is a submission
/// that waits in review until the delegator accepts it or returns it with feedback.
enum TaskReview {
    /// A stage change made by someone (never a stage's own recategorising): completes, submits
    /// for acceptance, or refuses, and takes a waiting submission out of review when it moves on.
    static func move(_ task: WorkTask, from current: Stage, to target: Stage, stages: [Stage], standing: DelegationStanding,
                     actor: UUID, ctx: WriteContext) async throws {
        let completing = target.category == .done && task.stageCategory != .done
        guard completing else {
            // out of review, or reopened: the two sides' call, not a bystander's
            let reopening = task.stageCategory == .done && target.category != .done
            if standing.party == .other, task.acceptanceRequestedAt != nil || reopening {
                try await standing.require(.reviewCompletion, on: ctx.db)
            }
            if task.acceptanceRequestedAt != nil { withdraw(task, actor: actor, ctx: ctx) }
            try await WorkService.moveStage(task, from: current, to: target, actor: actor, ctx: ctx)
            return
        }
        switch try await standing.require(.complete, on: ctx.db) {
        case .submitsForAcceptance:
            try await submit(task, from: current, toward: target, stages: stages, actor: actor, ctx: ctx)
        case .allowed, .refused:
            let accepting = task.acceptanceRequestedAt != nil && standing.party == .delegator
            try await WorkService.moveStage(task, from: current, to: target, actor: actor, ctx: ctx)
            if accepting { accepted(task, actor: actor, ctx: ctx) }
        }
    }

    /// A stage's own change (made done, or removed into a done stage) may not finish delegated work
    /// whose delegator has not accepted it: those tasks are named and nothing changes.
    static func requireStageChangeMayComplete(_ tasks: [WorkTask], scope: WorkScope.ProjectAccess) throws {
        let held = tasks.filter { task in
            task.stageCategory != .done
                && (task.acceptanceRequestedAt != nil || DelegationStanding(task, scope).decide(.complete) != .allowed)
        }
        guard !held.isEmpty else { return }
        let names = FirstFew.text(held.map { "“\($0.title)”" }, separator: ", ")
        throw BatonError.validation("stage_id", "\(names) \(held.count == 1 ? "waits" : "wait") for the delegator’s acceptance: "
            + "accept \(held.count == 1 ? "it" : "them") from the task or move \(held.count == 1 ? "it" : "them") out first.")
    }

    /// A stage's own change moving a waiting task anywhere but done takes it out of review.
    static func settleStageMove(_ task: WorkTask, to target: Stage, actor: UUID, ctx: WriteContext) {
        if task.acceptanceRequestedAt != nil, target.category != .done { withdraw(task, actor: actor, ctx: ctx) }
    }

    /// The stage a submission waits in: the last in-progress stage before the done stage asked
    /// for ("In review" in the default stages), unless the task is already at or past it.
    static func reviewStage(toward target: Stage, current: Stage, in stages: [Stage]) -> Stage {
        let before = stages.filter { $0.position < target.position && $0.category == .inProgress }
        guard let review = before.max(by: { $0.position < $1.position }), review.position > current.position,
              current.category != .done else { return current }
        return review
    }

    private static func submit(_ task: WorkTask, from current: Stage, toward target: Stage, stages: [Stage], actor: UUID,
                               ctx: WriteContext) async throws {
        if task.acceptanceRequestedAt != nil {
            throw BatonError.conflict("stage_id", "This task is already waiting for acceptance.")
        }
        let open = try await WorkService.openAcceptanceItems(of: try task.requireID(), ctx: ctx)
        if !open.isEmpty { throw BatonError.validation("stage_id", CompletionRule.message(for: open)) }
        let review = reviewStage(toward: target, current: current, in: stages)
        if review.id != current.id {
            try await WorkService.moveStage(task, from: current, to: review, actor: actor, ctx: ctx)
        }
        task.acceptanceRequestedAt = ctx.now
        task.acceptanceTargetStageID = target.id
        task.acceptanceFromStageID = current.id
        task.progressAt = ctx.now
        ctx.record(WorkEvent.taskSubmittedForAcceptance, workspace: task.workspaceID, actor: actor, subject: .task(task), data: [
            "title": task.title, "delegator": task.delegatorID?.uuidString ?? "", "stage": target.name,
        ])
    }

    private static func clear(_ task: WorkTask) {
        task.acceptanceRequestedAt = nil
        task.acceptanceTargetStageID = nil
        task.acceptanceFromStageID = nil
    }

    private static func withdraw(_ task: WorkTask, actor: UUID, ctx: WriteContext) {
        clear(task)
        ctx.record(WorkEvent.taskSubmissionWithdrawn, workspace: task.workspaceID, actor: actor, subject: .task(task),
                   data: ["title": task.title])
    }

    private static func accepted(_ task: WorkTask, actor: UUID, ctx: WriteContext) {
        clear(task)
        task.returnedAt = nil
        task.returnFeedback = nil
        ctx.record(WorkEvent.taskCompletionAccepted, workspace: task.workspaceID, actor: actor, subject: .task(task),
                   data: ["title": task.title, "assignee": task.assigneeID?.uuidString ?? ""])
    }

    enum Verdict: Sendable {
        case accept
        /// What is missing, and the acceptance items to untick because they are not done after all.
        case `return`(feedback: String, untick: [UUID])
    }

    /// The delegator's answer to a submission.
    static func decide(_ task: WorkTask, _ verdict: Verdict, standing: DelegationStanding, stages: [Stage], actor: UUID,
                       ctx: WriteContext) async throws {
        try await standing.require(.reviewCompletion, on: ctx.db)
        guard task.acceptanceRequestedAt != nil else {
            throw BatonError.conflict(nil, "This task is not waiting for acceptance.")
        }
        guard let current = stages.first(where: { $0.id == task.stageID }) else { throw BatonError.notFound("Stage") }
        switch verdict {
        case .accept:
            let target = stages.first { $0.id == task.acceptanceTargetStageID && $0.category == .done }
                ?? stages.first { $0.category == .done }
            guard let target else { throw BatonError.validation("stage_id", "This project has no done stage.") }
            try await WorkService.moveStage(task, from: current, to: target, actor: actor, ctx: ctx)
            accepted(task, actor: actor, ctx: ctx)
        case .return(let raw, let untick):
            let feedback = try DisplayText.validate(raw, label: "Feedback", max: 2000, lines: true).orFail(field: "feedback")
            let taskID = try task.requireID()
            var unticked: [String] = []
            if !untick.isEmpty {
                let items = try await ChecklistItem.query(on: ctx.db).filter(\.$taskID == taskID).filter(\.$id ~~ untick).all()
                guard items.count == Set(untick).count else { throw BatonError.validation("untick_item_ids", "Name acceptance items of this task.") }
                for item in items where item.checkedAt != nil || item.waivedReason != nil {
                    item.checkedAt = nil
                    item.checkedBy = nil
                    item.waivedReason = nil
                    try await item.save(on: ctx.db)
                    unticked.append(item.text)
                    ctx.record(WorkEvent.taskChecklistUnchecked, workspace: task.workspaceID, actor: actor, subject: .task(task),
                               data: ["title": task.title, "item": item.text])
                }
            }
            let back = stages.first { $0.id == task.acceptanceFromStageID && $0.category != .done }
                ?? stages.first { $0.category == .inProgress } ?? current
            try await WorkService.moveStage(task, from: current, to: back, actor: actor, ctx: ctx)
            clear(task)
            task.returnedAt = ctx.now
            task.returnFeedback = feedback
            ctx.record(WorkEvent.taskCompletionReturned, workspace: task.workspaceID, actor: actor, subject: .task(task), data: [
                "title": task.title, "feedback": feedback, "assignee": task.assigneeID?.uuidString ?? "",
                "unticked": unticked.joined(separator: "; "),
            ])
        }
        task.progressAt = ctx.now
    }
}
