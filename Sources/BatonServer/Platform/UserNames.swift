import Fluent
import SQLKit
import Foundation

/// People's display names by id, read in chunks of 500 (one statement each).
enum UserNames {
    static func load(_ ids: some Sequence<UUID>, on db: any Database) async throws -> [UUID: String] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        var names: [UUID: String] = [:]
        for chunk in unique.chunked(500) {
            let list = SQLList(chunk.map { SQLBind($0) })
            for row in try await PlainSQL.rows(on: db, "SELECT id, name FROM users WHERE id IN (\(list))") {
                names[try row.decode(column: "id", as: UUID.self)] = try row.decode(column: "name", as: String.self)
            }
        }
        return names
    }
}
