import FluentKit
import Foundation
import SQLKit
import SQLiteKit
import SQLiteNIO
import VaporCSQLite

/// One row of a `DirectSQLiteConnection` query, decoded as SQLiteKit decodes its rows.
struct DirectSQLiteRow: SQLRow {
    let columns: DirectSQLiteColumns
    let values: ArraySlice<SQLiteData>

    var allColumns: [String] { columns.names }

    func contains(column: String) -> Bool { columns.offsets[column] != nil }

    func decodeNil(column: String) throws -> Bool {
        guard let value = value(column) else { return true }
        return value == .null
    }

    func decode<D: Decodable>(column: String, as type: D.Type) throws -> D {
        guard let value = value(column) else {
            throw DecodingError.keyNotFound(SQLiteColumnKey(column), .init(codingPath: [], debugDescription: "No column \(column) in \(columns.names)."))
        }
        return try Self.decoder.decode(D.self, from: value)
    }

    private func value(_ column: String) -> SQLiteData? {
        columns.offsets[column].map { values[values.startIndex + $0] }
    }

    private static let decoder = SQLiteDataDecoder()
}

private struct SQLiteColumnKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }
    init(_ name: String) { stringValue = name }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

/// A row as Fluent's query builder reads it: fields of a joined model carry its schema as prefix.
struct DirectSQLiteOutput: DatabaseOutput {
    let row: any SQLRow
    var schema: String?

    var description: String { "\(row)" }

    func schema(_ schema: String) -> any DatabaseOutput { DirectSQLiteOutput(row: row, schema: schema) }

    func contains(_ key: FieldKey) -> Bool { row.contains(column: column(key)) }

    func decodeNil(_ key: FieldKey) throws -> Bool { try row.decodeNil(column: column(key)) }

    func decode<T: Decodable>(_ key: FieldKey, as type: T.Type) throws -> T { try row.decode(column: column(key), as: T.self) }

    private func column(_ key: FieldKey) -> String {
        (schema.map { FieldKey.prefix(.prefix(.string($0), "_"), key) } ?? key).description
    }
}

/// A libsqlite3 error, with Fluent's questions about it answered (a unique or foreign key
/// violation is a constraint failure, which the API reports as 409).
struct DirectSQLiteError: Error, DatabaseError, CustomStringConvertible, LocalizedError {
    let code: Int32
    let message: String

    var description: String { "SQLite error \(code): \(message)" }
    var errorDescription: String? { description }

    private var primaryCode: Int32 { code & 0xFF }
    var isSyntaxError: Bool { primaryCode == SQLITE_ERROR && message.contains("syntax") }
    var isConnectionClosed: Bool { primaryCode == SQLITE_MISUSE }
    var isConstraintFailure: Bool { primaryCode == SQLITE_CONSTRAINT }
    var isBusy: Bool { primaryCode == SQLITE_BUSY }
}
