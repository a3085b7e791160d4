/// `@handle` mentions in markdown text. A handle is matched against people's names and emails
/// by the caller; here we only find them, skipping code spans and email addresses.
public enum Mentions {
    public static func handles(in text: String) -> [String] {
        var found: [String] = []
        var inCode = false
        var previous: Character = " "
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            if character == "`" { inCode.toggle() }
            if character == "@", !inCode, !(previous.isLetter || previous.isNumber) {
                var end = text.index(after: index)
                while end < text.endIndex, text[end].isLetter || text[end].isNumber || "._-".contains(text[end]) {
                    end = text.index(after: end)
                }
                var handle = String(text[text.index(after: index)..<end])
                while let last = handle.last, ".-_".contains(last) { handle.removeLast() }
                if !handle.isEmpty, !found.contains(handle.lowercased()) { found.append(handle.lowercased()) }
                index = end
                previous = "x"
                continue
            }
            previous = character
            index = text.index(after: index)
        }
        return found
    }

    /// The handle people use for someone: the email's local part ("tom" for tom@acme.test).
    public static func handle(forEmail email: String) -> String {
        String(email.split(separator: "@").first ?? "").lowercased()
    }
}
