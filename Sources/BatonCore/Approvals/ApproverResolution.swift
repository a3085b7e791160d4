import Foundation

/// The organisation as routing sees it at one moment: reporting lines, who is active, roles,
/// team leads, the decision-rights matrix and who is out of office when.
public struct ApprovalDirectory: Sendable {
    public struct Absence: Sendable, Equatable {
        public let person: UUID
        public let substitute: UUID
        public let from: Date
        public let until: Date
        public init(person: UUID, substitute: UUID, from: Date, until: Date) {
            self.person = person
            self.substitute = substitute
            self.from = from
            self.until = until
        }
    }

    public var managers: [UUID: UUID]
    public var active: Set<UUID>
    public var roles: [String: [UUID]]
    public var teamLeads: [UUID: UUID]
    /// Decision type → the people the matrix says approve it.
    public var matrix: [String: [UUID]]
    public var absences: [Absence]

    public init(managers: [UUID: UUID] = [:], active: Set<UUID> = [], roles: [String: [UUID]] = [:], teamLeads: [UUID: UUID] = [:],
                matrix: [String: [UUID]] = [:], absences: [Absence] = []) {
        self.managers = managers
        self.active = active
        self.roles = roles
        self.teamLeads = teamLeads
        self.matrix = matrix
        self.absences = absences
    }

    /// The manager `levels` up, or nil when the line ends (or loops) before.
    public func manager(of person: UUID, levels: Int = 1) -> UUID? {
        guard levels >= 1 else { return nil }
        var current = person
        var seen: Set<UUID> = [person]
        for _ in 0..<levels {
            guard let next = managers[current], seen.insert(next).inserted else { return nil }
            current = next
        }
        return current
    }

    func substitute(for person: UUID, at moment: Date) -> UUID? {
        absences.first { $0.person == person && $0.from <= moment && moment < $0.until && $0.substitute != person }?.substitute
    }
}

/// What a template does in the special cases.
public struct ApprovalPolicy: Codable, Sendable, Equatable {
    public enum SelfApproval: String, Codable, Sendable, CaseIterable { case skip, autoApprove = "auto_approve", manager }
    enum CodingKeys: String, CodingKey {
        case requesterIsApprover = "requester_is_approver", repeatApproverAutoApproves = "repeat_approver_auto_approves"
    }
    /// The requester is one of a step's approvers.
    public var requesterIsApprover: SelfApproval
    /// Someone who approved an earlier step is an approver again: their approval counts again
    /// (applied as the request moves on, by `ApprovalProgress`).
    public var repeatApproverAutoApproves: Bool

    public init(requesterIsApprover: SelfApproval = .manager, repeatApproverAutoApproves: Bool = true) {
        self.requesterIsApprover = requesterIsApprover
        self.repeatApproverAutoApproves = repeatApproverAutoApproves
    }
}

public struct ResolvedApprover: Sendable, Equatable {
    /// Why the person differs from the one the route named, for the audit trail.
    public enum Note: String, Sendable, Equatable {
        case handedOver = "handed_over"            // the named approver is inactive: their manager
        case outOfOffice = "out_of_office"         // the named approver's substitute at this time
        case ownApproval = "own_approval"          // the requester, auto-approved by the template
        case ownRequestToManager = "own_request"   // the requester's manager instead of the requester
        case noApprover = "no_approver"            // nobody found: the template's owner
    }

    public let person: UUID
    /// "Daniel Okafor, acting for Maya Chen": the person the route named.
    public let actingFor: UUID?
    /// Counted as approved from the start (the requester under auto-approve).
    public let preApproved: Bool
    public let note: Note?
}

public struct ResolvedStep: Sendable, Equatable {
    public let name: String
    public let quorum: ApprovalQuorum
    public let approvers: [ResolvedApprover]
    public var parallelGroup: Int? = nil
    public var merge: ApprovalMatch = .all
}

public enum ApproverResolution {
    /// The people of each step at `moment`. When nobody can be found the step goes to the
    /// template's owner (a request is never approved silently); when that is the requester, to
    /// their manager; a step left empty even so must be refused by the caller.
    public static func resolve(_ steps: [ApprovalStep], requester: UUID, owner: UUID, directory: ApprovalDirectory,
                               policy: ApprovalPolicy, at moment: Date) -> [ResolvedStep] {
        steps.map { step in
            var people: [ResolvedApprover] = []
            var seen: Set<UUID> = []
            func add(_ person: UUID, actingFor: UUID? = nil, preApproved: Bool = false, note: ResolvedApprover.Note? = nil) {
                guard seen.insert(person).inserted else { return }
                people.append(ResolvedApprover(person: person, actingFor: actingFor, preApproved: preApproved, note: note))
            }
            for named in step.approvers.flatMap({ candidates($0, requester: requester, directory: directory) }) {
                guard var person = stand(in: named, directory: directory) else { continue }
                var note: ResolvedApprover.Note? = person == named ? nil : .handedOver
                var actingFor: UUID? = person == named ? nil : named
                if let substitute = directory.substitute(for: person, at: moment), directory.active.contains(substitute) {
                    actingFor = person
                    person = substitute
                    note = .outOfOffice
                }
                if person == requester {
                    switch policy.requesterIsApprover {
                    case .skip: continue
                    case .autoApprove: add(person, preApproved: true, note: .ownApproval)
                    case .manager:
                        if let manager = directory.manager(of: requester).flatMap({ stand(in: $0, directory: directory) }), manager != requester {
                            add(manager, actingFor: requester, note: .ownRequestToManager)
                        }
                    }
                    continue
                }
                add(person, actingFor: actingFor, note: note)
            }
            if people.isEmpty || people.allSatisfy({ $0.person == requester && !$0.preApproved }) {
                // the template's owner; for the owner's own request, their manager; else nobody (the caller refuses it)
                let fallback = owner != requester ? owner : directory.manager(of: requester).flatMap { stand(in: $0, directory: directory) }
                people = fallback.map { [ResolvedApprover(person: $0, actingFor: nil, preApproved: false, note: .noApprover)] } ?? []
            }
            return ResolvedStep(name: step.name, quorum: step.quorum, approvers: people, parallelGroup: step.parallelGroup, merge: step.merge)
        }
    }

    private static func candidates(_ spec: ApproverSpec, requester: UUID, directory: ApprovalDirectory) -> [UUID] {
        switch spec {
        case .requesterManager: directory.manager(of: requester).map { [$0] } ?? []
        case .managerUp(let levels): directory.manager(of: requester, levels: levels).map { [$0] } ?? []
        case .role(let role): directory.roles[role.trimmingCharacters(in: .whitespaces).lowercased()] ?? directory.roles[role] ?? []
        case .teamLead(let team): directory.teamLeads[team].map { [$0] } ?? []
        case .people(let list): list
        case .matrix(let decision): directory.matrix[decision] ?? []
        }
    }

    /// An inactive approver hands over to the nearest active manager above them.
    private static func stand(in person: UUID, directory: ApprovalDirectory) -> UUID? {
        var current = person
        for _ in 0..<10 {
            if directory.active.contains(current) { return current }
            guard let next = directory.manager(of: current) else { return nil }
            current = next
        }
        return nil
    }
}
