import Foundation

public enum PasswordPolicy {
    public static let minimumLength = 10
    public static let maximumLength = 200

    /// A message for the person, or nil when the password is acceptable.
    public static func problem(with password: String) -> String? {
        if password.count < minimumLength {
            return "Password must be at least \(minimumLength) characters."
        }
        if password.count > maximumLength {
            return "Password must be at most \(maximumLength) characters."
        }
        if password.allSatisfy({ $0 == password.first }) {
            return "Password must not be one repeated character."
        }
        return nil
    }
}

public enum EmailAddress {
    /// Lowercased and trimmed, or nil when it does not look like an address.
    public static func normalized(_ raw: String) -> String? {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard email.count <= 254 else { return nil }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" })
        else { return nil }
        return email
    }
}

public enum DisplayText {
    /// Trimmed text within a length limit, or a message saying what is wrong.
    public static func validate(_ raw: String, label: String, max: Int, required: Bool = true) -> Result<String, TextProblem> {
        let text = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && text.isEmpty { return .failure(TextProblem(message: "\(label) is required.")) }
        if text.count > max { return .failure(TextProblem(message: "\(label) must be at most \(max) characters.")) }
        return .success(text)
    }

    public struct TextProblem: Error, Equatable, Sendable {
        public let message: String
    }
}

public enum TimeZoneName {
    public static func isValid(_ identifier: String) -> Bool {
        TimeZone(identifier: identifier) != nil && !identifier.isEmpty
    }
}
