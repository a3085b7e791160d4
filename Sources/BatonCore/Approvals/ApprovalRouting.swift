import Foundation

/// One test on a request's value: =, ≠, <, ≤, >, ≥, in, contains, empty. Client tiers and risk
/// categories compare by their order (standard < key < strategic; low < medium < high).
public struct ApprovalCondition: Codable, Sendable, Equatable {
    public enum Operator: String, Codable, Sendable, CaseIterable {
        case equals = "eq", notEquals = "ne", less = "lt", lessOrEqual = "le", greater = "gt", greaterOrEqual = "ge"
        case isIn = "in", contains, empty

        public var symbol: String {
            switch self {
            case .equals: "="
            case .notEquals: "≠"
            case .less: "<"
            case .lessOrEqual: "≤"
            case .greater: ">"
            case .greaterOrEqual: "≥"
            case .isIn: "in"
            case .contains: "contains"
            case .empty: "is empty"
            }
        }
    }

    public var field: String
    public var op: Operator
    /// A number as text for numbers and money; several values separated by commas for `in`.
    public var value: String?

    public init(_ field: String, _ op: Operator, _ value: String? = nil) {
        self.field = field
        self.op = op
        self.value = value
    }

    public func holds(_ values: [String: ApprovalValue], fields: [ApprovalField]) -> Bool {
        let given = values[field]
        if op == .empty { return given == nil }
        guard let given else { return op == .notEquals }
        let order = fields.first { $0.key == field }?.choices
        switch given {
        case .number(let number):
            guard let limit = value.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) else {
                return op == .isIn && (value ?? "").split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }.contains(number)
            }
            return compare(number, limit)
        case .date(let date):
            guard let limit = value.flatMap({ BatonDate.parseISO($0) ?? BatonDate.parseLocal($0, timeZone: "UTC") }) else { return false }
            return compare(date.timeIntervalSince1970, limit.timeIntervalSince1970)
        case .text(let text), .reference(let text):
            let wanted = (value ?? "").trimmingCharacters(in: .whitespaces)
            switch op {
            case .equals: return text.caseInsensitiveCompare(wanted) == .orderedSame
            case .notEquals: return text.caseInsensitiveCompare(wanted) != .orderedSame
            case .isIn: return Self.items(value).contains { $0.caseInsensitiveCompare(text) == .orderedSame }
            case .contains: return text.range(of: wanted, options: .caseInsensitive) != nil
            default:
                // Ordered choices (tier, risk) compare by position.
                guard let order, let left = order.firstIndex(of: text), let right = order.firstIndex(of: wanted) else { return false }
                return compare(Double(left), Double(right))
            }
        case .list(let list):
            switch op {
            case .contains, .equals: return list.contains { $0.caseInsensitiveCompare(value ?? "") == .orderedSame }
            case .notEquals: return !list.contains { $0.caseInsensitiveCompare(value ?? "") == .orderedSame }
            case .isIn: return list.contains { item in Self.items(value).contains { $0.caseInsensitiveCompare(item) == .orderedSame } }
            default: return false
            }
        }
    }

    private func compare(_ left: Double, _ right: Double) -> Bool {
        switch op {
        case .equals: left == right
        case .notEquals: left != right
        case .less: left < right
        case .lessOrEqual: left <= right
        case .greater: left > right
        case .greaterOrEqual: left >= right
        case .isIn, .contains, .empty: false
        }
    }

    static func items(_ value: String?) -> [String] {
        (value ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}

public enum ApprovalMatch: String, Codable, Sendable { case all, any }

/// Who approves at a step, before it is resolved to people.
public enum ApproverSpec: Sendable, Equatable {
    case requesterManager
    /// The manager `levels` up the reporting line (1 is the manager).
    case managerUp(levels: Int)
    /// Every active member with this workspace role.
    case role(String)
    case teamLead(UUID)
    case people([UUID])
    /// Whoever the decision-rights matrix names as approver for this decision type.
    case matrix(decision: String)
}

/// How many of a step's approvers must approve.
public enum ApprovalQuorum: Sendable, Equatable {
    case anyOne, all
    case atLeast(Int)
    case percent(Int)

    /// Approvals needed out of `eligible` people.
    public func needed(of eligible: Int) -> Int {
        switch self {
        case .anyOne: min(1, eligible)
        case .all: eligible
        case .atLeast(let count): min(max(count, 1), eligible)
        case .percent(let share): min(eligible, max(1, Int((Double(eligible) * Double(share) / 100).rounded(.up))))
        }
    }

    /// Approved, rejected (as soon as approval has become impossible), or still open.
    public func outcome(approvals: Int, rejections: Int, eligible: Int) -> StepOutcome {
        let needed = needed(of: eligible)
        if approvals >= needed && needed > 0 { return .approved }
        if approvals + (eligible - approvals - rejections) < needed || eligible == 0 { return .rejected }
        return .open
    }
}

public enum StepOutcome: String, Sendable, Equatable { case open, approved, rejected }

public struct ApprovalStep: Sendable, Equatable {
    public var name: String
    public var approvers: [ApproverSpec]
    public var quorum: ApprovalQuorum
    /// Steps next to each other with the same group run at once (parallel branches); the group
    /// is passed when all of them (`merge` all) or any one of them (`merge` any) approve.
    public var parallelGroup: Int?
    /// The first step of a group says how it merges; all by default.
    public var merge: ApprovalMatch

    public init(name: String, approvers: [ApproverSpec], quorum: ApprovalQuorum = .anyOne, parallelGroup: Int? = nil,
                merge: ApprovalMatch = .all) {
        self.name = name
        self.approvers = approvers
        self.quorum = quorum
        self.parallelGroup = parallelGroup
        self.merge = merge
    }
}

/// A branch of the flow: when its conditions hold, its steps are the route (`route`) or are added
/// after the route (`add`, e.g. "client tier = strategic → add the account director").
public struct ApprovalBranch: Codable, Sendable, Equatable {
    public enum Effect: String, Codable, Sendable { case route, add }

    public var name: String
    public var match: ApprovalMatch
    public var conditions: [ApprovalCondition]
    public var effect: Effect
    public var steps: [ApprovalStep]

    public init(name: String, match: ApprovalMatch = .all, conditions: [ApprovalCondition], effect: Effect = .route, steps: [ApprovalStep]) {
        self.name = name
        self.match = match
        self.conditions = conditions
        self.effect = effect
        self.steps = steps
    }

    public func holds(_ values: [String: ApprovalValue], fields: [ApprovalField]) -> Bool {
        guard !conditions.isEmpty else { return true }
        switch match {
        case .all: return conditions.allSatisfy { $0.holds(values, fields: fields) }
        case .any: return conditions.contains { $0.holds(values, fields: fields) }
        }
    }
}

public struct ApprovalFlow: Codable, Sendable, Equatable {
    enum CodingKeys: String, CodingKey { case branches, defaultSteps = "default_steps", cc }

    public var branches: [ApprovalBranch]
    /// The route when no `route` branch holds.
    public var defaultSteps: [ApprovalStep]
    public var cc: [ApproverSpec]

    public init(branches: [ApprovalBranch], defaultSteps: [ApprovalStep], cc: [ApproverSpec] = []) {
        self.branches = branches
        self.defaultSteps = defaultSteps
        self.cc = cc
    }

    /// The steps a request with these values goes through: the first `route` branch that holds
    /// (else the default), then every `add` branch that holds, in order. Names the branches taken.
    public func route(_ values: [String: ApprovalValue], fields: [ApprovalField]) -> (steps: [ApprovalStep], branches: [String]) {
        let taken = branches.first { $0.effect == .route && $0.holds(values, fields: fields) }
        let takenIndex = taken.flatMap { branch in branches.firstIndex { $0 == branch } }
        var steps = Self.separateGroups(taken?.steps ?? defaultSteps, branch: takenIndex.map { $0 + 1 } ?? 0)
        var names = [taken?.name ?? "Default"]
        for (index, branch) in branches.enumerated() where branch.effect == .add && branch.holds(values, fields: fields) {
            steps += Self.separateGroups(branch.steps, branch: index + 1)
            names.append(branch.name)
        }
        return (steps, names)
    }

    /// Parallel groups are numbered within a branch: steps of two branches never merge into one group.
    private static func separateGroups(_ steps: [ApprovalStep], branch: Int) -> [ApprovalStep] {
        steps.map { step in
            var step = step
            step.parallelGroup = step.parallelGroup.map { branch * 1_000 + $0 }
            return step
        }
    }
}
