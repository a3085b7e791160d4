import Foundation

/// One email as it goes over SMTP: headers, a plain-text part and an HTML part (multipart/
/// alternative, each base64 so no line is too long and no byte is mangled), and a
/// `List-Unsubscribe` link. Header values never carry a line break (no header injection).
public struct MailMessage: Sendable, Equatable {
    public var from: String
    public var to: String
    public var subject: String
    public var text: String
    public var html: String
    public var unsubscribe: String?
    public var messageID: String
    public var date: Date

    public init(from: String, to: String, subject: String, text: String, html: String, unsubscribe: String? = nil,
                messageID: String, date: Date) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.unsubscribe = unsubscribe
        self.messageID = messageID
        self.date = date
    }

    /// The bare address of `from` (`Baton <baton@acme.test>` → `baton@acme.test`), for MAIL FROM.
    public static func address(_ mailbox: String) -> String {
        guard let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close else {
            return mailbox.trimmingCharacters(in: .whitespaces)
        }
        return String(mailbox[mailbox.index(after: open)..<close]).trimmingCharacters(in: .whitespaces)
    }

    /// The message as SMTP's DATA carries it, lines ending in CRLF, before dot-stuffing.
    public func rendered(boundary: String) -> String {
        var headers = [
            ("From", Self.oneLine(from)), ("To", Self.oneLine(to)), ("Subject", Self.encodedWord(subject)),
            ("Date", Self.rfc5322(date)), ("Message-ID", "<\(Self.oneLine(messageID))>"), ("MIME-Version", "1.0"),
        ]
        if let unsubscribe { headers.append(("List-Unsubscribe", "<\(Self.oneLine(unsubscribe))>")) }
        headers.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
        var lines = headers.map { "\($0.0): \($0.1)" }
        lines.append("")
        for (type, body) in [("text/plain", text), ("text/html", html)] {
            lines += ["--\(boundary)", "Content-Type: \(type); charset=utf-8", "Content-Transfer-Encoding: base64", ""]
            lines += Self.base64Lines(body)
        }
        lines.append("--\(boundary)--")
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    /// SMTP's DATA: a line that starts with "." gets another, and the end is "\r\n.\r\n".
    public static func dotStuffed(_ rendered: String) -> String {
        rendered.components(separatedBy: "\r\n").map { $0.hasPrefix(".") ? "." + $0 : $0 }.joined(separator: "\r\n")
    }

    static func oneLine(_ value: String) -> String {
        String(value.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0.properties.generalCategory != .control }
            .map(Character.init))
    }

    /// RFC 2047: ASCII stays as it is; anything else is `=?utf-8?B?…?=`.
    static func encodedWord(_ value: String) -> String {
        let line = oneLine(value)
        guard !line.unicodeScalars.allSatisfy({ $0.isASCII }) else { return line }
        return "=?utf-8?B?\(Data(line.utf8).base64EncodedString())?="
    }

    static func base64Lines(_ body: String) -> [String] {
        let encoded = Data(body.utf8).base64EncodedString()
        return stride(from: 0, to: encoded.count, by: 76).map { start in
            let from = encoded.index(encoded.startIndex, offsetBy: start)
            return String(encoded[from..<(encoded.index(from, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
        }
    }

    static func rfc5322(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// HTML for a plain text: escaped, paragraphs kept, links left as text.
    public static func html(fromText text: String, title: String) -> String {
        func escape(_ value: String) -> String {
            value.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let paragraphs = text.components(separatedBy: "\n\n").map { "<p>\(escape($0).replacingOccurrences(of: "\n", with: "<br>"))</p>" }
        return "<!doctype html><html><head><meta charset=\"utf-8\"><title>\(escape(title))</title></head>"
            + "<body style=\"font-family: system-ui, sans-serif; line-height: 1.5; color: #1f2430\">"
            + paragraphs.joined() + "</body></html>"
    }
}
