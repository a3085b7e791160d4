import Foundation

/// Where a request stands and what each person may do next: approve, reject (with a comment),
/// request changes, withdraw, resubmit, transfer, add an approver before or after oneself, return
/// to an earlier step. Acting twice is a conflict; acting when it is not your turn is refused.
public struct ApprovalProgress: Sendable, Equatable {
    public enum Status: String, Sendable, Equatable { case pending, approved, rejected, changesRequested = "changes_requested", withdrawn }

    public struct Step: Sendable, Equatable {
        public var name: String
        public var quorum: ApprovalQuorum
        public var approvers: [UUID]
        public var approvals: Set<UUID>
        public var rejections: Set<UUID>

        public init(name: String, quorum: ApprovalQuorum, approvers: [UUID], preApproved: Set<UUID> = []) {
            self.name = name
            self.quorum = quorum
            self.approvers = approvers
            self.approvals = preApproved
            self.rejections = []
        }

        public var outcome: StepOutcome {
            quorum.outcome(approvals: approvals.count, rejections: rejections.count, eligible: approvers.count)
        }
    }

    public enum Action: Sendable, Equatable {
        case approve(comment: String?)
        case reject(comment: String)
        case requestChanges(comment: String)
        case withdraw
        case resubmit
        case transfer(to: UUID, reason: String)
        case addApprover(UUID, before: Bool)
        case returnTo(step: Int, comment: String)
    }

    public enum Refusal: Error, Sendable, Equatable {
        /// 403: the person is not an approver of the current step (or not the requester).
        case notYourTurn
        /// 409: they already acted on this step, or the request is no longer open to it.
        case alreadyActed, closed
        /// 422: a reject, change request, transfer or return needs words; a step that is not earlier.
        case needsComment, badTarget
    }

    public let requester: UUID
    public private(set) var steps: [Step]
    public private(set) var current: Int
    public private(set) var status: Status

    public init(requester: UUID, steps: [Step]) {
        self.requester = requester
        self.steps = steps
        self.current = 0
        self.status = .pending
        settle()
    }

    /// The people whose turn it is.
    public var waitingOn: [UUID] {
        guard status == .pending, steps.indices.contains(current) else { return [] }
        let step = steps[current]
        return step.approvers.filter { !step.approvals.contains($0) && !step.rejections.contains($0) }
    }

    public mutating func apply(_ action: Action, by person: UUID) throws(Refusal) {
        switch action {
        case .withdraw:
            guard person == requester else { throw .notYourTurn }
            guard status == .pending || status == .changesRequested else { throw .closed }
            status = .withdrawn
        case .resubmit:
            guard person == requester else { throw .notYourTurn }
            guard status == .changesRequested else { throw .closed }
            for index in steps.indices { steps[index].approvals = []; steps[index].rejections = [] }
            current = 0
            status = .pending
        case .approve:
            try requireTurn(person)
            steps[current].approvals.insert(person)
            settle()
        case .reject(let comment):
            guard !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .needsComment }
            try requireTurn(person)
            steps[current].rejections.insert(person)
            settle()
        case .requestChanges(let comment):
            guard !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .needsComment }
            try requireTurn(person)
            status = .changesRequested
        case .transfer(let to, let reason):
            guard !reason.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .needsComment }
            try requireTurn(person)
            guard to != person, to != requester, !steps[current].approvers.contains(to) else { throw .badTarget }
            steps[current].approvers = steps[current].approvers.map { $0 == person ? to : $0 }
        case .addApprover(let added, let before):
            try requireTurn(person)
            guard added != person, added != requester else { throw .badTarget }
            let step = Step(name: "Added by an approver", quorum: .anyOne, approvers: [added])
            if before {
                steps.insert(step, at: current)
            } else {
                steps.insert(step, at: current + 1)
            }
        case .returnTo(let target, let comment):
            guard !comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .needsComment }
            try requireTurn(person)
            guard target >= 0 && target < current else { throw .badTarget }
            for index in target...current { steps[index].approvals = []; steps[index].rejections = [] }
            current = target
        }
    }

    private func requireTurn(_ person: UUID) throws(Refusal) {
        guard status == .pending, steps.indices.contains(current) else { throw .closed }
        let step = steps[current]
        guard step.approvers.contains(person) else { throw .notYourTurn }
        if step.approvals.contains(person) || step.rejections.contains(person) { throw .alreadyActed }
    }

    /// Moves past approved steps (pre-approved people may settle a step at once); a rejected step
    /// rejects the request.
    private mutating func settle() {
        while status == .pending && steps.indices.contains(current) {
            switch steps[current].outcome {
            case .approved: current += 1
            case .rejected: status = .rejected; return
            case .open: return
            }
        }
        if status == .pending && current >= steps.count { status = .approved }
    }
}
