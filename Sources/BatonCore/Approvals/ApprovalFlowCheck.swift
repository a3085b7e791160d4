import Foundation

/// What is wrong with a flow before it is saved (each a 422 naming the place), and what is merely
/// suspicious (warnings the editor shows): branches that can never match, or that overlap an
/// earlier branch on the same amount so the earlier one always wins.
public enum ApprovalFlowCheck {
    public static func problem(in flow: ApprovalFlow, fields: [ApprovalField]) -> ApprovalProblem? {
        if flow.defaultSteps.isEmpty && flow.branches.allSatisfy({ $0.effect == .add || $0.steps.isEmpty }) {
            return ApprovalProblem("flow.default_steps", "The flow has no approver: give the default route at least one step.")
        }
        for (index, branch) in flow.branches.enumerated() {
            let path = "flow.branches.\(index)"
            if branch.steps.isEmpty { return ApprovalProblem("\(path).steps", "“\(branch.name)” has no step.") }
            if branch.conditions.isEmpty { return ApprovalProblem("\(path).conditions", "“\(branch.name)” needs a condition (the default route has none).") }
            for (number, condition) in branch.conditions.enumerated() {
                if let problem = check(condition, fields: fields, path: "\(path).conditions.\(number)") { return problem }
            }
            if let problem = check(branch.steps, path: "\(path).steps") { return problem }
        }
        return check(flow.defaultSteps, path: "flow.default_steps")
    }

    private static func check(_ steps: [ApprovalStep], path: String) -> ApprovalProblem? {
        for (index, step) in steps.enumerated() {
            let place = "\(path).\(index)"
            if step.approvers.isEmpty { return ApprovalProblem("\(place).approvers", "Step “\(step.name)” has no approver.") }
            switch step.quorum {
            case .atLeast(let count) where count < 1: return ApprovalProblem("\(place).quorum", "At least 1 approver.")
            case .percent(let share) where !(1...100).contains(share): return ApprovalProblem("\(place).quorum", "A share from 1 to 100 %.")
            default: break
            }
            for approver in step.approvers {
                if case .managerUp(let levels) = approver, !(1...10).contains(levels) {
                    return ApprovalProblem("\(place).approvers", "Between 1 and 10 levels up.")
                }
                if case .people(let list) = approver, list.isEmpty { return ApprovalProblem("\(place).approvers", "Name at least one person.") }
            }
        }
        return nil
    }

    private static func check(_ condition: ApprovalCondition, fields: [ApprovalField], path: String) -> ApprovalProblem? {
        guard let field = fields.first(where: { $0.key == condition.field }) else {
            return ApprovalProblem("\(path).field", "The form has no field “\(condition.field.prefix(60))”.")
        }
        guard condition.op != .empty else { return nil }
        let items = condition.op == .isIn ? ApprovalCondition.items(condition.value) : [(condition.value ?? "").trimmingCharacters(in: .whitespaces)]
        if items.isEmpty || items.contains(where: \.isEmpty) { return ApprovalProblem("\(path).value", "Give a value to compare with.") }
        switch field.type {
        case .number, .money:
            if items.contains(where: { Double($0) == nil }) { return ApprovalProblem("\(path).value", "\(field.label) is compared with a number.") }
        case .date:
            if items.contains(where: { BatonDate.parseISO($0) == nil && BatonDate.parseLocal($0, timeZone: "UTC") == nil }) {
                return ApprovalProblem("\(path).value", "\(field.label) is compared with a date.")
            }
        case .singleSelect, .multiSelect, .clientTier, .riskCategory:
            if let choices = field.choices, let bad = items.first(where: { !choices.contains($0) }) {
                return ApprovalProblem("\(path).value", "“\(bad.prefix(60))” is not one of \(choices.joined(separator: ", ")).")
            }
            if field.type == .singleSelect || field.type == .multiSelect,
               [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(condition.op) {
                return ApprovalProblem("\(path).op", "\(field.label) has no order: use =, ≠, in or contains.")
            }
        case .text, .longText, .person, .taskLink:
            if [.less, .lessOrEqual, .greater, .greaterOrEqual].contains(condition.op) {
                return ApprovalProblem("\(path).op", "\(field.label) has no order: use =, ≠, in or contains.")
            }
        }
        return nil
    }

    /// Warnings for the editor, one per suspicious branch.
    public static func warnings(in flow: ApprovalFlow, fields: [ApprovalField]) -> [ApprovalProblem] {
        var warnings: [ApprovalProblem] = []
        var earlier: [(name: String, ranges: [String: NumberRange])] = []
        for (index, branch) in flow.branches.enumerated() {
            let path = "flow.branches.\(index)"
            guard branch.match == .all else { continue }
            var ranges: [String: NumberRange] = [:]
            var onlyRanges = true
            for condition in branch.conditions {
                guard let range = NumberRange(condition, fields: fields) else { onlyRanges = false; continue }
                ranges[condition.field] = (ranges[condition.field] ?? .everything).intersection(range)
            }
            if let (field, _) = ranges.first(where: { $0.value.isEmpty }) {
                warnings.append(ApprovalProblem("\(path).conditions", "“\(branch.name)” can never match: its conditions on \(field) contradict each other."))
                continue
            }
            guard branch.effect == .route else { continue }
            if onlyRanges, ranges.count == 1, let (field, range) = ranges.first {
                for previous in earlier where previous.ranges.count == 1 {
                    if let other = previous.ranges[field], !other.intersection(range).isEmpty {
                        warnings.append(ApprovalProblem("\(path).conditions",
                                                        "“\(branch.name)” overlaps “\(previous.name)” on \(field): the earlier branch wins where both match."))
                        break
                    }
                }
                earlier.append((branch.name, ranges))
            }
        }
        return warnings
    }
}

/// An interval of numbers (bounds open or closed), for comparing branches' conditions.
struct NumberRange: Equatable {
    var low: Double = -.infinity
    var lowOpen = true
    var high: Double = .infinity
    var highOpen = true

    static let everything = NumberRange()

    init() {}

    init?(_ condition: ApprovalCondition, fields: [ApprovalField]) {
        guard let field = fields.first(where: { $0.key == condition.field }), field.type == .number || field.type == .money,
              let value = condition.value.flatMap({ Double($0.trimmingCharacters(in: .whitespaces)) }) else { return nil }
        switch condition.op {
        case .less: high = value
        case .lessOrEqual: high = value; highOpen = false
        case .greater: low = value
        case .greaterOrEqual: low = value; lowOpen = false
        case .equals: low = value; high = value; lowOpen = false; highOpen = false
        default: return nil
        }
    }

    var isEmpty: Bool { low > high || (low == high && (lowOpen || highOpen)) }

    func intersection(_ other: NumberRange) -> NumberRange {
        var result = self
        if other.low > low || (other.low == low && other.lowOpen) { result.low = other.low; result.lowOpen = other.lowOpen || (other.low == low && lowOpen) }
        if other.high < high || (other.high == high && other.highOpen) { result.high = other.high; result.highOpen = other.highOpen || (other.high == high && highOpen) }
        return result
    }
}
