import Foundation

/// A live summary of something a text names: a task's `#12`, a pasted link to an approval
/// request. Shown under the text, current as of the page's rendering.
struct LinkChip: Sendable, Encodable, Equatable {
    let url: String
    let title: String
    /// Where it stands: a task's stage, a request's step or outcome.
    let stage: String
    /// Whose it is now: a task's assignee, the approvers a request waits on.
    let assignee: String
    let done: Bool
}

/// The paths of this workspace's pages that a text links to, absolute (`https://host/w/…`) or
/// relative, in order of appearance and each once.
enum WorkspaceLinks {
    private static let pattern = try! NSRegularExpression(pattern: "/w/([0-9a-fA-F-]{36})/[A-Za-z0-9._~/-]+")

    static func paths(in text: String, workspaceID: UUID, limit: Int = 10) -> [String] {
        guard text.contains("/w/") else { return [] }
        let workspace = workspaceID.uuidString.lowercased()
        var found: [String] = []
        let range = NSRange(text.startIndex..., in: text)
        for match in pattern.matches(in: text, range: range) {
            guard let whole = Range(match.range, in: text), let id = Range(match.range(at: 1), in: text),
                  text[id].lowercased() == workspace else { continue }
            var path = String(text[whole])
            while path.hasSuffix(".") || path.hasSuffix("/") { path.removeLast() }
            let normalized = "/w/" + workspace + path.dropFirst(3 + 36)
            if !found.contains(normalized) { found.append(normalized) }
            if found.count == limit { break }
        }
        return found
    }
}
