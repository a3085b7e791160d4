import Ink

/// User-written text (descriptions, comments; documents and messages next) as HTML: markdown
/// through Ink, then HTMLSanitizer, then task-list boxes, `@handle` mentions and `#123` task
/// references turned into links by the resolvers the caller gives.
public struct MarkdownRenderer: Sendable {
    public struct Link: Sendable, Equatable {
        public let url: String
        public let title: String
        public init(url: String, title: String) { self.url = url; self.title = title }
    }

    /// A handle (lowercased, as Mentions finds it) → where it points, or nil to leave it as text.
    public var mention: @Sendable (String) -> Link?
    /// A task number → where it points, or nil.
    public var task: @Sendable (Int) -> Link?

    public init(mention: @escaping @Sendable (String) -> Link? = { _ in nil }, task: @escaping @Sendable (Int) -> Link? = { _ in nil }) {
        self.mention = mention
        self.task = task
    }

    public func html(_ markdown: String) -> String {
        let rendered = MarkdownParser().html(from: Self.shielded(markdown))
        return linkText(in: HTMLSanitizer.sanitize(Self.unshielded(rendered)))
    }

    /// Characters Ink spends quadratic time on (or overflows the stack with) without making
    /// markdown of them, hidden from it as private-use stand-ins: every `<` (raw HTML is never
    /// kept), `!` not before `[`, and a `[` nested more than two deep (`[![image](src)](link)` is
    /// as deep as links go).
    static func shielded(_ text: String) -> String {
        var output = String.UnicodeScalarView()
        var depth = 0
        let scalars = Array(text.unicodeScalars)
        let reach = Reach(scalars)
        for (index, scalar) in scalars.enumerated() {
            switch scalar {
            case Stand.lessThan.scalar, Stand.bracket.scalar, Stand.bang.scalar, Stand.ampersand.scalar, Stand.paren.scalar:
                output.append("\u{FFFD}")
            case "<": output.append(Stand.lessThan.scalar)
            case "&" where !Self.startsEntity(scalars, at: index): output.append(Stand.ampersand.scalar)
            case "!" where index + 1 >= scalars.count || scalars[index + 1] != "[": output.append(Stand.bang.scalar)
            // a link's `(`: Ink reads on to its `)` from every one, so one with no `)` close by is text
            case "(" where index > 0 && scalars[index - 1] == "]" && !reach.closes(index, with: reach.nextParen):
                output.append(Stand.paren.scalar)
            // likewise a `[` with no `]` on its line close by: Ink reads on from it to the end
            case "[":
                depth += 1
                let opens = depth <= 2 && reach.closes(index, with: reach.nextBracket)
                output.append(opens ? scalar : Stand.bracket.scalar)
            case "]":
                depth = max(0, depth - 1)
                output.append(scalar)
            case "\n" where index + 1 < scalars.count && scalars[index + 1] == "\n":
                depth = 0
                output.append(scalar)
            default:
                output.append(scalar)
            }
        }
        return String(output)
    }

    /// For each position, where the next `)`, `]` and line break are: one backward pass, so
    /// asking whether a bracket closes costs nothing however long the text.
    struct Reach {
        /// How far a link's text, target and title may run (`[text](https://… "title")`).
        static let limit = 4096
        let nextParen: [Int]
        let nextBracket: [Int]
        let nextLineBreak: [Int]

        init(_ scalars: [Unicode.Scalar]) {
            var paren = [Int](repeating: Int.max, count: scalars.count + 1)
            var bracket = paren
            var lineBreak = paren
            for index in stride(from: scalars.count - 1, through: 0, by: -1) {
                paren[index] = scalars[index] == ")" ? index : paren[index + 1]
                bracket[index] = scalars[index] == "]" ? index : bracket[index + 1]
                lineBreak[index] = scalars[index] == "\n" ? index : lineBreak[index + 1]
            }
            (nextParen, nextBracket, nextLineBreak) = (paren, bracket, lineBreak)
        }

        /// Whether the bracket at `index` closes (`next` is `nextParen` or `nextBracket`) on its
        /// line within the limit.
        func closes(_ index: Int, with next: [Int]) -> Bool {
            let close = next[index + 1]
            return close != Int.max && close < nextLineBreak[index + 1] && close - index <= Self.limit
        }
    }

    /// `&amp;`, `&#60;`, `&#x3C;`: Ink keeps an entity as it is, and reads on to a `;` from every
    /// `&` it meets, so only a real one is shown to it.
    static func startsEntity(_ scalars: [Unicode.Scalar], at index: Int) -> Bool {
        var next = index + 1
        while next < scalars.count, next - index <= 10, scalars[next].isASCII,
              scalars[next].properties.isAlphabetic || ("0"..."9").contains(scalars[next]) || (scalars[next] == "#" && next == index + 1) {
            next += 1
        }
        return next > index + 1 && next < scalars.count && scalars[next] == ";"
    }

