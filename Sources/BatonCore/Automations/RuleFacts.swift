import Foundation

/// A task's fields as a rule sees them: typed values for conditions, display text for message
/// templates. Built by the server from the task as it is when the rule runs.
public struct RuleFacts: Sendable, Equatable {
    public enum Value: Sendable, Equatable {
        case text(String)
        case number(Double)
        case date(Date)
        case list([String])
        case bool(Bool)
        /// A user id (lowercased text), compared as text.
        case person(String)
    }

    /// Missing key: no value (an empty field).
    public var values: [String: Value]
    /// What `{{key}}` becomes in a message.
    public var display: [String: String]

    public init(values: [String: Value] = [:], display: [String: String] = [:]) {
        self.values = values
        self.display = display
    }

    /// The fields every task has, as conditions, field triggers and set-field actions name them.
    public static let builtInFields: [(key: String, label: String)] = [
        ("title", "Title"), ("description", "Description"), ("stage", "Stage"), ("stage_category", "Stage type"),
        ("priority", "Priority"), ("assignee", "Assignee"), ("delegator", "Delegator"), ("due_at", "Due date"),
        ("start_at", "Start date"), ("blocked", "Blocked"), ("overdue", "Overdue"), ("tags", "Tags"), ("estimate", "Estimate"),
        ("delegation_level", "Delegation level"), ("risk_tolerance", "Risk tolerance"),
    ]

    /// The placeholders every message may use (custom fields add `{{Field name}}`).
    public static let placeholders = ["title", "stage", "project", "assignee", "delegator", "due", "priority",
                                      "blocked_reason", "link", "rule"]

    public static func isKnownField(_ key: String) -> Bool {
        builtInFields.contains { $0.key == key } || customFieldID(key) != nil
    }

    /// `field:<uuid>` names a custom field.
    public static func customFieldID(_ key: String) -> UUID? {
        guard key.hasPrefix("field:") else { return nil }
        return UUID(uuidString: String(key.dropFirst(6)))
    }
}

/// Conditions over `RuleFacts`, combined with all / any.
public enum RuleConditions {
    public static func matches(_ conditions: [RuleCondition], _ match: ConditionMatch, _ facts: RuleFacts) -> Bool {
        guard !conditions.isEmpty else { return true }
        switch match {
        case .all: return conditions.allSatisfy { holds($0, facts) }
        case .any: return conditions.contains { holds($0, facts) }
        }
    }

    public static func holds(_ condition: RuleCondition, _ facts: RuleFacts) -> Bool {
        let fact = facts.values[condition.field]
        let value = (condition.value ?? "").trimmingCharacters(in: .whitespaces)
        switch condition.op {
        case .empty: return isEmpty(fact)
        case .notEmpty: return !isEmpty(fact)
        case .equals: return equals(fact, value)
        case .notEquals: return !equals(fact, value)
        case .isIn:
            let options = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            return options.contains { equals(fact, $0) }
        case .contains:
            switch fact {
            case .text(let text): return !value.isEmpty && text.localizedCaseInsensitiveContains(value)
            case .list(let items): return items.contains { $0.caseInsensitiveCompare(value) == .orderedSame }
            default: return false
            }
        case .greaterThan: return compare(fact, value).map { $0 == .orderedDescending } ?? false
        case .lessThan: return compare(fact, value).map { $0 == .orderedAscending } ?? false
        }
    }

    private static func isEmpty(_ fact: RuleFacts.Value?) -> Bool {
        switch fact {
        case nil: return true
        case .text(let text): return text.isEmpty
        case .list(let items): return items.isEmpty
        case .person(let id): return id.isEmpty
        case .bool(let flag): return !flag
        case .number, .date: return false
        }
    }

    private static func equals(_ fact: RuleFacts.Value?, _ value: String) -> Bool {
        switch fact {
        case nil: return value.isEmpty
        case .text(let text): return text.caseInsensitiveCompare(value) == .orderedSame
        case .person(let id): return id.caseInsensitiveCompare(value) == .orderedSame
        case .list(let items): return items.contains { $0.caseInsensitiveCompare(value) == .orderedSame }
        case .bool(let flag): return (value.lowercased() == "true" || value.lowercased() == "yes") == flag
        case .number(let number): return FiniteNumber.parse(value).map { $0 == number } ?? false
        case .date(let date):
            guard let day = parseDate(value) else { return false }
            return Calendar.utc.isDate(date, inSameDayAs: day)
        }
    }

    /// The fact against the value: numbers as numbers, dates as dates; nil when they do not compare.
    private static func compare(_ fact: RuleFacts.Value?, _ value: String) -> ComparisonResult? {
        switch fact {
        case .number(let number):
            guard let other = FiniteNumber.parse(value) else { return nil }
            return number == other ? .orderedSame : (number < other ? .orderedAscending : .orderedDescending)
        case .date(let date):
            guard let other = parseDate(value) else { return nil }
            return date == other ? .orderedSame : (date < other ? .orderedAscending : .orderedDescending)
        default:
            return nil
        }
    }

    /// "2026-12-08" (midnight UTC) or a full ISO-8601 time.
    static func parseDate(_ text: String) -> Date? {
        if let day = BatonDate.validDay(text) { return BatonDate.parseLocal(day, timeZone: "UTC") }
        return BatonDate.parseISO(text)
    }
}

/// `{{title}} moved to {{stage}}`: placeholders become the task's display values; unknown ones
/// become nothing. Output is plain text (the inbox and the comment renderer escape it).
public enum RuleTemplate {
    public static let maxLength = 2000

    public static func render(_ template: String, _ facts: RuleFacts) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.range(of: "}}") else {
                output += rest[open.lowerBound...]
                return output
            }
            let key = after[..<close.lowerBound].trimmingCharacters(in: .whitespaces).lowercased()
            output += facts.display[key] ?? ""
            rest = after[close.upperBound...]
        }
        output += rest
        return output
    }

    /// The placeholders a template uses, lowercased.
    public static func placeholders(in template: String) -> [String] {
        var found: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            found.append(rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces).lowercased())
            rest = rest[close.upperBound...]
        }
        return found
    }
}

extension Calendar {
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
