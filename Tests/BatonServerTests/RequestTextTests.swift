import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Text from requests: one-line names, no control characters anywhere, headers that cannot be split.
/// The fuzzer found the first: a project renamed to "a\r\n\r\nb" ended the export's headers early,
/// and the client waited for a body that never ended.
@Suite("Request text")
struct RequestTextTests {
    @Test("a name with a line break is refused and nothing changes", arguments: TestDatabase.available)
    func namesAreOneLine(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            // act: header splitting through the project's name, a title, a tag, a stage
            let renamed = try await work.owner.patch(work.projectBase, ["name": "Launch\r\nX-Injected: 1"])
            let title = try await work.owner.post("\(work.projectBase)/tasks", ["title": "Line one\nline two"])
            let tag = try await work.owner.post("\(work.projectBase)/tasks", ["title": "Tagged", "tags": ["ok", "bad\ttab"]])
            let stage = try await work.owner.post("\(work.projectBase)/stages", ["name": "Re\u{2028}view"])
            let spoof = try await work.owner.patch(work.projectBase, ["name": "Invoice\u{202E}fdp.exe"])
            // check
            #expect(renamed.status == .unprocessableEntity && renamed.errorField == "name", "\(renamed.body)")
            #expect(renamed.json["error"]["message"].string == "Project name must be one line.")
            #expect(title.errorField == "title" && tag.errorField == "tags" && stage.errorField == "name")
            #expect(spoof.json["error"]["message"].string == "Project name must not contain the invisible character U+202E.")
            #expect(try await Project.find(work.projectID, on: app.db)?.name == "Launch")
            #expect(try await WorkTask.query(on: app.db).count() == 0)
        }
    }

    @Test("NUL and other control characters are refused in JSON, query and form alike", arguments: TestDatabase.available)
    func controlCharacters(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let task = try await work.task(["title": "Target"])
            let taskID = try #require(task["task"]["id"].string)
            // act
            let comment = try await work.owner.post("/api/v1/tasks/\(taskID)/comments", ["body": "before\u{0}after"])
            let nested = try await work.owner.patch("/api/v1/tasks/\(taskID)",
                                                    ["version": 1, "brief": ["checklist": ["fine", "bell\u{7}"]]])
            let query = try await work.owner.get("\(work.projectBase)/tasks?tag=a%00b")
            let export = try await work.owner.get("\(work.projectBase)/tasks/export.csv?field_value=%1B%5B31m")
            let browser = PagesTests.Browser(app: app)
            _ = try await browser.get("/signup")
            let form = try await browser.post("/signup", ["name": "Kim\u{0}", "email": "kim@example.com",
                                                          "password": "a long password", "workspace_name": "Kimco"])
            // check: 422 naming the field, whatever carried it; nothing written
            #expect(comment.status == .unprocessableEntity && comment.errorField == "body", "\(comment.body)")
            #expect(comment.json["error"]["message"].string == "“body” must not contain the invisible character U+0000.")
            #expect(nested.errorField == "brief.checklist.1", "\(nested.body)")
            #expect(query.status == .unprocessableEntity && query.errorField == "tag")
            #expect(export.status == .unprocessableEntity && export.errorField == "field_value")
            #expect(form.status == .unprocessableEntity && form.body.contains("U+0000"))
            #expect(try await TaskComment.query(on: app.db).count() == 0)
            #expect(try await User.query(on: app.db).filter(\.$email == "kim@example.com").count() == 0)
            #expect(try await ChecklistItem.query(on: app.db).count() == 0)
        }
    }

    @Test("long text keeps its lines and indentation; CRLF becomes LF", arguments: TestDatabase.available)
    func paragraphs(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let task = try await work.task(["title": "Notes", "description": "\r\n\r\n    let code = 1\r\n\tindented\r\nend  \r\n"])
            #expect(task["task"]["description"].string == "    let code = 1\n\tindented\nend")
        }
    }

    @Test("an export's file name is safe whatever the project is called", arguments: TestDatabase.available)
    func exportFileName(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: a name with quotes, a slash and non-ASCII; and one stored before names were checked
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.patch(work.projectBase, ["name": "Q3 \"launch\"/Ünïcødé 日本"])
            let named = try await work.owner.get("\(work.projectBase)/tasks/export.csv")
            try await Project.query(on: app.db).filter(\.$id == work.projectID).set(\.$name, to: "old\r\n\r\nname").update()
            let legacy = try await work.owner.get("\(work.projectBase)/tasks/export.csv")
            // check
            #expect(named.status == .ok)
            #expect(named.headers.first(name: .contentDisposition)
                    == "attachment; filename=\"Q3 _launch_-_n_c_d_ __.csv\"; filename*=UTF-8''Q3%20%22launch%22-%C3%9Cn%C3%AFc%C3%B8d%C3%A9%20%E6%97%A5%E6%9C%AC.csv")
            #expect(legacy.status == .ok)
            #expect(legacy.headers.first(name: .contentDisposition) == "attachment; filename=\"oldname.csv\"; filename*=UTF-8''oldname.csv")
        }
    }

    @Test("a response whose header holds a line break is never sent")
    func headerSafety() throws {
        var headers = HTTPHeaders()
        headers.add(name: "X-Fine", value: "Ünïcødé\tvalue")
        try HeaderSafety.requireSafe(headers)
        for bad in ["a\r\nb", "a\nb", "a\u{0}b", "a\u{7F}b"] {
            var split = headers
            split.add(name: "X-Bad", value: bad)
            #expect(throws: HeaderSafety.UnsafeHeader.self) { try HeaderSafety.requireSafe(split) }
        }
    }
}

