/// The first few entries of a long list and how many more: "“A”; “B” and 3 more".
public enum FirstFew {
    public static func text(_ entries: [String], separator: String, limit: Int = 5) -> String {
        entries.prefix(limit).joined(separator: separator) + (entries.count > limit ? " and \(entries.count - limit) more" : "")
    }
}
