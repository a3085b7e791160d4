import Foundation
import NIOCore
import SQLiteNIO
import VaporCSQLite

/// One libsqlite3 connection, called directly on the thread that uses it, with each statement
/// prepared once and kept.
///
/// Why not sqlite-nio's connection: it hands every statement to a thread pool and every row back
/// to an event loop, and prepares every statement anew; for the single writer each hop is a
/// thread wake-up while the write lock is held. This is the same bundled libsqlite3 (`VaporCSQLite`), never a
/// second copy: two copies of SQLite in one process break each other's file locks.
///
/// Not thread-safe: its owner calls it from one thread at a time.
final class DirectSQLiteConnection: @unchecked Sendable {
    private var handle: OpaquePointer?
    private var statements: [String: Prepared] = [:]
    let path: String

    /// Statements differ mostly in the number of binds of an `IN (…)` list; past this many the
    /// cache starts again rather than grow without bound.
    private static let statementLimit = 256

    init(path: String, readOnly: Bool = false) throws {
        self.path = path
        var handle: OpaquePointer?
        let access = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_CREATE | SQLITE_OPEN_READWRITE
        let flags = access | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | SQLITE_OPEN_EXRESCODE
        let opened = sqlite_nio_sqlite3_open_v2(path, &handle, flags, nil)
        guard opened == SQLITE_OK, let handle else {
            let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "code \(opened)"
            sqlite_nio_sqlite3_close(handle)
            throw DirectSQLiteError(code: opened, message: "Cannot open the SQLite database at \(path): \(message)")
        }
        self.handle = handle
        // Another process (the CLI) holding the write lock makes a statement wait, not fail.
        setBusyTimeout(milliseconds: 10_000)
        try execute("PRAGMA foreign_keys = ON")
    }

    deinit { close() }

    func setBusyTimeout(milliseconds: Int32) {
        if let handle { sqlite_nio_sqlite3_busy_timeout(handle, milliseconds) }
    }

    var isOpen: Bool { handle != nil }

    func close() {
        forgetStatements()
        if let handle { sqlite_nio_sqlite3_close_v2(handle) }
        handle = nil
    }

    /// Runs one statement and returns every row it produced.
    func query(_ sql: String, _ binds: [SQLiteData]) throws -> DirectSQLiteRows {
        let prepared = try self.prepared(sql)
        let statement = prepared.statement
        // Bindings are not cleared after a run: every one is bound again before the next (the
        // count is checked), and clearing them made SQLite prepare again statements whose plan
        // looked at a bound value.
        defer { sqlite_nio_sqlite3_reset(statement) }
        try bind(binds, to: statement)
        let count = sqlite_nio_sqlite3_column_count(statement)
        var values: [SQLiteData] = []
        while true {
            let step = sqlite_nio_sqlite3_step(statement)
            if step == SQLITE_DONE { break }
            guard step == SQLITE_ROW else { throw error(step) }
            for column in 0..<count { values.append(Self.value(of: statement, at: column)) }
        }
        return DirectSQLiteRows(columns: prepared.columns(count: count), values: values)
    }

    /// How often SQLite has had to prepare the kept statement for `sql` again (0 if it is not kept).
    func reprepareCount(_ sql: String) -> Int {
        statements[sql].map { Int(sqlite_nio_sqlite3_stmt_status($0.statement, SQLITE_STMTSTATUS_REPREPARE, 0)) } ?? 0
    }

    /// Finalizes the kept statements (their column lists may be out of date after a schema change).
    func forgetStatements() {
        for prepared in statements.values { sqlite_nio_sqlite3_finalize(prepared.statement) }
        statements.removeAll()
    }

    /// Runs a statement whose rows, if any, do not matter.
    func execute(_ sql: String) throws {
        _ = try query(sql, [])
    }

    private func prepared(_ sql: String) throws -> Prepared {
        if let prepared = statements[sql] { return prepared }
        guard let handle else { throw DirectSQLiteError(code: SQLITE_MISUSE, message: "The SQLite connection is closed.") }
        if statements.count >= Self.statementLimit { forgetStatements() }
        var statement: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let result = sql.withCString { text in
            let status = sqlite_nio_sqlite3_prepare_v3(handle, text, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, &tail)
            // Only the first statement of the text would run; refuse rather than drop the rest silently.
            if status == SQLITE_OK, let tail, String(cString: tail).contains(where: { !$0.isWhitespace && $0 != ";" }) {
                return SQLITE_MISUSE
            }
            return status
        }
        guard result == SQLITE_OK, let statement else {
            sqlite_nio_sqlite3_finalize(statement)
            if result == SQLITE_MISUSE { throw DirectSQLiteError(code: result, message: "Send one SQL statement at a time: \(sql)") }
            throw error(result)
        }
        let kept = Prepared(statement: statement)
        statements[sql] = kept
        return kept
    }

