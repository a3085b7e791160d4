import Fluent
import Vapor
import BatonCore

/// JSON routes for the two sides of a delegated task: submissions, questions, proposed brief
/// changes, waiver requests and checkpoint self-assessments.
struct DelegationAPI {
    func register(_ api: APIRoutes) {
        let task = api.signedIn.grouped("tasks", ":taskID")
        task.post("completion", use: reviewCompletion)
        task.post("archive", use: archive)
        task.post("restore", use: restore)
        task.post("clarification", "answer", use: answerClarification)
        task.post("brief-proposals", use: proposeBriefChange)
        task.post("brief-proposals", ":proposalID", "decision", use: decideBriefProposal)
        task.post("checklist", ":itemID", "waiver-request", use: requestWaiver)
        task.post("checklist", ":itemID", "waiver-decision", use: decideWaiver)
        task.post("checkpoints", ":checkpointID", "self-assessment", use: selfAssess)
    }

    private func taskID(_ req: Request) throws -> UUID { try req.uuidParameter("taskID", label: "Task") }
    private func itemID(_ req: Request) throws -> UUID { try req.uuidParameter("itemID", label: "Acceptance item") }

    private func detail(_ req: Request, _ task: WorkTask) async throws -> Response {
        JSONText.response(try await WorkQueries.detail(task, on: req.pointReader))
    }

    func archive(req: Request) async throws -> Response {
        try await detail(req, try await req.work.setTaskArchived(try taskID(req), by: try req.principal().userID, true))
    }

    func restore(req: Request) async throws -> Response {
        try await detail(req, try await req.work.setTaskArchived(try taskID(req), by: try req.principal().userID, false))
    }

    func reviewCompletion(req: Request) async throws -> Response {
        let body = try PatchReader.body(req)
        guard let decision = try body.string("decision"), ["accept", "return"].contains(decision) else {
            throw BatonError.validation("decision", "decision is accept or return.")
        }
        let feedback = try body.string("feedback") ?? ""
        let untick = try body.uuids("untick_item_ids") ?? []
        let verdict: TaskReview.Verdict = decision == "accept" ? .accept : .return(feedback: feedback, untick: untick)
        return try await detail(req, try await req.work.reviewCompletion(try taskID(req), by: try req.principal().userID, verdict))
    }

    func answerClarification(req: Request) async throws -> Response {
        let answer = try PatchReader.body(req).string("answer") ?? ""
        return try await detail(req, try await req.work.answerClarification(try taskID(req), by: try req.principal().userID, answer: answer))
    }

    func proposeBriefChange(req: Request) async throws -> Response {
        let body = try PatchReader.body(req)
        guard let field = try body.enumValue("field", BriefField.self, allowed: "outcome, constraints, success_criteria") else {
            throw BatonError.validation("field", "field is required: outcome, constraints or success_criteria.")
        }
        guard let text = try body.string("text") else { throw BatonError.validation("text", "text is required: the wording you propose.") }
        let proposal = try await req.work.proposeBriefChange(try taskID(req), by: try req.principal().userID, field: field, text: text,
                                                             reason: try body.string("reason") ?? "")
        return try await BriefProposalDTO(proposal).encodeResponse(status: .created, for: req)
    }

    func decideBriefProposal(req: Request) async throws -> Response {
        let accept = try Self.decision(PatchReader.body(req), yes: "accept", no: "decline")
        let task = try await req.work.decideBriefProposal(try taskID(req), proposalID: try req.uuidParameter("proposalID", label: "Proposal"),
                                                          by: try req.principal().userID, accept: accept)
        return try await detail(req, task)
    }

    func requestWaiver(req: Request) async throws -> ChecklistItemDTO {
        let reason = try PatchReader.body(req).string("reason") ?? ""
        return try ChecklistItemDTO(try await req.work.requestWaiver(try taskID(req), itemID: try itemID(req), by: try req.principal().userID,
                                                                     reason: reason))
    }

    func decideWaiver(req: Request) async throws -> ChecklistItemDTO {
        let grant = try Self.decision(PatchReader.body(req), yes: "grant", no: "refuse")
        return try ChecklistItemDTO(try await req.work.decideWaiver(try taskID(req), itemID: try itemID(req), by: try req.principal().userID,
                                                                    grant: grant))
    }

    func selfAssess(req: Request) async throws -> CheckpointDTO {
        let body = try PatchReader.body(req)
        guard let status = try body.enumValue("status", CheckpointStatus.self, allowed: "on_track, at_risk, off_track") else {
            throw BatonError.validation("status", "status is required.")
        }
        return try CheckpointDTO(try await req.work.selfAssessCheckpoint(
            try taskID(req), checkpointID: try req.uuidParameter("checkpointID", label: "Checkpoint"), by: try req.principal().userID,
            status: status, note: try body.string("note") ?? ""))
    }

    /// `{"decision": yes|no}` as a Bool.
    private static func decision(_ body: PatchReader, yes: String, no: String) throws -> Bool {
        switch try body.string("decision") {
        case yes: return true
        case no: return false
        default: throw BatonError.validation("decision", "decision is \(yes) or \(no).")
        }
    }
}
