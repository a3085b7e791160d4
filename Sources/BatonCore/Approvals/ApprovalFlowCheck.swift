import Foundation

/// What is wrong with a flow before it is saved (each a 422 naming the place), and what is merely
/// suspicious (warnings the editor shows): branches that can never match, or that overlap an
/// earlier branch on the same amount so the earlier one always wins.
public enum ApprovalFlowCheck {
    public static func problem(in flow: ApprovalFlow, fields: [ApprovalField]) -> ApprovalProblem? {
        if flow.defaultSteps.isEmpty && flow.branches.allSatisfy({ $0.effect == .add || $0.steps.isEmpty }) {
            return ApprovalProblem("flow.default_steps", "The flow has no approver: give the default route at least one step.")
        }
        if flow.branches.count > 100 { return ApprovalProblem("flow.branches", "A flow takes at most 100 branches.") }
        if flow.cc.count > 20 { return ApprovalProblem("flow.cc", "At most 20 CC entries.") }
        if let problem = check(flow.cc, path: "flow.cc") { return problem }
        for (index, branch) in flow.branches.enumerated() {
            let path = "flow.branches.\(index)"
            if let problem = nameProblem(branch.name, path: "\(path).name") { return problem }
            if branch.conditions.count > 20 { return ApprovalProblem("\(path).conditions", "At most 20 conditions per branch.") }
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
        if steps.count > 20 { return ApprovalProblem(path, "At most 20 steps.") }
        for (index, step) in steps.enumerated() {
            let place = "\(path).\(index)"
            if let problem = nameProblem(step.name, path: "\(place).name") { return problem }
            if step.approvers.count > 20 { return ApprovalProblem("\(place).approvers", "At most 20 approver entries per step.") }
            if let group = step.parallelGroup, !(1...99).contains(group) {
                return ApprovalProblem("\(place).parallel_group", "A parallel group is a number from 1 to 99.")
            }
            if step.approvers.isEmpty { return ApprovalProblem("\(place).approvers", "Step “\(step.name)” has no approver.") }
            switch step.quorum {
            case .atLeast(let count) where count < 1: return ApprovalProblem("\(place).quorum", "At least 1 approver.")
            case .percent(let share) where !(1...100).contains(share): return ApprovalProblem("\(place).quorum", "A share from 1 to 100 %.")
            default: break
            }
            if let problem = check(step.approvers, path: "\(place).approvers") { return problem }
        }
        return nil
    }

    private static func check(_ approvers: [ApproverSpec], path: String) -> ApprovalProblem? {
        for (index, approver) in approvers.enumerated() {
            switch approver {
            case .managerUp(let levels) where !(1...10).contains(levels):
                return ApprovalProblem("\(path).\(index).levels", "Between 1 and 10 levels up.")
            case .people(let list) where list.isEmpty || list.count > 50 || Set(list).count != list.count:
                return ApprovalProblem("\(path).\(index).people", "Name 1 to 50 people, each once.")
            case .role(let name) where name.trimmingCharacters(in: .whitespaces).isEmpty || name.count > 80,
                 .matrix(let name) where name.isEmpty || name.count > 40:
                return ApprovalProblem("\(path).\(index)", "Name it (up to 80 characters).")
            default: continue
            }
        }
        return nil
    }

    private static func nameProblem(_ name: String, path: String) -> ApprovalProblem? {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        guard trimmed.isEmpty || trimmed.count > 120 || trimmed.contains(where: { $0.isNewline }) else { return nil }
        return ApprovalProblem(path, "Name it (one line, up to 120 characters).")
    }

    private static func check(_ condition: ApprovalCondition, fields: [ApprovalField], path: String) -> ApprovalProblem? {
        guard let field = fields.first(where: { $0.key == condition.field }) else {
            return ApprovalProblem("\(path).field", "The form has no field “\(condition.field.prefix(60))”.")
        }
        guard condition.op != .empty else { return nil }
        let items = condition.op == .isIn ? ApprovalCondition.items(condition.value) : [(condition.value ?? "").trimmingCharacters(in: .whitespaces)]
        if items.isEmpty || items.contains(where: \.isEmpty) { return ApprovalProblem("\(path).value", "Give a value to compare with.") }
        if (condition.value ?? "").count > 1_000 || items.count > 100 { return ApprovalProblem("\(path).value", "Keep the value under 1,000 characters.") }
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

public enum ApprovalFormCheck {
    public static let maxFields = 50

    /// The first problem with a form's fields, naming the place (`fields.2.options`).
    public static func problem(in fields: [ApprovalField]) -> ApprovalProblem? {
        if fields.isEmpty { return ApprovalProblem("fields", "A form needs at least one field.") }
        if fields.count > maxFields { return ApprovalProblem("fields", "A form takes at most \(maxFields) fields.") }
        var keys: Set<String> = []
        for (index, field) in fields.enumerated() {
            let path = "fields.\(index)"
            guard field.key.range(of: #"^[a-z][a-z0-9_]{0,39}$"#, options: .regularExpression) != nil else {
                return ApprovalProblem("\(path).key", "A key is lowercase letters, digits and _ (up to 40), starting with a letter.")
            }
            guard keys.insert(field.key).inserted else { return ApprovalProblem("\(path).key", "“\(field.key)” is used twice.") }
            let label = field.label.trimmingCharacters(in: .whitespaces)
            guard !label.isEmpty, label.count <= 120, !label.contains(where: { $0.isNewline }) else {
                return ApprovalProblem("\(path).label", "Label the field (one line, up to 120 characters).")
            }
            switch field.type {
            case .singleSelect, .multiSelect:
                let options = field.options ?? []
                if options.isEmpty || options.count > 100 { return ApprovalProblem("\(path).options", "Give 1 to 100 options.") }
                if Set(options).count != options.count { return ApprovalProblem("\(path).options", "Each option once.") }
                if options.contains(where: { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.count > 100 || $0.contains(",") }) {
                    return ApprovalProblem("\(path).options", "Options are 1 to 100 characters, without commas.")
                }
            case .money:
                if let currency = field.currency, currency.range(of: "^[A-Z]{3}$", options: .regularExpression) == nil {
                    return ApprovalProblem("\(path).currency", "A currency is three capital letters (EUR).")
                }
            default:
                if field.options != nil { return ApprovalProblem("\(path).options", "Only select fields take options.") }
            }
        }
        return nil
    }
}
