import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Task list: server-side sort and custom-field filters")
struct TaskListSortTests {
    /// Every page of `query`, following next_cursor with `limit` rows a page; the titles in order.
    static func allTitles(_ work: WorkFixture, _ query: String, limit: Int = 2) async throws -> [String] {
        var titles: [String] = []
        var cursor: String?
        repeat {
            let reply = try await work.owner.get("\(work.projectBase)/tasks?limit=\(limit)&\(query)" + (cursor.map { "&after=\($0)" } ?? ""))
            try #require(reply.status == .ok, "\(reply.body)")
            titles += reply.json["data"].array.compactMap { $0["title"].string }
            cursor = reply.json["next_cursor"].string
        } while cursor != nil
        return titles
    }

    @Test("sorts by due (no date last), priority, title and creation, across cursor pages", arguments: TestDatabase.available)
    func sorting(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let rows: [(String, String?, String)] = [
                ("Bravo", "2026-12-03T09:00:00Z", "low"), ("alpha", nil, "urgent"), ("Delta", "2026-12-01T09:00:00Z", "normal"),
                ("Charlie", "2026-12-03T09:00:00Z", "high"), ("Echo", nil, "normal"),
            ]
            var ids: [String: String] = [:]
            for (title, due, priority) in rows {
                let task = try await work.task(["title": title, "due_at": due, "priority": priority])
                ids[title] = task["task"]["id"].string
                clock.advance(1)
            }
            // act + check
            let byDue = try await Self.allTitles(work, "sort=due")
            #expect(Array(byDue.prefix(3)) == ["Delta"] + ["Bravo", "Charlie"].sorted { ids[$0]! < ids[$1]! })
            #expect(Set(byDue.suffix(2)) == ["alpha", "Echo"])
            let byDueDescending = try await Self.allTitles(work, "sort=-due")
            #expect(byDueDescending == byDue.reversed())
            let byPriority = try await Self.allTitles(work, "sort=priority")
            #expect(byPriority.first == "alpha")
            #expect(byPriority[1] == "Charlie")
            #expect(byPriority.last == "Bravo")
            #expect(try await Self.allTitles(work, "sort=-created", limit: 3) == ["Echo", "Charlie", "Delta", "alpha", "Bravo"])
            #expect(try await Self.allTitles(work, "sort=created", limit: 4) == ["Bravo", "alpha", "Delta", "Charlie", "Echo"])
            let byTitle = try await Self.allTitles(work, "sort=title")
            #expect(byTitle.count == 5)
            #expect(Set(byTitle) == Set(rows.map(\.0)))
            #expect(try await Self.allTitles(work, "sort=-title") == byTitle.reversed())

            let bad = try await work.owner.get("\(work.projectBase)/tasks?sort=colour")
            #expect(bad.status == .unprocessableEntity)
            #expect(bad.errorField == "sort")
            let page = try await work.owner.get("\(work.projectBase)/tasks?sort=due&limit=2").json
            let cursor = try #require(page["next_cursor"].string)
            let mixed = try await work.owner.get("\(work.projectBase)/tasks?sort=title&after=\(cursor)")
            #expect(mixed.status == .unprocessableEntity)
            #expect(mixed.errorField == "after")
        }
    }

    @Test("cursors are URL-safe, whatever the title holds")
    func urlSafeCursors() throws {
        let sort = TaskSort(key: .title, descending: false)
        for title in ["Ünïcode ~~~ ?>?", "plain", "???>>>", "日本語のタイトル"] {
            let cursor = TaskSort.Cursor(sort: sort, value: title, id: UUID())
            #expect(!cursor.encoded.contains { "+/= ".contains($0) }, "\(cursor.encoded)")
            let decoded = try #require(TaskSort.Cursor(cursor.encoded))
            #expect(decoded.value == title && decoded.id == cursor.id && decoded.sort == sort)
        }
    }

    @Test("filters by a custom field's value, canonical by type; multi-select matches any choice", arguments: TestDatabase.available)
    func customFieldFilter(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            for field in [["name": "Tier", "type": "single_select", "options": ["Gold", "Silver"]],
                          ["name": "Areas", "type": "multi_select", "options": ["Web", "iOS", "Android"]],
                          ["name": "Points", "type": "number"], ["name": "Signed", "type": "checkbox"]] as [[String: Any?]] {
                #expect(try await work.owner.post("\(work.projectBase)/fields", field).status == .created)
            }
            _ = try await work.task(["title": "One", "custom_fields": ["Tier": "Gold", "Areas": ["Web", "iOS"], "Points": 5, "Signed": true]])
            _ = try await work.task(["title": "Two", "custom_fields": ["Tier": "Silver", "Areas": ["iOS"], "Points": 8]])
            _ = try await work.task(["title": "Three", "custom_fields": ["Areas": ["Android", "Web", "iOS"]]])
            _ = try await work.task(["title": "Four"])
            // act + check
            func titles(_ query: String) async throws -> Set<String> {
                Set(try await Self.allTitles(work, query, limit: 50))
            }
            #expect(try await titles("field=Tier&field_value=gold") == ["One"])
            #expect(try await titles("field=tier&field_value=Silver") == ["Two"])
            #expect(try await titles("field=Areas&field_value=ios") == ["One", "Two", "Three"])
            #expect(try await titles("field=Areas&field_value=Web") == ["One", "Three"])
            #expect(try await titles("field=Areas&field_value=Android") == ["Three"])
            #expect(try await titles("field=Points&field_value=5.0") == ["One"])
            #expect(try await titles("field=Signed&field_value=yes") == ["One"])
            #expect(try await titles("field=Tier&field_value=Gold&sort=title") == ["One"])
            for (query, field) in [("field=Colour&field_value=red", "field"), ("field=Tier&field_value=Bronze", "field_value"),
                                   ("field=Points&field_value=many", "field_value"), ("field_value=Gold", "field")] {
                let reply = try await work.owner.get("\(work.projectBase)/tasks?\(query)")
                #expect(reply.status == .unprocessableEntity, "\(query)")
                #expect(reply.errorField == field, "\(query)")
            }
        }
    }
}
