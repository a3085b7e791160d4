import Foundation

/// Where a request stands and what each person may do next: approve, reject (with a comment),
/// request changes, withdraw, resubmit, transfer, add an approver before or after oneself, return
/// to an earlier step. Acting twice is a conflict; acting when it is not your turn is refused.
/// Steps next to each other in one parallel group are open together and merge on all or any.
public struct ApprovalProgress: Codable, Sendable, Equatable {
    public enum Status: String, Codable, Sendable, Equatable, CaseIterable {
        case pending, approved, rejected, changesRequested = "changes_requested", withdrawn
    }

    public struct Step: Codable, Sendable, Equatable {
        public var name: String
        public var quorum: ApprovalQuorum
        public var approvers: [UUID]
        public var approvals: Set<UUID>
        public var rejections: Set<UUID>
        /// Counted from the start: the requester under auto-approve.
        public var preApproved: Set<UUID>
        /// Counted because the person approved an earlier step.
        public var carried: Set<UUID>
        public var parallelGroup: Int?
        public var merge: ApprovalMatch

        public init(name: String, quorum: ApprovalQuorum, approvers: [UUID], preApproved: Set<UUID> = [],
                    parallelGroup: Int? = nil, merge: ApprovalMatch = .all) {
            self.name = name
            self.quorum = quorum
            self.approvers = approvers
            self.approvals = preApproved
            self.rejections = []
            self.preApproved = preApproved
            self.carried = []
            self.parallelGroup = parallelGroup
            self.merge = merge
        }

        public var outcome: StepOutcome {
            quorum.outcome(approvals: approvals.count, rejections: rejections.count, eligible: approvers.count)
        }

        func hasActed(_ person: UUID) -> Bool { approvals.contains(person) || rejections.contains(person) }

        mutating func reset() {
            approvals = preApproved.intersection(approvers)
            rejections = []
            carried = []
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

    /// Added approvers stop here: a request never grows without bound.
    public static let maxSteps = 40

    public let requester: UUID
    public private(set) var steps: [Step]
    /// The first step of the open group.
    public private(set) var current: Int
    public private(set) var status: Status
    /// The template's "a repeat approver counts again".
    public let repeatApproverAutoApproves: Bool

    public init(requester: UUID, steps: [Step], repeatApproverAutoApproves: Bool = false) {
        self.requester = requester
        self.steps = steps
        self.current = 0
        self.status = .pending
        self.repeatApproverAutoApproves = repeatApproverAutoApproves
        settle()
    }

    /// The steps open now: one, or a whole parallel group.
    public var openSteps: Range<Int> {
        guard steps.indices.contains(current) else { return current..<current }
        guard let group = steps[current].parallelGroup else { return current..<(current + 1) }
        var end = current + 1
        while end < steps.count && steps[end].parallelGroup == group { end += 1 }
        return current..<end
    }

    /// The people whose turn it is.
    public var waitingOn: [UUID] {
        guard status == .pending else { return [] }
        var people: [UUID] = []
        for index in openSteps where steps[index].outcome == .open {
            for person in steps[index].approvers where !steps[index].hasActed(person) && !people.contains(person) { people.append(person) }
        }
        return people
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
            for index in steps.indices { steps[index].reset() }
            current = 0
            status = .pending
            settle()
        case .approve:
            for index in try turn(of: person) { steps[index].approvals.insert(person) }
            settle()
        case .reject(let comment):
            try requireWords(comment)
            for index in try turn(of: person) { steps[index].rejections.insert(person) }
            settle()
        case .requestChanges(let comment):
            try requireWords(comment)
            _ = try turn(of: person)
            status = .changesRequested
        case .transfer(let to, let reason):
            try requireWords(reason)
            let mine = try turn(of: person)
            guard to != person, to != requester, mine.allSatisfy({ !steps[$0].approvers.contains(to) }) else { throw .badTarget }
            for index in mine { steps[index].approvers = steps[index].approvers.map { $0 == person ? to : $0 } }
        case .addApprover(let added, let before):
            _ = try turn(of: person)
            guard added != person, added != requester, steps.count < Self.maxSteps else { throw .badTarget }
            let step = Step(name: "Added by an approver", quorum: .anyOne, approvers: [added])
            if before {
                steps.insert(step, at: current)
            } else {
                steps.insert(step, at: openSteps.upperBound)
            }
        case .returnTo(let target, let comment):
            try requireWords(comment)
            let open = openSteps
            _ = try turn(of: person)
            guard target >= 0 && target < current else { throw .badTarget }
            let start = groupStart(of: target)
            for index in start..<open.upperBound { steps[index].reset() }
            current = start
            settle()
        }
    }

    /// The open steps where `person` may act now.
    private func turn(of person: UUID) throws(Refusal) -> [Int] {
        guard status == .pending, steps.indices.contains(current) else { throw .closed }
        let theirs = openSteps.filter { steps[$0].approvers.contains(person) && steps[$0].outcome == .open }
        guard !theirs.isEmpty else { throw .notYourTurn }
        let waiting = theirs.filter { !steps[$0].hasActed(person) }
        guard !waiting.isEmpty else { throw .alreadyActed }
        return waiting
    }

    private func requireWords(_ text: String) throws(Refusal) {
        guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { throw .needsComment }
    }

    private func groupStart(of index: Int) -> Int {
        guard let group = steps[index].parallelGroup else { return index }
        var start = index
        while start > 0 && steps[start - 1].parallelGroup == group { start -= 1 }
        return start
    }

    /// Moves past approved groups (pre-approved people may settle a step at once); a rejected
    /// group rejects the request.
    private mutating func settle() {
        while status == .pending && steps.indices.contains(current) {
            let open = openSteps
            countEarlierApprovals(in: open)
            let outcomes = open.map { steps[$0].outcome }
            let merge = steps[current].merge
            let passed = merge == .all ? outcomes.allSatisfy { $0 == .approved } : outcomes.contains(.approved)
            let failed = merge == .all ? outcomes.contains(.rejected) : outcomes.allSatisfy { $0 == .rejected }
            if passed {
                current = open.upperBound
            } else if failed {
                status = .rejected
                return
            } else {
                return
            }
        }
        if status == .pending && current >= steps.count { status = .approved }
    }

    /// Someone who approved an earlier step and is an approver of an open one counts as approved there.
    private mutating func countEarlierApprovals(in open: Range<Int>) {
        guard repeatApproverAutoApproves else { return }
        let earlier = steps[..<open.lowerBound].reduce(into: Set<UUID>()) { $0.formUnion($1.approvals) }
        for index in open {
            for person in steps[index].approvers where earlier.contains(person) && !steps[index].hasActed(person) {
                steps[index].approvals.insert(person)
                steps[index].carried.insert(person)
            }
        }
    }
}
