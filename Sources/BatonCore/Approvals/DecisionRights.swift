import Foundation

/// The workspace's decision-rights matrix: for each type of decision, who decides alone (up to
/// an amount, client tier or risk), who must be consulted, and who approves what goes beyond.
/// Templates route by it ("whoever approves budget decisions over 5,000 for this team").
public struct DecisionRights: Codable, Sendable, Equatable {
    public enum Right: String, Codable, Sendable, CaseIterable { case decide, consult, approve }

    /// A role (the workspace role or a job title), a team (its members) or a person.
    public enum Holder: Sendable, Equatable, Hashable {
        case role(String)
        case team(UUID)
        case person(UUID)
    }

    public struct Entry: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey {
            case holder, right, upToAmount = "up_to_amount", upToTier = "up_to_tier", upToRisk = "up_to_risk", forTeam = "for_team"
        }

        public var holder: Holder
        public var right: Right
        /// Limits of a `decide` or `approve` right; nil is no limit.
        public var upToAmount: Double?
        public var upToTier: String?
        public var upToRisk: String?
        /// Applies only to requests from this team's members.
        public var forTeam: UUID?

        public init(holder: Holder, right: Right, upToAmount: Double? = nil, upToTier: String? = nil, upToRisk: String? = nil,
                    forTeam: UUID? = nil) {
            self.holder = holder
            self.right = right
            self.upToAmount = upToAmount
            self.upToTier = upToTier
            self.upToRisk = upToRisk
            self.forTeam = forTeam
        }

        /// Whether the entry's limits cover a decision of this size.
        public func covers(_ size: DecisionSize) -> Bool {
            if let limit = upToAmount, let amount = size.amount, amount > limit { return false }
            if let limit = upToTier, let tier = size.tier, Self.rank(tier, in: ApprovalFieldType.clientTier) > Self.rank(limit, in: .clientTier) { return false }
            if let limit = upToRisk, let risk = size.risk, Self.rank(risk, in: .riskCategory) > Self.rank(limit, in: .riskCategory) { return false }
            return true
        }

        static func rank(_ value: String, in type: ApprovalFieldType) -> Int { type.fixedOptions?.firstIndex(of: value) ?? Int.max }