    /// One pass over the UTF-8 bytes (a stand-in is `EE 80 8x`): Foundation's
    /// `replacingOccurrences` folds every character it looks at.
    static func unshielded(_ html: String) -> String {
        let bytes = Array(html.utf8)
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count + bytes.count / 8)
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0xEE, index + 2 < bytes.count, bytes[index + 1] == 0x80, let stand = Stand(lastByte: bytes[index + 2]) {
                output.append(contentsOf: stand.original)
                index += 3
            } else {
                output.append(bytes[index])
                index += 1
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    /// U+E000 + the raw value; in UTF-8 that is `EE 80` and `80` + the raw value.
    private enum Stand: UInt8 {
        case lessThan, bracket, bang, ampersand, paren

        init?(lastByte: UInt8) {
            guard lastByte >= 0x80 else { return nil }
            self.init(rawValue: lastByte - 0x80)
        }

        /// What the page shows for it (escaped where the character was).
        var original: [UInt8] {
            switch self {
            case .ampersand: Array("&amp;".utf8)
            case .lessThan: Array("&lt;".utf8)
            case .bracket: [UInt8(ascii: "[")]
            case .bang: [UInt8(ascii: "!")]
            case .paren: [UInt8(ascii: "(")]
            }
        }

        var scalar: Unicode.Scalar { Unicode.Scalar(0xE000 + UInt32(rawValue))! }
    }

    /// Rewrites the text between tags, outside code and links. The input is the sanitizer's
    /// output: every `<` starts one of its tags.
    private func linkText(in html: String) -> String {
        var output = ""
        output.reserveCapacity(html.utf8.count)
        var quiet = 0  // inside code, pre or a
        var rest = Substring(html)
        // searched as UTF-8: Character searches break graphemes at every step
        while let open = rest.utf8.firstIndex(of: UInt8(ascii: "<")) {
            output += quiet > 0 ? String(rest[..<open]) : linked(rest[..<open])
            guard let close = rest[open...].utf8.firstIndex(of: UInt8(ascii: ">")) else { break }
            let tag = rest[open...close]
            let closing = tag.utf8.dropFirst().first == UInt8(ascii: "/")
            let name = tag.utf8.dropFirst(closing ? 2 : 1).prefix(while: { (0x61...0x7A).contains($0) || (0x30...0x39).contains($0) })
            if name.elementsEqual("code".utf8) || name.elementsEqual("pre".utf8) || name.elementsEqual("a".utf8) { quiet += closing ? -1 : 1 }
            rest = rest[rest.index(after: close)...]
            if tag.utf8.elementsEqual("<li>".utf8), let box = taskListBox(rest.prefix(4)) {
                output += #"<li class="task">"# + box
                rest = rest.dropFirst(4)
            } else {
                output += tag
            }
        }
        output += quiet > 0 ? String(rest) : linked(rest)
        return output
    }

    /// `[ ] ` or `[x] ` at the start of a list item, as a checkbox.
    private func taskListBox(_ marker: Substring) -> String? {
        switch marker.lowercased() {
        case "[ ] ": #"<input type="checkbox" disabled aria-label="not done"> "#
        case "[x] ": #"<input type="checkbox" checked disabled aria-label="done"> "#
        default: nil
        }
    }

    /// `@handle` and `#123` in escaped text; an email address, an entity (`&#123;`) or a word
    /// that runs on is left alone.
    private func linked(_ text: Substring) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "@") || $0 == UInt8(ascii: "#") }) else { return String(text) }
        var output = ""
        var index = text.startIndex
        var previous: Character = " "
        while index < text.endIndex {
            let character = text[index]
            let standsAlone = !(previous.isLetter || previous.isNumber || previous == "&" || previous == "@" || previous == "#" || previous == "/")
            if standsAlone, character == "@" || character == "#" {
                var end = text.index(after: index)
                let allowed: (Character) -> Bool = character == "@"
                    ? { $0.isLetter || $0.isNumber || "._-".contains($0) } : { $0.isASCII && $0.isNumber }
                while end < text.endIndex, allowed(text[end]) { end = text.index(after: end) }
                var word = String(text[text.index(after: index)..<end])
                while let last = word.last, ".-_".contains(last) { word.removeLast(); end = text.index(before: end) }
                let runsOn = end < text.endIndex && (text[end].isLetter || text[end].isNumber)
                let link = word.isEmpty || runsOn ? nil
                    : character == "@" ? mention(word.lowercased()) : Int(word).flatMap(task)
                if let link {
                    let written = String(character) + word
                    output += "<a href=\"\(HTMLSanitizer.escapeAttribute(link.url))\" class=\"\(character == "@" ? "mention" : "reference")\""
                        + " title=\"\(HTMLSanitizer.escapeAttribute(link.title))\">\(written)</a>"
                    index = end
                    previous = "x"
                    continue
                }
            }
            output.append(character)
            previous = character
            index = text.index(after: index)
        }
        return output
    }
}
