import Foundation

/// How much may go wrong before the delegator wants to hear about it.
public enum RiskTolerance: String, Codable, CaseIterable, Sendable {
    case low, medium, high
}

/// Who decides: the assignee alone, after consulting, or the delegator.
public enum DecisionRight: String, Codable, CaseIterable, Sendable {
    case decideAlone = "decide_alone"
    case consultFirst = "consult_first"
    case escalate

    public var label: String {
        switch self {
        case .decideAlone: "May decide alone"
        case .consultFirst: "Consult first"
        case .escalate: "Escalate"
        }
    }
}

/// The seven delegation levels, from "I tell you" to "you decide".
public enum DelegationLevel: Int, Codable, CaseIterable, Sendable {
    case tell = 1, sell, consult, agree, advise, inquire, delegate

    public var name: String {
        switch self {
        case .tell: "Tell"
        case .sell: "Sell"
        case .consult: "Consult"
        case .agree: "Agree"
        case .advise: "Advise"
        case .inquire: "Inquire"
        case .delegate: "Delegate"
        }
    }

    public var meaning: String {
        switch self {
        case .tell: "I decide and tell you."
        case .sell: "I decide and explain why."
        case .consult: "I ask for your input, then decide."
        case .agree: "We decide together."
        case .advise: "You decide; I advise."
        case .inquire: "You decide and tell me after."
        case .delegate: "You decide; no need to tell me."
        }
    }
}

/// A checkpoint's review.
public enum CheckpointStatus: String, Codable, CaseIterable, Sendable {
    case onTrack = "on_track"
    case atRisk = "at_risk"
    case offTrack = "off_track"

    /// As people read it: "At risk", never `at_risk`.
    public var label: String {
        switch self {
        case .onTrack: "On track"
        case .atRisk: "At risk"
        case .offTrack: "Off track"
        }
    }
}

/// The parts of the brief an assignee may propose new wording for.
public enum BriefField: String, CaseIterable, Sendable {
    case outcome
    case constraints
    case successCriteria = "success_criteria"

    public var label: String {
        switch self {
        case .outcome: "outcome"
        case .constraints: "constraints"
        case .successCriteria: "success criteria"
        }
    }

    /// As a heading: "Success criteria".
    public var title: String { label.prefix(1).uppercased() + label.dropFirst() }
}

/// Moving a task to done needs every acceptance item checked or waived with a reason.
public enum CompletionRule {
    public struct Item: Sendable, Equatable {
        public let text: String
        public let checked: Bool
        public let waivedReason: String?

        public init(text: String, checked: Bool, waivedReason: String?) {
            self.text = text
            self.checked = checked
            self.waivedReason = waivedReason
        }
    }

    /// The items that still block completion, in order.
    public static func openItems(_ items: [Item]) -> [String] {
        items.filter { !$0.checked && ($0.waivedReason?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true) }
            .map(\.text)
    }

    public static func message(for open: [String]) -> String {
        let list = open.map { "“\($0)”" }.joined(separator: ", ")
        return open.count == 1
            ? "One acceptance item is still open: \(list). Check it or waive it with a reason."
            : "\(open.count) acceptance items are still open: \(list). Check or waive each with a reason."
    }
}
