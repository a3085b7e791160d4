/// Who may do what to a delegated task, by delegation level: the one rule the service enforces
/// and the brief explains in plain words.
public enum DelegationRights {
    /// How the person acting stands to the task. The project lead and the workspace's admins
    /// stand with the delegator: the brief is theirs to keep.
    public enum Party: Sendable, CaseIterable {
        case delegator, assignee, other
    }

    public enum Action: Sendable, CaseIterable {
        /// Outcome, constraints, success criteria, acceptance items, risk, decision rights, level, checkpoint dates.
        case editBrief
        case proposeBriefChange
        case waiveItem
        case requestWaiver
        case tickItem
        /// Untick an item the assignee ticked: a reviewer's call.
        case untickItem
        /// Move the task to a done stage.
        case complete
        case reviewCheckpoint
        case selfAssessCheckpoint
    }

    public enum Decision: Sendable, Equatable {
        case allowed
        /// Done waits in review until the delegator accepts it.
        case submitsForAcceptance
        /// Refused; `party` is who may.
        case refused(onlyBy: Party)
    }

    /// Unset counts as level 5: until the delegator says otherwise, they review before done.
    public static let defaultLevel = DelegationLevel.advise

    public static func decide(_ action: Action, by party: Party, level: DelegationLevel?) -> Decision {
        let level = level ?? defaultLevel
        switch (action, party) {
        case (.editBrief, .delegator), (.waiveItem, .delegator), (.tickItem, .delegator), (.untickItem, .delegator),
             (.complete, .delegator), (.reviewCheckpoint, .delegator):
            return .allowed
        case (.proposeBriefChange, .assignee), (.requestWaiver, .assignee), (.tickItem, .assignee), (.selfAssessCheckpoint, .assignee):
            return .allowed
        case (.complete, .assignee):
            return level.rawValue >= DelegationLevel.inquire.rawValue ? .allowed : .submitsForAcceptance
        case (.proposeBriefChange, _), (.requestWaiver, _), (.selfAssessCheckpoint, _):
            return .refused(onlyBy: .assignee)
        case (.editBrief, _), (.waiveItem, _), (.tickItem, _), (.untickItem, _), (.complete, _), (.reviewCheckpoint, _):
            return .refused(onlyBy: .delegator)
        }
    }

    /// "Level 5 · Advise: you decide how; Maya Chen reviews before it is done", as the assignee reads it.
    public static func summary(level: DelegationLevel?, delegator: String) -> String {
        let level = level ?? defaultLevel
        let done = level.rawValue >= DelegationLevel.inquire.rawValue
            ? "you mark it done" : "\(delegator) reviews before it is done"
        let how: String = switch level {
        case .tell, .sell: "\(delegator) decides how"
        case .consult: "\(delegator) decides how after asking you"
        case .agree: "you and \(delegator) decide how together"
        case .advise, .inquire, .delegate: "you decide how"
        }
        return "Level \(level.rawValue) · \(level.name): \(how); \(done)"
    }
}
