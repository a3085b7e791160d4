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
        // bcrypt reads a C string: everything after a NUL would not count.
        if password.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
            return "Password must not contain control characters."
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
              !email.contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" }),
              email.unicodeScalars.allSatisfy({ DisplayText.isAllowed($0, lines: false) })
        else { return nil }
        return email
    }
}

public enum DisplayText {
    /// Trimmed text within a length limit, or a message saying what is wrong. A name or title is
    /// one line (`lines: false`): no line breaks, tabs, control characters or bidirectional
    /// overrides, since it ends up in headers, file names, CSV cells and one-line lists. Longer
    /// text (`lines: true`) keeps its line breaks, written as `\n` whatever the client sent.
    public static func validate(_ raw: String, label: String, max: Int, required: Bool = true,
                                lines: Bool = false) -> Result<String, TextProblem> {
        let text = lines ? paragraphs(raw) : raw.trimmingCharacters(in: .whitespacesAndNewlines)
        if required && text.isEmpty { return .failure(TextProblem(message: "\(label) is required.")) }
        if text.count > max { return .failure(TextProblem(message: "\(label) must be at most \(max) characters.")) }
        if let problem = problem(in: text, lines: lines) { return .failure(TextProblem(message: "\(label) \(problem).")) }
        return .success(text)
    }

    /// Line breaks as `\n`, without blank lines before or whitespace after; the first line keeps
    /// its indentation (markdown reads four leading spaces as code).
    private static func paragraphs(_ raw: String) -> String {
        var lines = raw.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .split(separator: "\n", omittingEmptySubsequences: false)
        while let first = lines.first, first.allSatisfy(\.isWhitespace) { lines.removeFirst() }
        var text = lines.joined(separator: "\n")
        while let last = text.last, last.isWhitespace { text.removeLast() }
        return text
    }

    /// What is wrong with the characters of `text`, completing "<label> …", or nil.
    public static func problem(in text: String, lines: Bool) -> String? {
        guard let bad = text.unicodeScalars.first(where: { !isAllowed($0, lines: lines) }) else { return nil }
        if !lines && bad == "\t" { return "must not contain a tab" }
        if !lines && (bad == "\n" || bad == "\r" || bad.properties.generalCategory == .lineSeparator
                      || bad.properties.generalCategory == .paragraphSeparator) {
            return "must be one line"
        }
        return "must not contain the invisible character \(codePoint(bad))"
    }

    /// The first problem among several one-line entries (tags, options, list items), or nil.
    public static func problem(inEach values: some Sequence<String>) -> String? {
        values.lazy.compactMap { problem(in: $0, lines: false) }.first
    }

    /// `U+0000`, as messages name a character.
    public static func codePoint(_ scalar: Unicode.Scalar) -> String {
        "U+" + String(format: "%04X", scalar.value)
    }

    /// Any request text: printable characters, tabs and line breaks (NUL and other control
    /// characters break headers, PostgreSQL's text type and C strings alike).
    public static func isAllowed(_ scalar: Unicode.Scalar, lines: Bool) -> Bool {
        let category = scalar.properties.generalCategory
        if category == .control { return lines && (scalar == "\n" || scalar == "\r" || scalar == "\t") }
        if lines { return true }
        if category == .lineSeparator || category == .paragraphSeparator { return false }
        // Invisible format characters (bidirectional overrides, zero-width spaces, soft hyphens)
        // make a name read differently from what it is, or two names look alike. The joiners
        // stay: Persian, Indic scripts and emoji sequences need them.
        return category != .format || scalar.value == 0x200C || scalar.value == 0x200D
    }

    /// A one-line name stored before the rule: line breaks and tabs become spaces, other
    /// characters a name may not hold go; what is left, or `fallback`.
    public static func repairedLine(_ text: String, fallback: String) -> String {
        let kept = String(String.UnicodeScalarView(oneLine(text).unicodeScalars.filter { isAllowed($0, lines: false) }))
            .trimmingCharacters(in: .whitespacesAndNewlines)
        return kept.isEmpty ? fallback : kept
    }

    /// Text from a one-line cell that was written on several (a spreadsheet's title): each run of
    /// whitespace with a line break or a tab in it becomes one space.
    public static func oneLine(_ text: String) -> String {
        var result = ""
        var pendingSpace = false
        for character in text {
            if character.isNewline || character == "\t" {
                pendingSpace = true
            } else if pendingSpace && character.isWhitespace {
                continue
            } else {
                if pendingSpace {
                    while result.last?.isWhitespace == true { result.removeLast() }
                    result.append(" ")
                    pendingSpace = false
                }
                result.append(character)
            }
        }
        return result
    }

    public struct TextProblem: Error, Equatable, Sendable {
        public let message: String
    }
}

public enum TimeZoneName {
    /// The profile's list: UTC first, then every known zone, always with the person's own
    /// (Linux's list may lack UTC, and a select without the stored value shows its first entry).
    public static func choices(including current: String) -> [String] {
        let known = Set(TimeZone.knownTimeZoneIdentifiers).union([current]).subtracting(["UTC"])
        return ["UTC"] + known.sorted()
    }

    public static func isValid(_ identifier: String) -> Bool {
        TimeZone(identifier: identifier) != nil && !identifier.isEmpty
    }
}
