import Fluent
import Foundation
import SQLiteKit
import SQLiteNIO
import Testing
@testable import BatonServer

@Suite("Direct SQLite connection: kept statements, binds, errors")
struct DirectSQLiteTests {
    private func withConnection(_ body: (DirectSQLiteConnection, String) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("direct-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let connection = try DirectSQLiteConnection(path: path)
        defer { connection.close() }
        try connection.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, data BLOB, parent INTEGER REFERENCES notes(id))")
        try body(connection, path)
    }

    @Test("a kept statement run again with other values returns the new rows, and is not prepared again")
    func keptStatements() throws {
        try withConnection { connection, _ in
            for (id, body) in [(1, "one"), (2, "two"), (3, "")] {
                _ = try connection.query("INSERT INTO notes (id, body) VALUES (?1, ?2)", [.integer(id), .text(body)])
            }
            // SQLite looks at the LIMIT's bound value when it plans; clearing the bindings after
            // each run once made every later run prepare the statement again.
            let select = "SELECT id, body FROM notes WHERE id >= ?1 ORDER BY id LIMIT ?2"
            _ = try connection.query(select, [.integer(2), .integer(10)])
            let afterFirstRun = connection.reprepareCount(select)
            for start in [1, 2, 3, 2] {
                let rows = try connection.query(select, [.integer(start), .integer(10)]).rows
                #expect(try rows.map { try $0.decode(column: "id", as: Int.self) } == Array(start...3))
            }
            // An empty text is stored as '' and not as NULL.
            let empty = try #require(try connection.query(select, [.integer(3), .integer(10)]).rows.first)
            #expect(try empty.decodeNil(column: "body") == false)
            #expect(try empty.decode(column: "body", as: String.self) == "")
            #expect(connection.reprepareCount(select) == afterFirstRun)
        }
    }

    @Test("blobs, NULLs and text with any characters round-trip")
    func values() throws {
        try withConnection { connection, _ in
            var blob = ByteBuffer()
            blob.writeBytes([0, 1, 2, 255])
            let text = "naïve — 日本語 \u{0} end"
            _ = try connection.query("INSERT INTO notes (id, body, data) VALUES (1, ?1, ?2)", [.text(text), .blob(blob)])
            _ = try connection.query("INSERT INTO notes (id, body, data) VALUES (2, ?1, ?2)", [.null, .null])
            let rows = try connection.query("SELECT body, data FROM notes ORDER BY id", []).rows
            #expect(try rows[0].decode(column: "body", as: String.self) == text)
            #expect(rows[0].values.last == .blob(blob))
            #expect(try rows[1].decodeNil(column: "body"))
            #expect(try rows[1].decode(column: "body", as: String?.self) == nil)
        }
    }

    @Test("wrong bind counts, two statements in one text and constraint violations fail clearly")
    func errors() throws {
        try withConnection { connection, _ in
            #expect(throws: DirectSQLiteError.self) { try connection.query("SELECT * FROM notes WHERE id = ?1 AND body = ?2", [.integer(1)]) }
            #expect(throws: DirectSQLiteError.self) { try connection.execute("SELECT 1; DELETE FROM notes") }
            _ = try connection.query("INSERT INTO notes (id) VALUES (1)", [])
            do {
                _ = try connection.query("INSERT INTO notes (id) VALUES (1)", [])
                Issue.record("a duplicate key was accepted")
            } catch let error as any DatabaseError {
                #expect(error.isConstraintFailure)
            }
            // Foreign keys are on.
            #expect(throws: DirectSQLiteError.self) { try connection.query("INSERT INTO notes (id, parent) VALUES (2, 99)", []) }
            #expect(try connection.query("SELECT count(*) AS n FROM notes", []).rows[0].decode(column: "n", as: Int.self) == 1)
        }
    }

    @Test("a read-only connection reads and refuses to write")
    func readOnly() throws {
        try withConnection { connection, path in
            _ = try connection.query("INSERT INTO notes (id, body) VALUES (1, 'kept')", [])
            let reader = try DirectSQLiteConnection(path: path, readOnly: true)
            defer { reader.close() }
            #expect(try reader.query("SELECT body FROM notes", []).rows[0].decode(column: "body", as: String.self) == "kept")
            #expect(throws: DirectSQLiteError.self) { try reader.query("DELETE FROM notes", []) }
        }
    }

    @Test("another process holding the write lock past the busy timeout is a 503, not a 500")
    func busyIsUnavailable() throws {
        try withConnection { connection, path in
            let other = try DirectSQLiteConnection(path: path)
            defer { other.close() }
            try other.execute("BEGIN IMMEDIATE")
            defer { try? other.execute("ROLLBACK") }
            connection.setBusyTimeout(milliseconds: 50)
            do {
                try connection.execute("BEGIN IMMEDIATE")
                Issue.record("took a write lock another connection holds")
            } catch {
                #expect((error as? DirectSQLiteError)?.isBusy == true)
                let classified = BatonErrorMiddleware.classify(error)
                #expect(classified.status == .serviceUnavailable)
                #expect(classified.code == "busy")
            }
        }
    }

    @Test("the fast column decoding gives what SQLiteKit's decoder gives, and steps aside where it cannot")
    func fastDecodingMatchesSQLiteKit() throws {
        let id = UUID()
        let values: [SQLiteData] = [.text(id.uuidString), .text("plain"), .text(""), .text("2026-12-01T10:00:00Z"), .integer(0),
                                    .integer(1), .integer(42), .float(1_764_583_200.25), .null]
        let general = SQLiteDataDecoder()
        func same<T: Decodable & Equatable>(_ type: T.Type) {
            for value in values {
                let fast = FastColumnDecoding.decode(value, as: T.self)
                let slow = try? general.decode(T.self, from: value)
                if let fast { #expect(fast == slow, "\(T.self) from \(value)") }
            }
        }
        same(String.self); same(String?.self); same(UUID.self); same(UUID?.self); same(Date.self); same(Date?.self)
        same(Int.self); same(Int?.self); same(Bool.self); same(Bool?.self); same(Double.self); same(Double?.self)
        #expect(FastColumnDecoding.decode(.text(id.uuidString), as: UUID.self) == id)
        #expect(FastColumnDecoding.decode(SQLiteData.null, as: UUID?.self) == .some(nil))
        #expect(FastColumnDecoding.decode(.text("not an id"), as: UUID.self) == nil)
        #expect(FastColumnDecoding.decode(.integer(3), as: [String].self) == nil)
    }
}
