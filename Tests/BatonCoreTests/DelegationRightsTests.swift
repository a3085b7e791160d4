import Testing
@testable import BatonCore

@Suite("Delegation rights")
struct DelegationRightsTests {
    typealias Rights = DelegationRights

    /// The expected decision for every level × action × party, written out as the product rule.
    static func expected(_ action: Rights.Action, _ party: Rights.Party, _ level: Int) -> Rights.Decision {
        switch party {
        case .delegator:
            switch action {
            case .editBrief, .waiveItem, .tickItem, .untickOwnTick, .untickItem, .complete, .reviewCompletion, .reviewCheckpoint,
                 .reassign, .handBack, .answerQuestion, .archive: return .allowed
            case .proposeBriefChange, .requestWaiver, .selfAssessCheckpoint: return .refused(onlyBy: .assignee)
            }
        case .assignee:
            switch action {
            case .proposeBriefChange, .requestWaiver, .tickItem, .untickOwnTick, .selfAssessCheckpoint, .handBack: return .allowed
            case .complete: return level >= 6 ? .allowed : .submitsForAcceptance
            case .editBrief, .waiveItem, .untickItem, .reviewCompletion, .reviewCheckpoint, .reassign, .answerQuestion, .archive:
                return .refused(onlyBy: .delegator)
            }
        case .other:
            switch action {
            case .proposeBriefChange, .requestWaiver, .selfAssessCheckpoint: return .refused(onlyBy: .assignee)
            default: return .refused(onlyBy: .delegator)
            }
        }
    }

    @Test("every level × action × party", arguments: DelegationLevel.allCases)
    func table(level: DelegationLevel) {
        for action in Rights.Action.allCases {
            for party in Rights.Party.allCases {
                #expect(Rights.decide(action, by: party, level: level) == Self.expected(action, party, level.rawValue),
                        "level \(level.rawValue), \(action), \(party)")
            }
        }
    }

    @Test("an unset level reviews before done, like level 5")
    func unsetLevel() {
        #expect(Rights.decide(.complete, by: .assignee, level: nil) == .submitsForAcceptance)
        #expect(Rights.decide(.complete, by: .assignee, level: .advise) == .submitsForAcceptance)
        #expect(Rights.decide(.complete, by: .assignee, level: .inquire) == .allowed)
    }

    @Test("a refusal names who can, and what")
    func refusals() {
        #expect(Rights.refusal(.editBrief, onlyBy: .delegator, name: "Maya Chen", subject: "the success criteria")
                    .hasPrefix("Ask Maya Chen to change the success criteria."))
        #expect(Rights.refusal(.waiveItem, onlyBy: .delegator, name: "Maya Chen", subject: "Legal sign-off")
                    .hasPrefix("Ask Maya Chen to waive “Legal sign-off”."))
        #expect(Rights.refusal(.complete, onlyBy: .delegator, name: "Maya Chen") == "Ask Maya Chen to mark this task done.")
        #expect(Rights.refusal(.proposeBriefChange, onlyBy: .assignee, name: "Tom Reed").hasPrefix("Only Tom Reed, the assignee"))
    }

    @Test("the brief says the rights in plain words")
    func summaries() {
        #expect(Rights.summary(level: .advise, delegator: "Maya") == "Level 5 · Advise: you decide how; Maya reviews before it is done")
        #expect(Rights.summary(level: .tell, delegator: "Maya") == "Level 1 · Tell: Maya decides how; Maya reviews before it is done")
        #expect(Rights.summary(level: .delegate, delegator: "Maya") == "Level 7 · Delegate: you decide how; you mark it done")
        #expect(Rights.summary(level: nil, delegator: "Maya").hasPrefix("Level 5 · Advise"))
    }
}
