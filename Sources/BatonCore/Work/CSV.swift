/// RFC 4180 CSV: quoted fields, doubled quotes, commas and line breaks inside quotes, CRLF or LF.
public enum CSV {
    public struct Record: Sendable, Equatable {
        /// 1-based line on which the record starts (a quoted field may span lines).
        public let line: Int
        public let fields: [String]
    }

    public struct ParseError: Error, Equatable, Sendable {
        public let line: Int
        public let message: String
    }

    public static func parse(_ text: String) throws -> [Record] {
        var records: [Record] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var line = 1
        var recordLine = 1
        var fieldStarted = false
        var characters = Array(text.unicodeScalars)
        if characters.first == "\u{FEFF}" { characters.removeFirst() }
        var index = 0
        func endRecord() {
            fields.append(field)
            if !(fields.count == 1 && fields[0].isEmpty) { records.append(Record(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            fieldStarted = false
        }
        while index < characters.count {
            let character = characters[index]
            if inQuotes {
                if character == "\"" {
                    if index + 1 < characters.count, characters[index + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        index += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if character == "\n" { line += 1 }
                    field.unicodeScalars.append(character)
                }
            } else {
                switch character {
                case "\"":
                    guard !fieldStarted else { throw ParseError(line: line, message: "A quote inside an unquoted field.") }
                    inQuotes = true
                    fieldStarted = true
                case ",":
                    fields.append(field)
                    field = ""
                    fieldStarted = false
                case "\r":
                    break
                case "\n":
                    endRecord()
                    line += 1
                    recordLine = line
                default:
                    field.unicodeScalars.append(character)
                    fieldStarted = true
                }
            }
            index += 1
        }
        if inQuotes { throw ParseError(line: recordLine, message: "A quoted field is not closed.") }
        if fieldStarted || !field.isEmpty || !fields.isEmpty { endRecord() }
        return records
    }

    /// What a spreadsheet may run as a formula when a cell starts with it (OWASP's list).
    static let formulaStarts: Set<Character> = ["=", "+", "-", "@", "\t", "\r"]

    /// Undoes `escape`'s formula guard on import: one leading `'` before a formula start or `'`.
    /// ("'Tis" keeps its apostrophe.)
    public static func removingFormulaGuard(_ field: String) -> String {
        guard field.hasPrefix("'"), let second = field.dropFirst().first, formulaStarts.contains(second) || second == "'" else { return field }
        return String(field.dropFirst())
    }

    public static func format(_ rows: [[String]]) -> String {
        rows.map { row in row.map(escape).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    /// A leading =, +, -, @, tab or CR gets a `'` so spreadsheets do not run it as a formula; so does a
    /// leading `'` before one of those or another `'`, so that `removingFormulaGuard` gives back
    /// exactly what was exported. Numbers such as -5 are left alone.
    static func escape(_ field: String) -> String {
        var value = field
        if let first = value.first, formulaStarts.contains(first), Double(value) == nil {
            value = "'" + value
        } else if value.hasPrefix("'"), let second = value.dropFirst().first, formulaStarts.contains(second) || second == "'" {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
