import Foundation

/// The types a project's custom fields can have.
public enum CustomFieldType: String, Codable, CaseIterable, Sendable {
    case text, number, money, date
    case singleSelect = "single_select"
    case multiSelect = "multi_select"
    case person, checkbox, url
}

/// A loosely typed input value (from JSON or CSV) to be checked against a field's type.
public enum FieldInput: Sendable, Equatable {
    case null
    case string(String)
    case number(Double)
    case bool(Bool)
    case list([String])
}

/// A custom field's value after validation, stored as canonical text.
public enum CustomFieldValue {
    public struct Definition: Sendable {
        public let name: String
        public let type: CustomFieldType
        public let options: [String]
        public let currency: String?

        public init(name: String, type: CustomFieldType, options: [String] = [], currency: String? = nil) {
            self.name = name
            self.type = type
            self.options = options
            self.currency = currency
        }
    }

    /// Canonical text for storage (nil clears the value), or a message naming what is wrong.
    /// `isPerson` says whether an id belongs to someone in the workspace.
    public static func validate(_ input: FieldInput, for field: Definition,
                                isPerson: (String) -> Bool = { _ in true }) -> Result<String?, FieldProblem> {
        if input == .null { return .success(nil) }
        let fail = { (expected: String) in Result<String?, FieldProblem>.failure(FieldProblem(message: "\(field.name) must be \(expected).")) }
        switch field.type {
        case .text:
            guard case .string(let raw) = input else { return fail("text") }
            switch DisplayText.validate(raw, label: field.name, max: 5000, required: false, lines: true) {
            case .success(let text): return .success(text)
            case .failure(let problem): return .failure(FieldProblem(message: problem.message))
            }
        case .number, .money:
            let number: Double?
            switch input {
            case .number(let value): number = value
            case .string(let text): number = FiniteNumber.parse(text)
            default: number = nil
            }
            guard let number, number.isFinite else { return fail(field.type == .money ? "an amount" : "a number") }
            if field.type == .money {
                return .success(String(format: "%.2f", (number * 100).rounded() / 100))
            }
            return .success(number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number))
        case .date:
            guard case .string(let text) = input, let date = BatonDate.validDay(text) else { return fail("a date (YYYY-MM-DD)") }
            return .success(date)
        case .singleSelect:
            guard case .string(let text) = input else { return fail("one of: \(field.options.joined(separator: ", "))") }
            guard let option = field.options.first(where: { $0.caseInsensitiveCompare(text) == .orderedSame }) else {
                return fail("one of: \(field.options.joined(separator: ", "))")
            }
            return .success(option)
        case .multiSelect:
            let values: [String]
            switch input {
            case .list(let list): values = list
            case .string(let text): values = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            default: return fail("a list of: \(field.options.joined(separator: ", "))")
            }
            var chosen: [String] = []
            for value in values {
                guard let option = field.options.first(where: { $0.caseInsensitiveCompare(value) == .orderedSame }) else {
                    return fail("a list of: \(field.options.joined(separator: ", "))")
                }
                if !chosen.contains(option) { chosen.append(option) }
            }
            return .success(chosen.joined(separator: ";"))
        case .person:
            guard case .string(let id) = input, isPerson(id) else { return fail("a member of this workspace") }
            return .success(id)
        case .checkbox:
            switch input {
            case .bool(let value): return .success(value ? "true" : "false")
            case .string(let text) where ["true", "yes", "1", "x"].contains(text.lowercased()): return .success("true")
            case .string(let text) where ["false", "no", "0", ""].contains(text.lowercased()): return .success("false")
            default: return fail("true or false")
            }
        case .url:
            guard case .string(let text) = input, DisplayText.problem(in: text, lines: false) == nil,
                  let url = URL(string: text), let scheme = url.scheme?.lowercased(),
                  ["http", "https"].contains(scheme), url.host != nil else { return fail("an http(s) URL") }
            return .success(text)
        }
    }

    public struct FieldProblem: Error, Equatable, Sendable {
        public let message: String
    }
}