extension RequestTextTests {
    @Test("names stored before the rule are repaired, without clashing", arguments: TestDatabase.available)
    func repairStoredNames(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup: what older versions let through, written as they stored it
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.post("\(work.org.base)/projects", ["name": "Q3 plan"])
            try await Project.query(on: app.db).filter(\.$id == work.projectID).set(\.$name, to: "Q3\r\nplan").update()
            try await Workspace.query(on: app.db).set(\.$name, to: "Acme\r\nBcc: everyone@example.com").update()
            _ = try await work.task(["title": "Fine title"])
            try await WorkTask.query(on: app.db).set(\.$title, to: "\u{1}\t").update()
            // act
            try await RepairIdentityNames().prepare(on: app.db)
            try await RepairWorkNames().prepare(on: app.db)
            // check
            #expect(try await Project.find(work.projectID, on: app.db)?.name == "Q3 plan (2)")
            #expect(try await Workspace.query(on: app.db).all().map(\.name) == ["Acme Bcc: everyone@example.com"])
            #expect(try await WorkTask.query(on: app.db).all().map(\.title) == ["Untitled"])
            #expect(try await Project.query(on: app.db).filter(\.$name == "Q3 plan").count() == 1)
        }
    }

    @Test("a body's control character is found whatever its Content-Type says", arguments: TestDatabase.available)
    func anyContentType(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let task = try await work.task(["title": "Target"])
            let path = "/api/v1/tasks/\(try #require(task["task"]["id"].string))/comments"
            for type in ["application/x-www-form-urlencoded", "text/plain", "*/*", "multipart/form-data; boundary=x"] {
                let body = type.hasPrefix("multipart") ? "--x\r\nContent-Disposition: form-data; name=\"body\"\r\n\r\na\u{0}b\r\n--x--\r\n"
                    : #"{"body": "a\u0000b"}"#
                var headers = HTTPHeaders()
                headers.contentType = HTTPMediaType(type: String(type.split(separator: "/")[0]),
                                                    subType: String(type.split(separator: "/")[1].split(separator: ";")[0]),
                                                    parameters: type.hasPrefix("multipart") ? ["boundary": "x"] : [:])
                let reply = try await work.owner.send(.POST, path, raw: body, headers: headers)
                #expect(reply.status == .unprocessableEntity, "\(type): \(reply.body)")
            }
            // an escaped backslash is the text "\u0000", which is fine
            let literal = try await work.owner.send(.POST, path, raw: #"{"body": "write \\u0000 for NUL"}"#)
            #expect(literal.status == .created, "\(literal.body)")
            #expect(try await TaskComment.query(on: app.db).all().map(\.body) == [#"write \u0000 for NUL"#])
        }
    }
}

extension RequestTextTests {
    @Test("a title stored before the rule does not stop other changes sent with it", arguments: TestDatabase.available)
    func unchangedValuesPass(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let task = try await work.task(["title": "Old title"])
            let taskID = try #require(task["task"]["id"].string)
            try await WorkTask.query(on: app.db).set(\.$title, to: "Old\ttitle").update()
            // what a form sends: every field, the title as it was
            let saved = try await work.owner.patch("/api/v1/tasks/\(taskID)", ["version": 1, "title": "Old\ttitle", "priority": "high"])
            #expect(saved.status == .ok, "\(saved.body)")
            #expect(saved.json["task"]["priority"].string == "high")
            let renamed = try await work.owner.patch("/api/v1/tasks/\(taskID)", ["version": 2, "title": "New\ttitle"])
            #expect(renamed.json["error"]["message"].string == "Title must not contain a tab.")
        }
    }
}
