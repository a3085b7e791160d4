import Fluent
import Vapor
import BatonCore

/// The task page's forms for the two sides of a delegation: accept or return a submission,
/// answer a question, propose and decide brief changes, request and decide waivers, self-assess.
struct DelegationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.post(WorkPaths.completion.inWorkspace, use: reviewCompletion)
        routes.post(WorkPaths.answer.inWorkspace, use: answer)
        routes.post(WorkPaths.proposals.inWorkspace, use: propose)
        routes.post(WorkPaths.proposal.inWorkspace, use: decideProposal)
        routes.post(WorkPaths.waiverRequest.inWorkspace, use: requestWaiver)
        routes.post(WorkPaths.waiverDecision.inWorkspace, use: decideWaiver)
        routes.post(WorkPaths.selfAssessment.inWorkspace, use: selfAssess)
        routes.post(WorkPaths.archiveTask.inWorkspace) { req in try await setArchived(req, true) }
        routes.post(WorkPaths.restoreTask.inWorkspace) { req in try await setArchived(req, false) }
    }

    private let pages = TaskPages()

    /// From the dashboard's "Needs you now" (`return=dashboard`) the answer goes back there; a
    /// refusal shows on the task page, next to what was refused.
    private func act(_ req: Request, _ form: [String: String], notice: String,
                     _ action: (UUID, UUID) async throws -> Void) async throws -> Response {
        guard form["return"] == "dashboard" else { return try await pages.taskAction(req, notice: notice, action) }
        let access = try await req.workspaceAccess()
        do {
            try await action(try req.uuidParameter("taskID", label: "Task"), try req.principal().userID)
            return PageRenderer.redirect(req, to: WorkPaths.dashboard.url(access.workspaceID), notice: notice)
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            return try await pages.taskPage(req, errors: [error.field ?? "task": error.message], status: error.status)
        }
    }

    func setArchived(_ req: Request, _ archived: Bool) async throws -> Response {
        try await pages.taskAction(req, notice: archived ? "Archived: the task is off every list. Restore it here." : "Restored.") { taskID, userID in
            _ = try await req.work.setTaskArchived(taskID, by: userID, archived)
        }
    }

    func reviewCompletion(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let accepting = form["decision"] == "accept"
        // the items to untick arrive as untick_<id> checkboxes
        let untick = form.keys.filter { $0.hasPrefix("untick_") }.compactMap { UUID(uuidString: String($0.dropFirst("untick_".count))) }
        return try await act(req, form, notice: accepting ? "Accepted: the task is done." : "Returned with your feedback.") { taskID, userID in
            let verdict: TaskReview.Verdict = accepting ? .accept : .return(feedback: form["feedback"] ?? "", untick: untick)
            _ = try await req.work.reviewCompletion(taskID, by: userID, verdict)
        }
    }

    func answer(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, form, notice: "Answered.") { taskID, userID in
            _ = try await req.work.answerClarification(taskID, by: userID, answer: form["answer"] ?? "")
        }
    }

    func propose(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, form, notice: "Your proposal was sent to the delegator.") { taskID, userID in
            guard let field = form["field"].flatMap(BriefField.init(rawValue:)) else {
                throw BatonError.validation("proposal", "Choose which part of the brief to change.")
            }
            do {
                _ = try await req.work.proposeBriefChange(taskID, by: userID, field: field, text: form["text"] ?? "", reason: form["reason"] ?? "")
            } catch let error as BatonError where error.status == .unprocessableEntity {
                throw BatonError.validation("proposal_\(field.rawValue)", error.message)
            }
        }
    }

    func decideProposal(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let proposalID = try req.uuidParameter("proposalID", label: "Proposal")
        let accept = form["decision"] == "accept"
        return try await act(req, form, notice: accept ? "The brief now says what was proposed." : "Proposal declined.") { taskID, userID in
            _ = try await req.work.decideBriefProposal(taskID, proposalID: proposalID, by: userID, accept: accept)
        }
    }

    func requestWaiver(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let itemID = try req.uuidParameter("itemID", label: "Acceptance item")
        return try await act(req, form, notice: "Waiver requested.") { taskID, userID in
            _ = try await req.work.requestWaiver(taskID, itemID: itemID, by: userID, reason: form["reason"] ?? "")
        }
    }

    func decideWaiver(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let itemID = try req.uuidParameter("itemID", label: "Acceptance item")
        let grant = form["decision"] == "grant"
        return try await act(req, form, notice: grant ? "Waived." : "Waiver refused: the item stays.") { taskID, userID in
            _ = try await req.work.decideWaiver(taskID, itemID: itemID, by: userID, grant: grant)
        }
    }

    func selfAssess(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let checkpointID = try req.uuidParameter("checkpointID", label: "Checkpoint")
        return try await act(req, form, notice: "Your assessment was added.") { taskID, userID in
            guard let status = form["status"].flatMap(CheckpointStatus.init(rawValue:)) else {
                throw BatonError.validation("status", "Choose on track, at risk or off track.")
            }
            _ = try await req.work.selfAssessCheckpoint(taskID, checkpointID: checkpointID, by: userID, status: status, note: form["note"] ?? "")
        }
    }
}
