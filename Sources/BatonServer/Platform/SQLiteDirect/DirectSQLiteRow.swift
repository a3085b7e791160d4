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
        if let decoded = FastColumnDecoding.decode(value, as: D.self) { return decoded }
        return try Self.decoder.decode(D.self, from: value)
    }

    private func value(_ column: String) -> SQLiteData? {
        columns.offsets[column].map { values[values.startIndex + $0] }
    }

    private static let decoder = SQLiteDataDecoder()
}

/// The column types models are made of, read without SQLiteKit's general decoder: it looks up
/// generic metadata and builds a nested decoder for every optional and every UUID. Same results;
/// anything else (or a value that does not fit)
/// takes the general path, which also produces the error.
enum FastColumnDecoding {
    static func decode<D>(_ value: SQLiteData, as type: D.Type) -> D? {
        // Types are told apart by identity: spelling `T?` in generic code would look its metadata
        // up at run time on every call, which is the cost this avoids.
        switch ObjectIdentifier(D.self) {
        case Known.string: return String(sqliteData: value).map { $0 as! D }
        case Known.optionalString: return optional(value) { String(sqliteData: $0) }
        case Known.uuid: return uuid(value).map { $0 as! D }
        case Known.optionalUUID: return optional(value, uuid)
        case Known.date: return Date(sqliteData: value).map { $0 as! D }
        case Known.optionalDate: return optional(value) { Date(sqliteData: $0) }
        case Known.int: return Int(sqliteData: value).map { $0 as! D }
        case Known.optionalInt: return optional(value) { Int(sqliteData: $0) }
        case Known.bool: return Bool(sqliteData: value).map { $0 as! D }
        case Known.optionalBool: return optional(value) { Bool(sqliteData: $0) }
        case Known.double: return Double(sqliteData: value).map { $0 as! D }
        case Known.optionalDouble: return optional(value) { Double(sqliteData: $0) }
        default: return nil
        }
    }

    private enum Known {
        static let string = ObjectIdentifier(String.self), optionalString = ObjectIdentifier(String?.self)
        static let uuid = ObjectIdentifier(UUID.self), optionalUUID = ObjectIdentifier(UUID?.self)
        static let date = ObjectIdentifier(Date.self), optionalDate = ObjectIdentifier(Date?.self)
        static let int = ObjectIdentifier(Int.self), optionalInt = ObjectIdentifier(Int?.self)
        static let bool = ObjectIdentifier(Bool.self), optionalBool = ObjectIdentifier(Bool?.self)
        static let double = ObjectIdentifier(Double.self), optionalDouble = ObjectIdentifier(Double?.self)
    }

    private static func uuid(_ value: SQLiteData) -> UUID? {
        if case .text(let text) = value { UUID(uuidString: text) } else { nil }
    }

    /// `D` is `T?`: nil for NULL, the converted value, or nil-of-nil when it does not convert.
    private static func optional<T, D>(_ value: SQLiteData, _ convert: (SQLiteData) -> T?) -> D? {
        if value == .null { return (T?.none as! D) }
        return convert(value).map { (T?.some($0) as! D) }
    }
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
