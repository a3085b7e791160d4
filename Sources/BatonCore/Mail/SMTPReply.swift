/// One SMTP reply: a three-digit code and its text, from one or more lines ("250-…", "250 …").
public struct SMTPReply: Sendable, Equatable {
    public let code: Int
    public let lines: [String]

    public init(code: Int, lines: [String]) {
        self.code = code
        self.lines = lines
    }

    public var isPositive: Bool { (200..<400).contains(code) }
    public var text: String { lines.joined(separator: " ") }

    /// Reads a complete reply from the start of `lines`: returns it and how many lines it used, or
    /// nil while the last line of the reply has not arrived.
    public static func parse(_ lines: [String]) -> (reply: SMTPReply, used: Int)? {
        var texts: [String] = []
        for (index, line) in lines.enumerated() {
            let bytes = Array(line.utf8)
            guard bytes.count >= 3, let code = Int(String(decoding: bytes[0..<3], as: UTF8.self)) else {
                return (SMTPReply(code: 0, lines: texts + [line]), index + 1)
            }
            texts.append(bytes.count > 4 ? String(decoding: bytes[4...], as: UTF8.self) : "")
            if bytes.count == 3 || bytes[3] == UInt8(ascii: " ") { return (SMTPReply(code: code, lines: texts), index + 1) }
        }
        return nil
    }
}
