/// What a stage means, whatever a project calls it. Dashboards and rules look at the category.
public enum StageCategory: String, Codable, CaseIterable, Sendable {
    case todo
    case inProgress = "in_progress"
    case blocked
    case done
}

public struct StageTemplate: Sendable, Equatable {
    public let name: String
    public let color: String
    public let category: StageCategory
}

public enum DefaultStages {
    /// Every new project starts with these, in this order. Blocked is not a stage: it is a flag
    /// with a reason, on a task in any stage (older projects may keep a blocked-category stage;
    /// moving a task into it flags the task).
    public static let all: [StageTemplate] = [
        StageTemplate(name: "To do", color: "#8a94a6", category: .todo),
        StageTemplate(name: "In progress", color: "#3451d1", category: .inProgress),
        StageTemplate(name: "In review", color: "#9a6700", category: .inProgress),
        StageTemplate(name: "Done", color: "#1a7f4b", category: .done),
    ]
}

public enum Priority: String, Codable, CaseIterable, Sendable, Comparable {
    case urgent, high, normal, low

    /// Urgent sorts first.
    public var rank: Int {
        switch self {
        case .urgent: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }

    public static func < (lhs: Priority, rhs: Priority) -> Bool { lhs.rank < rhs.rank }
}

public enum StageColor {
    /// `#rrggbb`, lowercased, or nil.
    public static func normalized(_ raw: String) -> String? {
        let value = raw.trimmingCharacters(in: .whitespaces).lowercased()
        guard value.count == 7, value.hasPrefix("#"),
              value.dropFirst().allSatisfy({ $0.isHexDigit }) else { return nil }
        return value
    }
}

import Foundation

public enum StageRules {
    /// Why a stage cannot become a done stage: its tasks whose acceptance items are still open.
    public static func recategorizeRefusal(_ held: [(title: String, items: [String])]) -> String {
        let shown = FirstFew.text(held.map { task in "“\(task.title)” (\(task.items.map { "“\($0)”" }.joined(separator: ", ")))" },
                                  separator: "; ")
        let count = held.count == 1 ? "1 task in this stage has" : "\(held.count) tasks in this stage have"
        return "\(count) open acceptance items, so the stage cannot become a done stage: \(shown). "
            + "Check or waive them first, or move those tasks out."
    }
}
