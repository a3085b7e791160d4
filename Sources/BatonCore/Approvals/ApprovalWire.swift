import Foundation

// How flows are written in JSON, for the API and for storage alike: every key snake_case and
// every kind named by a `type` ("manager_up" with "levels"), never Swift's synthesized shapes.

extension ApproverSpec: Codable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case requesterManager = "requester_manager", managerUp = "manager_up", role, teamLead = "team_lead", people, matrix
    }

    enum CodingKeys: String, CodingKey { case type, levels, role, teamID = "team_id", people, decision }

    public var kind: Kind {
        switch self {
        case .requesterManager: .requesterManager
        case .managerUp: .managerUp
        case .role: .role
        case .teamLead: .teamLead
        case .people: .people
        case .matrix: .matrix
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(Kind.self, forKey: .type) {
        case .requesterManager: self = .requesterManager
        case .managerUp: self = .managerUp(levels: try container.decode(Int.self, forKey: .levels))
        case .role: self = .role(try container.decode(String.self, forKey: .role))
        case .teamLead: self = .teamLead(try container.decode(UUID.self, forKey: .teamID))
        case .people: self = .people(try container.decode([UUID].self, forKey: .people))
        case .matrix: self = .matrix(decision: try container.decode(String.self, forKey: .decision))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        switch self {
        case .requesterManager: break
        case .managerUp(let levels): try container.encode(levels, forKey: .levels)
        case .role(let role): try container.encode(role, forKey: .role)
        case .teamLead(let team): try container.encode(team, forKey: .teamID)
        case .people(let people): try container.encode(people, forKey: .people)
        case .matrix(let decision): try container.encode(decision, forKey: .decision)
        }
    }
}

extension ApprovalQuorum: Codable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case anyOne = "any_one", all, atLeast = "at_least", percent }

    enum CodingKeys: String, CodingKey { case type, count }

    public var kind: Kind {
        switch self {
        case .anyOne: .anyOne
        case .all: .all
        case .atLeast: .atLeast
        case .percent: .percent
        }
    }

    /// N of "at least N", or the share of "N %".
    public var count: Int? {
        switch self {
        case .atLeast(let count), .percent(let count): count
        case .anyOne, .all: nil
        }
    }

    public init(kind: Kind, count: Int?) {
        switch kind {
        case .anyOne: self = .anyOne
        case .all: self = .all
        case .atLeast: self = .atLeast(count ?? 1)
        case .percent: self = .percent(count ?? 50)
        }
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(kind: try container.decode(Kind.self, forKey: .type), count: try container.decodeIfPresent(Int.self, forKey: .count))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .type)
        try container.encodeIfPresent(count, forKey: .count)
    }

    /// "any one", "all", "at least 2", "50 %".
    public var words: String {
        switch self {
        case .anyOne: "any one"
        case .all: "all"
        case .atLeast(let count): "at least \(count)"
        case .percent(let share): "\(share) %"
        }
    }
}

extension ApprovalStep: Codable {
    enum CodingKeys: String, CodingKey { case name, approvers, quorum, parallelGroup = "parallel_group", merge }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(name: try container.decode(String.self, forKey: .name), approvers: try container.decode([ApproverSpec].self, forKey: .approvers),
                  quorum: try container.decodeIfPresent(ApprovalQuorum.self, forKey: .quorum) ?? .anyOne,
                  parallelGroup: try container.decodeIfPresent(Int.self, forKey: .parallelGroup),
                  merge: try container.decodeIfPresent(ApprovalMatch.self, forKey: .merge) ?? .all)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(approvers, forKey: .approvers)
        try container.encode(quorum, forKey: .quorum)
        try container.encode(parallelGroup, forKey: .parallelGroup)
        try container.encode(merge, forKey: .merge)
    }
}
