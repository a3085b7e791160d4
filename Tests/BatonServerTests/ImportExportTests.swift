import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("CSV import and export")
struct ImportExportTests {
    func upload(_ client: APIClient, _ path: String, _ csv: String) async throws -> Reply {
        var headers = HTTPHeaders()
        if let token = client.token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        headers.contentType = HTTPMediaType(type: "text", subType: "csv")
        let response = try await client.app.testing().sendRequest(.POST, path, headers: headers, body: ByteBuffer(string: csv))
        return Reply(status: response.status, headers: response.headers, body: response.body.string)
    }

    @Test("a dry run lists every bad row; the real import is all-or-nothing", arguments: TestDatabase.available)
    func dryRunAndAtomicity(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Tier", "type": "single_select", "options": ["Gold", "Silver"]])
            let tom = try #require(try await work.member.get("/api/v1/me").json["user"]["email"].string)
            let csv = """
            title,assignee email,stage,priority,due,tags,Tier
            Good one,\(tom),In progress,high,2026-12-01,a;b,Gold
            ,\(tom),Nowhere,fast,,,Bronze
            Another good one,,,,,,
            Bad email,ghost@example.com,,,,,
            """
            let dry = try await upload(work.owner, "\(work.projectBase)/tasks/import?dry_run=true", csv)
            #expect(dry.status == .ok)
            #expect(dry.json["valid_rows"].int == 2)
            #expect(dry.json["problems"].array.compactMap { $0["line"].int } == [3, 5])
            #expect(dry.json["problems"][0]["reason"].string?.contains("title is empty") == true)
            #expect(try await WorkTask.query(on: app.db).count() == 0)

            let refused = try await upload(work.owner, "\(work.projectBase)/tasks/import", csv)
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.errorField == "file")
            #expect(try await WorkTask.query(on: app.db).count() == 0)

            let broken = try await upload(work.owner, "\(work.projectBase)/tasks/import?dry_run=true", "title\n\"unclosed\n")
            #expect(broken.errorField == "file")
        }
    }

    @Test("import creates every row with its events; the export re-imports cleanly", arguments: TestDatabase.available)
    func roundTrip(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Budget", "type": "money", "currency": "EUR"])
            _ = try await work.owner.post("\(work.projectBase)/fields", ["name": "Reviewer", "type": "person"])
            let tom = try #require(try await work.member.get("/api/v1/me").json["user"]["email"].string)
            var lines = ["title,description,assignee email,stage,priority,due,tags,Budget,Reviewer"]
            for index in 0..<120 {
                lines.append("Task \(index),\"Line one, with comma\nline two\",\(index % 2 == 0 ? tom : ""),\(index % 3 == 0 ? "In review" : "To do"),"
                             + "\(index % 4 == 0 ? "urgent" : "normal"),2026-12-\(String(format: "%02d", index % 28 + 1)),team;q\(index % 4),\(index * 10),\(tom)")
            }
            let imported = try await upload(work.owner, "\(work.projectBase)/tasks/import", lines.joined(separator: "\n"))
            #expect(imported.status == .created, "\(imported.body)")
            #expect(imported.json["created"].int == 120)
            #expect(try await WorkTask.query(on: app.db).count() == 120)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "task.created").count() == 120)
            #expect(try await work.owner.get("\(work.projectBase)/tasks?assignee=\(work.memberID)&limit=200").json["data"].array.count == 60)

            var headers = HTTPHeaders()
            headers.bearerAuthorization = BearerAuthorization(token: work.org.token)
            let export = try await app.testing().sendRequest(.GET, "\(work.projectBase)/tasks/export.csv", headers: headers)
            #expect(export.status == .ok)
            #expect(export.headers.contentType?.subType == "csv")
            let exported = export.body.string
            #expect(exported.hasPrefix("title,description,assignee email,stage,priority,due,tags,Budget,Reviewer\r\n"))
            #expect(exported.contains("\"Line one, with comma\nline two\""))

            // the export goes into a second project unchanged
            let other = try await work.owner.post("\(work.org.base)/projects", ["name": "Copy"])
            let copyID = try #require(other.json["id"].string)
            _ = try await work.owner.post("/api/v1/projects/\(copyID)/fields", ["name": "Budget", "type": "money", "currency": "EUR"])
            _ = try await work.owner.post("/api/v1/projects/\(copyID)/fields", ["name": "Reviewer", "type": "person"])
            let dry = try await upload(work.owner, "/api/v1/projects/\(copyID)/tasks/import?dry_run=true", exported)
            #expect(dry.json["problems"].array.isEmpty, "\(dry.body)")
            #expect(dry.json["valid_rows"].int == 120)
            let again = try await upload(work.owner, "/api/v1/projects/\(copyID)/tasks/import", exported)
            #expect(again.json["created"].int == 120)
            let reexport = try await app.testing().sendRequest(.GET, "/api/v1/projects/\(copyID)/tasks/export.csv", headers: headers)
            #expect(Set(reexport.body.string.split(separator: "\r\n")) == Set(exported.split(separator: "\r\n")))
        }
    }

    @Test("a 50,000-row file: the dry run names its one bad line, the import creates every task", arguments: TestDatabase.available)
    func fiftyThousandRows(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let tom = try #require(try await work.member.get("/api/v1/me").json["user"]["email"].string)
            var lines = ["title,assignee email,stage,priority,due,tags"]
            for index in 0..<50_000 {
                lines.append("Task \(index),\(index % 2 == 0 ? tom : ""),\(["To do", "In progress", "In review"][index % 3]),normal,"
                             + "2026-12-\(String(format: "%02d", index % 28 + 1)),t\(index % 20)")
            }
            var withTypo = lines
            withTypo[31_337] = "Task 31336,,Nowhere,normal,,"
            let dry = try await upload(work.owner, "\(work.projectBase)/tasks/import?dry_run=true", withTypo.joined(separator: "\n"))
            #expect(dry.json["valid_rows"].int == 49_999)
            #expect(dry.json["problems"].array.compactMap { $0["line"].int } == [31_338])

            let imported = try await upload(work.owner, "\(work.projectBase)/tasks/import", lines.joined(separator: "\n"))
            #expect(imported.json["created"].int == 50_000, "\(imported.body.prefix(300))")
            #expect(try await WorkTask.query(on: app.db).count() == 50_000)
            #expect(try await TaskTag.query(on: app.db).count() == 50_000)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "task.created").count() == 50_000)
            let page = try await work.owner.get("\(work.projectBase)/tasks?assignee=\(work.memberID)&tag=t4&limit=200")
            #expect(page.json["data"].array.count == 200)
            #expect(page.json["next_cursor"].string != nil)
        }
    }
}
