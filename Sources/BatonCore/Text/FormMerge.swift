/// Three-way merge of a form: what the form showed when it was opened (`base`, as a fingerprint
/// of each field), what the user posts, and what is stored now. Fields only the user changed are
/// applied even though someone else saved in between; a field both changed differently is a clash.
public enum FormMerge {
    /// `key=hash` pairs, `&`-separated; keys are form field names (no `=` or `&`).
    public static func fingerprint(_ values: [String: String]) -> String {
        values.sorted { $0.key < $1.key }.map { "\($0.key)=\(String(hash($0.value), radix: 16))" }.joined(separator: "&")
    }

    public static func parse(_ fingerprint: String) -> [String: UInt64] {
        var result: [String: UInt64] = [:]
        for pair in fingerprint.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, let value = UInt64(parts[1], radix: 16) else { continue }
            result[String(parts[0])] = value
        }
        return result
    }

    public struct Outcome: Sendable, Equatable {
        /// Fields the user changed.
        public let mine: Set<String>
        /// Fields stored differently from what the form showed.
        public let theirs: Set<String>
        /// Changed on both sides, to different values.
        public let clashes: Set<String>
    }

    /// Only the fields in `base` count: a form shows what it may change. A missing posted value
    /// is an empty one (an unticked checkbox sends nothing).
    public static func compare(base: [String: UInt64], posted: [String: String], current: [String: String]) -> Outcome {
        var mine: Set<String> = []
        var theirs: Set<String> = []
        for (key, shown) in base {
            if hash(posted[key] ?? "") != shown { mine.insert(key) }
            if hash(current[key] ?? "") != shown { theirs.insert(key) }
        }
        let clashes = mine.intersection(theirs).filter { normalized(posted[$0] ?? "") != normalized(current[$0] ?? "") }
        return Outcome(mine: mine, theirs: theirs, clashes: clashes)
    }

    /// Browsers send a textarea's line breaks as CRLF.
    static func normalized(_ value: String) -> String {
        value.replacingOccurrences(of: "\r\n", with: "\n")
    }

    /// FNV-1a over the normalized UTF-8: stable across processes (Swift's Hasher is seeded per run).
    static func hash(_ value: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in normalized(value).utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return hash
    }
}
