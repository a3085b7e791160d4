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
        /// Waive an item, or grant or refuse a requested waiver.
        case waiveItem
        case requestWaiver
        case tickItem
        /// The assignee takes back their own tick before submitting the task for acceptance.
        case untickOwnTick
        /// Untick an item someone else ticked, or any item once the task was submitted: a reviewer's call.
        case untickItem
        /// Move the task to a done stage.
        case complete
        /// Accept a submitted task or return it with feedback.
        case reviewCompletion
        case reviewCheckpoint
        case selfAssessCheckpoint
        /// Give the task to someone else (or to no one).
        case reassign
        /// The assignee gives the task back to the person who delegated it.
        case handBack
        /// Answer the assignee's clarification question.
        case answerQuestion
        /// Take the task off the lists (and put it back).
        case archive
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
        case (.editBrief, .delegator), (.waiveItem, .delegator), (.tickItem, .delegator), (.untickOwnTick, .delegator),
             (.untickItem, .delegator), (.complete, .delegator), (.reviewCompletion, .delegator), (.reviewCheckpoint, .delegator),
             (.reassign, .delegator), (.handBack, .delegator), (.answerQuestion, .delegator), (.archive, .delegator):
            return .allowed
        case (.proposeBriefChange, .assignee), (.requestWaiver, .assignee), (.tickItem, .assignee), (.untickOwnTick, .assignee),
             (.selfAssessCheckpoint, .assignee), (.handBack, .assignee):
            return .allowed
        case (.complete, .assignee):
            return completesAlone(level) ? .allowed : .submitsForAcceptance
        case (.proposeBriefChange, _), (.requestWaiver, _), (.selfAssessCheckpoint, _):
            return .refused(onlyBy: .assignee)
        case (.editBrief, _), (.waiveItem, _), (.tickItem, _), (.untickOwnTick, _), (.untickItem, _), (.complete, _),
             (.reviewCompletion, _), (.reviewCheckpoint, _), (.reassign, _), (.handBack, _), (.answerQuestion, _), (.archive, _):
            return .refused(onlyBy: .delegator)
        }
    }

    /// Unticking an item: the assignee taking back their own tick before submitting, or a
    /// reviewer's untick of anyone else's tick (or waiver), or of any item once submitted.
    public static func untickAction<Person: Equatable>(tickedBy: Person?, by person: Person, waived: Bool, submitted: Bool) -> Action {
        tickedBy == person && !waived && !submitted ? .untickOwnTick : .untickItem
    }

    /// Levels 6 and 7: the assignee marks the work done without a review.
    public static func completesAlone(_ level: DelegationLevel?) -> Bool {
        (level ?? defaultLevel).rawValue >= DelegationLevel.inquire.rawValue
    }

    /// Why an action was refused, naming who can: "Ask Maya Chen to change the success criteria."
    /// `subject` narrows it: the brief field's name, or the acceptance item's text.
    public static func refusal(_ action: Action, onlyBy party: Party, name: String, subject: String? = nil) -> String {
        let item = subject.map { "“\($0)”" } ?? "this item"
        switch (action, party) {
        case (.proposeBriefChange, _): return "Only \(name), the assignee, proposes changes to the brief; you can edit it directly."
        case (.requestWaiver, _): return "Only \(name), the assignee, requests waivers; you can waive the item directly."
        case (.selfAssessCheckpoint, _): return "Only \(name), the assignee, adds a self-assessment; you can review the checkpoint."
        case (.editBrief, _): return "Ask \(name) to change \(subject ?? "the brief"). You can propose the change from the brief."
        case (.waiveItem, _): return "Ask \(name) to waive \(item). You can request a waiver with a reason."
        case (.tickItem, _): return "Ask \(name) or the assignee to tick \(item)."
        case (.untickOwnTick, _), (.untickItem, _): return "Ask \(name) to untick \(item): after review only the delegator unticks an item."
        case (.complete, _): return "Ask \(name) to mark this task done."
        case (.reviewCompletion, _): return "Only \(name), who delegated this task, accepts it or returns it."
        case (.reviewCheckpoint, _): return "Ask \(name) to review this checkpoint. You can add your self-assessment beside it."
        case (.reassign, _), (.handBack, _): return "Ask \(name) to reassign this task. You can hand it back to them."
        case (.archive, _): return "Ask \(name) to archive or restore this task."
        case (.answerQuestion, _): return "Only \(name), who delegated this task, answers its questions; add a comment instead."
        }
    }

    /// "Level 5 · Advise: you decide how; Maya Chen reviews before it is done", as the assignee reads it.
    public static func summary(level: DelegationLevel?, delegator: String) -> String {
        let level = level ?? defaultLevel
        let done = completesAlone(level) ? "you mark it done" : "\(delegator) reviews before it is done"
        let how: String = switch level {
        case .tell, .sell: "\(delegator) decides how"
        case .consult: "\(delegator) decides how after asking you"
        case .agree: "you and \(delegator) decide how together"
        case .advise, .inquire, .delegate: "you decide how"
        }
        return "Level \(level.rawValue) · \(level.name): \(how); \(done)"
    }
}
