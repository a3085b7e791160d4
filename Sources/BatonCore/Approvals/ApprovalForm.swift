import Foundation

/// The typed fields of an approval template's form, and a request's values checked against them.
public enum ApprovalFieldType: String, Codable, Sendable, CaseIterable {
    case text, longText = "long_text", number, money, date, singleSelect = "single_select", multiSelect = "multi_select"
    case person, taskLink = "task_link", clientTier = "client_tier", riskCategory = "risk_category"

    /// Values a client tier or risk category field takes, in order (conditions compare by position).
    public var fixedOptions: [String]? {
        switch self {
        case .clientTier: ["standard", "key", "strategic"]
        case .riskCategory: ["low", "medium", "high"]
        default: nil
        }
    }
}

public struct ApprovalField: Codable, Sendable, Equatable {
    public var key: String
    public var label: String
    public var type: ApprovalFieldType
    public var required: Bool
    /// Single and multi select.
    public var options: [String]?
    /// Money: ISO 4217, e.g. EUR.
    public var currency: String?

    public init(key: String, label: String, type: ApprovalFieldType, required: Bool = false, options: [String]? = nil,
                currency: String? = nil) {
        self.key = key
        self.label = label
        self.type = type
        self.required = required
        self.options = options
        self.currency = currency
    }

    public var choices: [String]? { type.fixedOptions ?? options }
}

/// A request's value for one field, as routing compares it.
public enum ApprovalValue: Sendable, Equatable {
    case text(String)
    case number(Double)
    case date(Date)
    case list([String])
    /// A user or task id, lowercased.
    case reference(String)
}

public struct ApprovalProblem: Error, Sendable, Equatable {
    public let field: String
    public let message: String
    public init(_ field: String, _ message: String) {
        self.field = field
        self.message = message
    }
}

public enum ApprovalForm {
    /// Reads raw values (as sent: strings, numbers, lists) into typed values; the first problem
    /// names the field (`values.amount`). Unknown keys are refused.
    public static func read(_ raw: [String: RawValue], fields: [ApprovalField]) -> Result<[String: ApprovalValue], ApprovalProblem> {
        var values: [String: ApprovalValue] = [:]
        for key in raw.keys.sorted() where !fields.contains(where: { $0.key == key }) {
            return .failure(ApprovalProblem("values.\(key)", "This form has no field “\(key.prefix(60))”."))
        }
        for field in fields {
            let path = "values.\(field.key)"
            guard let given = raw[field.key], !given.isEmpty else {
                if field.required { return .failure(ApprovalProblem(path, "\(field.label) is required.")) }
                continue
            }
            switch typed(given, field) {
            case .success(let value): values[field.key] = value
            case .failure(let message): return .failure(ApprovalProblem(path, message.text))
            }
        }
        return .success(values)
    }

    /// A value as it arrives in JSON.
    public enum RawValue: Sendable, Equatable {
        case string(String)
        case number(Double)
        case strings([String])

        var isEmpty: Bool {
            switch self {
            case .string(let text): text.trimmingCharacters(in: .whitespaces).isEmpty
            case .number: false
            case .strings(let list): list.isEmpty
            }
        }
    }

    private static func typed(_ raw: RawValue, _ field: ApprovalField) -> Result<ApprovalValue, ApprovalProblemText> {
        switch (field.type, raw) {
        case (.text, .string(let text)), (.longText, .string(let text)):
            let limit = field.type == .text ? 300 : 10_000
            return text.count <= limit ? .success(.text(text)) : .failure(.init("Keep \(field.label) under \(limit) characters."))
        case (.number, .number(let number)), (.money, .number(let number)):
            guard number.isFinite, abs(number) < 1e15 else { return .failure(.init("\(field.label) must be a number.")) }
            if field.type == .money && number < 0 { return .failure(.init("\(field.label) cannot be negative.")) }
            return .success(.number(number))
        case (.number, .string(let text)), (.money, .string(let text)):
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else {
                return .failure(.init("\(field.label) must be a number."))
            }
            return typed(.number(number), field)
        case (.date, .string(let text)):
            guard let date = BatonDate.parseISO(text) ?? BatonDate.parseLocal(text, timeZone: "UTC") else {
                return .failure(.init("\(field.label) must be a date (2027-01-31)."))
            }
            return .success(.date(date))
        case (.singleSelect, .string(let text)), (.clientTier, .string(let text)), (.riskCategory, .string(let text)):
            guard let choices = field.choices, choices.contains(text) else {
                return .failure(.init("\(field.label) is one of \((field.choices ?? []).joined(separator: ", "))."))
            }
            return .success(.text(text))
        case (.multiSelect, .strings(let list)):
            guard let choices = field.choices, list.allSatisfy(choices.contains) else {
                return .failure(.init("\(field.label) takes only \((field.choices ?? []).joined(separator: ", "))."))
            }
            return .success(.list(list))
        case (.person, .string(let text)), (.taskLink, .string(let text)):
            guard let id = UUID(uuidString: text) else { return .failure(.init("\(field.label) must be an id.")) }
            return .success(.reference(id.uuidString.lowercased()))
        default:
            return .failure(.init("\(field.label) has the wrong type of value."))
        }
    }
}

struct ApprovalProblemText: Error, Sendable {
    let text: String
    init(_ text: String) { self.text = text }
}
