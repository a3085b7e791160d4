import Vapor

extension Request {
    /// A query-string parameter as text (`+` is a space, percent escapes decoded; the first of
    /// repeated names wins). The query is parsed once per request: Vapor's `query[String.self,
    /// at:]` parses the whole string again for every name, a dozen times for a filtered list.
    func queryText(_ name: String) -> String? {
        if let parsed = storage[QueryTextKey.self] { return parsed[name] }
        var parsed: [String: String] = [:]
        for pair in (url.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = Self.decodeComponent(parts[0]), parsed[key] == nil else { continue }
            parsed[key] = parts.count == 2 ? Self.decodeComponent(parts[1]) : ""
        }
        storage[QueryTextKey.self] = parsed
        return parsed[name]
    }

    /// An id in the query (`?workspace_id=`): nil when absent or empty, a 422 naming it when not an id.
    func queryID(_ name: String) throws -> UUID? {
        guard let raw = queryText(name), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else { throw BatonError.validation(name, "\(name) must be an id.") }
        return id
    }

    private static func decodeComponent(_ text: Substring) -> String? {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}

private struct QueryTextKey: StorageKey { typealias Value = [String: String] }
