import Fluent
import Foundation
import BatonCore

/// How the caller stands to one task under `DelegationRights`, and the refusal that names who can.
struct DelegationStanding: Sendable {
    let party: DelegationRights.Party
    let level: DelegationLevel?
    let delegatorID: UUID?
    let assigneeID: UUID?

    /// An unassigned task is the team's: whoever may change it stands as its delegator. A task
    /// someone holds is theirs (and the project lead's and admins'): on a delegated one the
    /// assignee is the assignee even when they lead the project or administer the workspace; on one
    /// its holder assigned themselves (or had handed back) the holder stands as its delegator.
    init(_ task: WorkTask, _ scope: WorkScope.ProjectAccess) {
        let userID = scope.access.userID
        delegatorID = task.delegatorID
        assigneeID = task.assigneeID
        level = task.delegationLevel.flatMap(DelegationLevel.init(rawValue:))
        if task.assigneeID == nil || userID == task.delegatorID { party = .delegator }
        else if userID == task.assigneeID { party = task.isDelegated ? .assignee : .delegator }
        else { party = scope.canManage ? .delegator : .other }
    }

    func decide(_ action: DelegationRights.Action) -> DelegationRights.Decision {
        DelegationRights.decide(action, by: party, level: level)
    }

    /// Allowed, or (for completion) allowed as a submission.
    func allows(_ action: DelegationRights.Action) -> Bool {
        if case .refused = decide(action) { return false }
        return true
    }

    /// Throws 403 unless `action` is allowed (or, for completion, submits for acceptance).
    @discardableResult
    func require(_ action: DelegationRights.Action, subject: String? = nil, on db: any Database) async throws -> DelegationRights.Decision {
        let decision = decide(action)
        guard case .refused(let party) = decision else { return decision }
        let name = try await Self.name(party == .assignee ? assigneeID : delegatorID, on: db)
            ?? (party == .assignee ? "the assignee" : "the person who delegated it")
        throw BatonError.forbidden(DelegationRights.refusal(action, onlyBy: party, name: name, subject: subject))
    }

    /// The delegator's name, as the brief's rights summary uses it.
    static func delegatorName(_ task: WorkTask, on db: any Database) async throws -> String {
        try await name(task.delegatorID, on: db) ?? "the delegator"
    }

    private static func name(_ userID: UUID?, on db: any Database) async throws -> String? {
        guard let userID else { return nil }
        return try await User.find(userID, on: db)?.name
    }
}