    /// A kept statement and its column names, read once.
    private final class Prepared {
        let statement: OpaquePointer
        private var names: DirectSQLiteColumns?

        init(statement: OpaquePointer) { self.statement = statement }

        /// SQLite re-prepares a kept statement after a schema change, so `SELECT *` can gain columns.
        func columns(count: Int32) -> DirectSQLiteColumns {
            if let names, names.names.count == Int(count) { return names }
            let read = DirectSQLiteColumns(names: (0..<count).map { String(cString: sqlite_nio_sqlite3_column_name(statement, $0)) })
            names = read
            return read
        }
    }

    private func bind(_ binds: [SQLiteData], to statement: OpaquePointer) throws {
        guard sqlite_nio_sqlite3_bind_parameter_count(statement) == Int32(binds.count) else {
            throw DirectSQLiteError(code: SQLITE_RANGE, message: "The statement takes \(sqlite_nio_sqlite3_bind_parameter_count(statement)) values, \(binds.count) were given.")
        }
        for (offset, value) in binds.enumerated() {
            let index = Int32(offset + 1)
            let status: Int32
            switch value {
            case .integer(let number): status = sqlite_nio_sqlite3_bind_int64(statement, index, Int64(number))
            case .float(let number): status = sqlite_nio_sqlite3_bind_double(statement, index, number)
            case .null: status = sqlite_nio_sqlite3_bind_null(statement, index)
            case .text(let text):
                var text = text
                status = text.withUTF8 { bytes in
                    bytes.withMemoryRebound(to: CChar.self) { chars in
                        // An empty text still needs a pointer: a null one would bind NULL.
                        guard let start = chars.baseAddress else {
                            return sqlite_nio_sqlite3_bind_text64(statement, index, "", 0, Self.transient, UInt8(SQLITE_UTF8))
                        }
                        return sqlite_nio_sqlite3_bind_text64(statement, index, start, UInt64(chars.count), Self.transient, UInt8(SQLITE_UTF8))
                    }
                }
            case .blob(let buffer):
                status = buffer.withUnsafeReadableBytes { bytes in
                    sqlite_nio_sqlite3_bind_blob64(statement, index, bytes.baseAddress, UInt64(bytes.count), Self.transient)
                }
            }
            guard status == SQLITE_OK else { throw error(status) }
        }
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    private static func value(of statement: OpaquePointer, at column: Int32) -> SQLiteData {
        switch sqlite_nio_sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: return .integer(Int(sqlite_nio_sqlite3_column_int64(statement, column)))
        case SQLITE_FLOAT: return .float(sqlite_nio_sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            guard let text = sqlite_nio_sqlite3_column_text(statement, column) else { return .text("") }
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            return .text(String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self))
        case SQLITE_BLOB:
            let count = Int(sqlite_nio_sqlite3_column_bytes(statement, column))
            var buffer = ByteBufferAllocator().buffer(capacity: count)
            if let bytes = sqlite_nio_sqlite3_column_blob(statement, column) {
                buffer.writeBytes(UnsafeRawBufferPointer(start: bytes, count: count))
            }
            return .blob(buffer)
        default: return .null
        }
    }

    private func error(_ status: Int32) -> DirectSQLiteError {
        let message = handle.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "SQLite error \(status)"
        return DirectSQLiteError(code: status, message: message)
    }
}

/// What one statement returned: the column names and the values, row after row.
struct DirectSQLiteRows: Sendable {
    let columns: DirectSQLiteColumns
    let values: [SQLiteData]

    var rows: [DirectSQLiteRow] {
        let width = columns.names.count
        guard width > 0 else { return [] }
        return stride(from: 0, to: values.count, by: width).map { DirectSQLiteRow(columns: columns, values: values[$0..<($0 + width)]) }
    }
}

/// Column names of a statement, with a lookup by name shared by all its rows.
final class DirectSQLiteColumns: Sendable {
    let names: [String]
    let offsets: [String: Int]

    init(names: [String]) {
        self.names = names
        self.offsets = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    }
}
