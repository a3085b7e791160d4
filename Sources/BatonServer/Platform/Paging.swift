import Vapor
import BatonCore

extension Request {
    /// `?limit=`: absent means the standard page size; anything but 1…max is a 422.
    func pageSize() throws -> Int {
        let raw = queryText("limit")
        guard let raw, !raw.isEmpty else { return PageSize.standard }
        guard let value = Int(raw), let size = PageSize.resolve(value) else {
            throw BatonError.validation("limit", "limit must be a whole number from 1 to \(PageSize.maximum).")
        }
        return size
    }

    /// An integer cursor such as `?after=<event id>`.
    func cursorParameter(_ name: String) throws -> Int? {
        guard let raw = queryText(name), !raw.isEmpty else { return nil }
        guard let value = Int(raw), value >= 0 else {
            throw BatonError.validation(name, "\(name) must be a cursor returned by a previous page.")
        }
        return value
    }
}

/// The envelope of every list response: `{"data": [...], "next_cursor": ...}`, the cursor
/// always present (null on the last page), as the OpenAPI document says.
struct ListPage<Item: Content>: Content {
    let data: [Item]
    let nextCursor: String?

    init(data: [Item], nextCursor: String?) {
        self.data = data
        self.nextCursor = nextCursor
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(data, forKey: .data)
        try container.encode(nextCursor, forKey: .nextCursor)
    }

    enum CodingKeys: String, CodingKey { case data, nextCursor }
}
