/// Keeps the HTML a markdown renderer produces and nothing else: an allow-list of elements and
/// attributes, links only to http, https and mailto, every element closed in order. Anything
/// else that looks like markup (raw HTML typed by a user, which Ink passes through) is shown as
/// text: `<script>` arrives as `&lt;script&gt;`.
public enum HTMLSanitizer {
    /// Element → the attributes it may keep.
    static let allowed: [String: Set<String>] = [
        "p": [], "br": [], "hr": [], "em": [], "strong": [], "del": [], "code": ["class"], "pre": [],
        "blockquote": [], "ul": [], "ol": ["start"], "li": [], "a": ["href"],
        "h1": [], "h2": [], "h3": [], "h4": [], "h5": [], "h6": [],
        "table": [], "thead": [], "tbody": [], "tr": [], "th": ["align"], "td": ["align"],
    ]
    static let void: Set<String> = ["br", "hr"]

    public static func sanitize(_ html: String) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + 64)
        func emit(_ text: String) { output.append(contentsOf: text.utf8) }
        // Open elements; a link that lost its target is open but was not written.
        var open: [(name: String, written: Bool)] = []
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "<") else {
                if byte == UInt8(ascii: ">") { emit("&gt;") } else { output.append(byte) }
                index += 1
                continue
            }
            guard let tag = Tag.parse(bytes, at: index), allowed[tag.name] != nil || tag.name == "img" else {
                emit("&lt;")
                index += 1
                continue
            }
            index = tag.end
            if tag.closing {
                // Close up to the matching element; one that is not open is dropped.
                guard let position = open.lastIndex(where: { $0.name == tag.name }) else { continue }
                while open.count > position {
                    let element = open.removeLast()
                    if element.written { emit("</\(element.name)>") }
                }
            } else if tag.name == "img" {
                // An image is shown as a link to it (CSP would not load it anyway), or as its text.
                let alt = tag.attributes.first(where: { $0.0 == "alt" })?.1 ?? "image"
                if let source = tag.attributes.first(where: { $0.0 == "src" })?.1, isAllowedLink(source) {
                    emit("<a href=\"\(escapeAttribute(source))\" rel=\"noopener nofollow\">\(escapeAttribute(alt))</a>")
                } else {
                    emit(escapeAttribute(alt))
                }
            } else if let rendered = render(tag) {
                emit(rendered)
                if !void.contains(tag.name) { open.append((tag.name, true)) }
            } else {
                open.append((tag.name, false))
            }
        }
        for element in open.reversed() where element.written { emit("</\(element.name)>") }
        return String(decoding: output, as: UTF8.self)
    }

    /// The tag as it may appear, or nil when it may not.
    static func render(_ tag: Tag) -> String? {
        guard let permitted = allowed[tag.name] else { return nil }
        var attributes = ""
        for (name, value) in tag.attributes where permitted.contains(name) {
            switch (tag.name, name) {
            case ("a", "href"):
                guard isAllowedLink(value) else { return nil }
                attributes += " href=\"\(escapeAttribute(value))\" rel=\"noopener nofollow\""
            case ("code", "class"):
                guard value.hasPrefix("language-"), value.dropFirst(9).allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-#_".contains($0)) })
                else { continue }
                attributes += " class=\"\(value)\""
            case ("ol", "start"):
                guard let number = Int(value), number >= 0, number < 1_000_000 else { continue }
                attributes += " start=\"\(number)\""
            case (_, "align"):
                guard ["left", "center", "right"].contains(value) else { continue }
                attributes += " align=\"\(value)\""
            default:
                continue
            }
        }
        if tag.name == "a" && !attributes.contains("href=") { return nil }
        return "<\(tag.name)\(attributes)>"
    }

    /// http, https and mailto, spelled out at the very start (an entity or a space before the
    /// scheme is not a scheme a browser would agree on).
    public static func isAllowedLink(_ value: String) -> Bool {
        let lower = value.lowercased()
        let scheme: String
        if lower.hasPrefix("https://") { scheme = "https" } else if lower.hasPrefix("http://") { scheme = "http" }
        else if lower.hasPrefix("mailto:") { scheme = "mailto" } else { return false }
        return !value.dropFirst(scheme.count).contains(where: { $0.isWhitespace || $0 == "<" || $0 == ">" || $0 == "\"" })
    }

    static func escapeAttribute(_ value: String) -> String {
        value.replacingOccurrences(of: "\"", with: "&quot;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    /// `<name attr="value" …>` or `</name>`, exactly as a renderer writes it.
    struct Tag {
        var name: String
        var closing: Bool
        var attributes: [(String, String)]
        var end: Int

        static func parse(_ bytes: [UInt8], at start: Int) -> Tag? {
            var index = start + 1
            let closing = index < bytes.count && bytes[index] == UInt8(ascii: "/")
            if closing { index += 1 }
            let nameStart = index
            while index < bytes.count, isNameByte(bytes[index]) { index += 1 }
            guard index > nameStart, index - nameStart <= 10 else { return nil }
            let name = String(decoding: bytes[nameStart..<index], as: UTF8.self).lowercased()
            var attributes: [(String, String)] = []
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: ">") { return Tag(name: name, closing: closing, attributes: attributes, end: index + 1) }
                if byte == UInt8(ascii: "/"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: ">"), !closing {
                    return Tag(name: name, closing: false, attributes: attributes, end: index + 2)
                }
                guard byte == UInt8(ascii: " "), !closing else { return nil }
                index += 1
                let attributeStart = index
                while index < bytes.count, isNameByte(bytes[index]) || bytes[index] == UInt8(ascii: "-") { index += 1 }
                guard index > attributeStart, index + 1 < bytes.count, bytes[index] == UInt8(ascii: "="),
                      bytes[index + 1] == UInt8(ascii: "\"") else { return nil }
                let attribute = String(decoding: bytes[attributeStart..<index], as: UTF8.self).lowercased()
                index += 2
                let valueStart = index
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "<") || bytes[index] == UInt8(ascii: ">") { return nil }
                    index += 1
                }
                guard index < bytes.count else { return nil }
                attributes.append((attribute, String(decoding: bytes[valueStart..<index], as: UTF8.self)))
                index += 1
            }
            return nil
        }

        private static func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
                || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
        }
    }
}