        func applies(toTeams teams: Set<UUID>) -> Bool { forTeam.map(teams.contains) ?? true }
    }

    public struct Decision: Codable, Sendable, Equatable {
        public var key: String
        public var label: String
        public var entries: [Entry]

        public init(key: String, label: String, entries: [Entry]) {
            self.key = key
            self.label = label
            self.entries = entries
        }
    }

    public var decisions: [Decision]

    public init(decisions: [Decision] = []) { self.decisions = decisions }

    public func decision(_ key: String) -> Decision? { decisions.first { $0.key == key } }

    /// Who approves a decision of this size from a member of `requesterTeams`: of the `approve`
    /// entries that cover it, those with the lowest amount limit (the nearest authority, not the
    /// highest); nobody when no entry covers it.
    public func approvers(of key: String, size: DecisionSize, requesterTeams: Set<UUID>) -> [Holder] {
        let covering = (decision(key)?.entries ?? []).filter { $0.right == .approve && $0.applies(toTeams: requesterTeams) && $0.covers(size) }
        guard let lowest = covering.map({ $0.upToAmount ?? .infinity }).min() else { return [] }
        return covering.filter { ($0.upToAmount ?? .infinity) == lowest }.map(\.holder)
    }

    /// The entries of a decision type that someone with these roles and teams holds. A decide
    /// right holds only where it applies to their own teams; an approve right is for requests
    /// from the team it names, whoever approves.
    public func entries(_ right: Right, of key: String, heldBy person: UUID, roles: Set<String>, teams: Set<UUID>) -> [Entry] {
        (decision(key)?.entries ?? []).filter { entry in
            entry.right == right && (right != .decide || entry.applies(toTeams: teams)) && entry.holder.includes(person, roles: roles, teams: teams)
        }
    }

    /// Whether someone with these roles and teams may take a decision of this size alone.
    public func decidesAlone(_ key: String, person: UUID, roles: Set<String>, teams: Set<UUID>, size: DecisionSize) -> Bool {
        entries(.decide, of: key, heldBy: person, roles: roles, teams: teams).contains { $0.covers(size) }
    }

    /// The first problem, naming the place (`decisions.0.entries.1.up_to_tier`).
    public func problem(teams: Set<UUID>, people: Set<UUID>) -> ApprovalProblem? {
        if decisions.count > 100 { return ApprovalProblem("decisions", "A matrix takes at most 100 decision types.") }
        var keys: Set<String> = []
        for (index, decision) in decisions.enumerated() {
            let path = "decisions.\(index)"
            guard decision.key.range(of: #"^[a-z][a-z0-9_]{0,39}$"#, options: .regularExpression) != nil else {
                return ApprovalProblem("\(path).key", "A key is lowercase letters, digits and _ (up to 40), starting with a letter.")
            }
            guard keys.insert(decision.key).inserted else { return ApprovalProblem("\(path).key", "“\(decision.key)” is listed twice.") }
            let label = decision.label.trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty, label.count <= 120 else { return ApprovalProblem("\(path).label", "Name the decision (up to 120 characters).") }
            if decision.entries.count > 200 { return ApprovalProblem("\(path).entries", "At most 200 entries per decision.") }
            for (number, entry) in decision.entries.enumerated() {
                let place = "\(path).entries.\(number)"
                switch entry.holder {
                case .role(let role) where role.trimmingCharacters(in: .whitespaces).isEmpty || role.count > 80:
                    return ApprovalProblem("\(place).holder", "Name the role (up to 80 characters).")
                case .team(let team) where !teams.contains(team): return ApprovalProblem("\(place).holder", "No such team in this workspace.")
                case .person(let person) where !people.contains(person): return ApprovalProblem("\(place).holder", "No such member of this workspace.")
                default: break
                }
                if let team = entry.forTeam, !teams.contains(team) { return ApprovalProblem("\(place).for_team", "No such team in this workspace.") }
                if let amount = entry.upToAmount, !(amount.isFinite && amount >= 0) {
                    return ApprovalProblem("\(place).up_to_amount", "An amount of 0 or more.")
                }
                if let tier = entry.upToTier, !(ApprovalFieldType.clientTier.fixedOptions ?? []).contains(tier) {
                    return ApprovalProblem("\(place).up_to_tier", "A client tier is standard, key or strategic.")
                }
                if let risk = entry.upToRisk, !(ApprovalFieldType.riskCategory.fixedOptions ?? []).contains(risk) {
                    return ApprovalProblem("\(place).up_to_risk", "A risk is low, medium or high.")
                }
                if entry.right == .consult && (entry.upToAmount != nil || entry.upToTier != nil || entry.upToRisk != nil) {
                    return ApprovalProblem("\(place).right", "Being consulted has no limit: limits belong to decide and approve.")
                }
            }
        }
        return nil
    }
}

extension DecisionRights.Holder: Codable {
    enum CodingKeys: String, CodingKey { case type, role, teamID = "team_id", userID = "user_id" }
    public enum Kind: String, Codable, Sendable, CaseIterable { case role, team, person }

    public var kind: Kind {
        switch self {
        case .role: .role
        case .team: .team
        case .person: .person
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .role: self = .role(try container.decode(String.self, forKey: .role))
        case .team: self = .team(try container.decode(UUID.self, forKey: .teamID))
        case .person: self = .person(try container.decode(UUID.self, forKey: .userID))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        switch self {
        case .role(let role): try container.encode(role, forKey: .role)
        case .team(let team): try container.encode(team, forKey: .teamID)
        case .person(let person): try container.encode(person, forKey: .userID)
        }
    }

    /// Whether a person with these (lowercased) roles and titles, and these teams, holds it.
    public func includes(_ person: UUID, roles: Set<String>, teams: Set<UUID>) -> Bool {
        switch self {
        case .role(let role): roles.contains(role.trimmingCharacters(in: .whitespaces).lowercased())
        case .team(let team): teams.contains(team)
        case .person(let id): id == person
        }
    }
}

/// What the matrix's limits are compared with: a request's first money (or number) field, client
/// tier and risk category.
public struct DecisionSize: Sendable, Equatable {
    public var amount: Double?
    public var tier: String?
    public var risk: String?

    public init(amount: Double? = nil, tier: String? = nil, risk: String? = nil) {
        self.amount = amount
        self.tier = tier
        self.risk = risk
    }

    public init(values: [String: ApprovalValue], fields: [ApprovalField]) {
        func first(_ types: [ApprovalFieldType]) -> ApprovalValue? {
            fields.first { types.contains($0.type) && values[$0.key] != nil }.flatMap { values[$0.key] }
        }
        if case .number(let amount)? = first([.money]) ?? first([.number]) { self.amount = amount }
        if case .text(let tier)? = first([.clientTier]) { self.tier = tier }
        if case .text(let risk)? = first([.riskCategory]) { self.risk = risk }
    }
}
