import BatonCore
import Fluent
import Foundation
import SQLKit

/// Rewrites names stored before names had to be one printable line (a workspace name with a line
/// break would split an invitation email's Subject). A repaired name that would clash with
/// another in the same scope (a unique index) gets " (2)", " (3)", ….
enum OneLineRepair {
    static func run(table: String, column: String, scope: [String] = [], fallback: String, on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        struct Row: Decodable { let id: UUID; let value: String; let scope: String }
        let scopeText = scope.isEmpty ? "''" : scope.map { "CAST(\($0) AS TEXT)" }.joined(separator: " || '|' || ")
        let rows = try await sql.raw("SELECT id, \(unsafeRaw: column) AS value, \(unsafeRaw: scopeText) AS scope FROM \(unsafeRaw: table)")
            .all(decoding: Row.self)
        var taken = Set(rows.map { "\($0.scope)|\($0.value)" })
        for row in rows where DisplayText.problem(in: row.value, lines: false) != nil {
            let repaired = DisplayText.repairedLine(row.value, fallback: fallback)
            var candidate = repaired
            var suffix = 2
            while !scope.isEmpty && taken.contains("\(row.scope)|\(candidate)") {
                candidate = "\(repaired) (\(suffix))"
                suffix += 1
            }
            taken.insert("\(row.scope)|\(candidate)")
            try await sql.update(table).set(SQLIdentifier(column), to: SQLBind(candidate))
                .where(SQLIdentifier("id"), .equal, SQLBind(row.id)).run()
        }
    }
}
