import Foundation
import Testing
@testable import BatonCore

@Suite("CSV and task import")
struct CSVTests {
    @Test("parses quotes, doubled quotes, commas and line breaks in fields, CRLF, a BOM, blank lines")
    func parse() throws {
        let text = "\u{FEFF}title,description\r\n\"Plan, draft\",\"He said \"\"go\"\"\nnext line\"\r\n\r\nShip,\n"
        let records = try CSV.parse(text)
        #expect(records.map(\.fields) == [["title", "description"], ["Plan, draft", "He said \"go\"\nnext line"], ["Ship", ""]])
        #expect(records.map(\.line) == [1, 2, 5])
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,\"b\n") }
        #expect(throws: CSV.ParseError.self) { try CSV.parse("a,b\"c\"\n") }
        #expect(try CSV.parse("").isEmpty)
    }

    @Test("format round-trips and defuses spreadsheet formulas")
    func format() throws {
        let rows = [["title", "notes"], ["a,b", "say \"hi\"\nbye"], ["=SUM(A1)", "-5"]]
        let text = CSV.format(rows)
        let parsed = try CSV.parse(text).map(\.fields)
        #expect(parsed[0] == rows[0])
        #expect(parsed[1] == rows[1])
        #expect(parsed[2] == ["'=SUM(A1)", "-5"])
    }

    @Test("the formula guard comes off exactly once on import, so every value round-trips",
          arguments: ["=SUM(A1)", "- item", "@launch", "+1 idea", "'=x", "''x", "'Tis", "'", "-5", "1e3", "plain", "'-5", "=", "日本語 ü"])
    func guardRoundTrip(value: String) throws {
        let exported = try CSV.parse(CSV.format([[value]])).first?.fields.first
        #expect(CSV.removingFormulaGuard(try #require(exported)) == value)
        if let first = value.first, "=+-@".contains(first), Double(value) == nil { #expect(exported?.hasPrefix("'") == true) }
    }

    let fields = [CustomFieldValue.Definition(name: "Tier", type: .singleSelect, options: ["Gold", "Silver"]),
                  CustomFieldValue.Definition(name: "Budget", type: .money, currency: "EUR"),
                  CustomFieldValue.Definition(name: "Reviewer", type: .person)]
    let members = ["tom@acme.test": "u-tom", "lena@acme.test": "u-lena"]

    @Test("good rows become plans; every bad row is reported with its line and reasons")
    func plan() throws {
        let text = """
        Title,Assignee email,Stage,Priority,Due,Tags,Tier,Budget,Reviewer,Description
        Write plan,TOM@acme.test,in progress,High,2026-12-01,launch; docs,gold,1200,lena@acme.test,"Multi
        line"
        ,nobody@acme.test,Later,asap,soon,,Bronze,lots,x@y.z,
        Ship it,,,,2026-12-02T10:00:00Z,,,,,
        """
        let plan = TaskImport.plan(try CSV.parse(text), stages: ["To do", "In progress", "Done"], members: members, fields: fields)
        #expect(plan.rows.count == 2)
        let first = plan.rows[0]
        #expect(first.line == 2)
        #expect(first.assigneeEmail == "tom@acme.test")
        #expect(first.stage == "In progress")
        #expect(first.priority == .high)
        #expect(first.tags == ["launch", "docs"])
        #expect(first.customFields["Tier"] == "Gold")
        #expect(first.customFields["Budget"] == "1200.00")
        #expect(first.customFields["Reviewer"] == "u-lena")
        #expect(first.description == "Multi\nline")
        #expect(TaskImport.formatDue(first.due) == "2026-12-01T17:00:00Z")
        #expect(plan.rows[1].line == 5)
        #expect(plan.problems.count == 1)
        let problem = try #require(plan.problems.first)
        #expect(problem.line == 4)
        for part in ["title is empty", "nobody@acme.test is not an active member", "no stage called “Later”", "priority must be",
                     "due must be", "Tier must be", "Budget must be", "Reviewer must be"] {
            #expect(problem.reason.contains(part), "\(part)")
        }
    }

    @Test("a title written on several lines is one; a dry run refuses what the import would")
    func textRules() throws {
        let text = "title,description,tags\n\"Plan\nthe launch\",fine,\"a\nb\"\nBell,\"ding\u{7}\",x\nTab\u{200B}less,,\n"
        let plan = TaskImport.plan(try CSV.parse(text), stages: [], members: [:], fields: [])
        #expect(plan.rows.map(\.title) == ["Plan the launch"])
        #expect(plan.rows.first?.tags == ["a b"])
        #expect(plan.problems.map(\.line) == [5, 6])
        #expect(plan.problems.first?.reason == "description must not contain the invisible character U+0007")
        #expect(plan.problems.last?.reason == "title must not contain the invisible character U+200B")
    }

    @Test("a cell starting with a tab or CR is guarded like a formula, and comes back as it was")
    func formulaGuardWhitespace() throws {
        let rows = [["\t=HYPERLINK(\"x\")", "\r=1", "\tplain"]]
        let text = CSV.format(rows)
        #expect(text.hasPrefix("\"'\t=HYPERLINK"))
        let back = try CSV.parse(text).first.map { $0.fields.map(CSV.removingFormulaGuard) }
        #expect(back == rows[0])
    }

    @Test("header problems stop the import before any row")
    func header() throws {
        #expect(TaskImport.plan(try CSV.parse("name\nx\n"), stages: [], members: [:], fields: []).problems.first?.reason.contains("title") == true)
        #expect(TaskImport.plan(try CSV.parse("title,Colour\nx,red\n"), stages: [], members: [:], fields: fields).problems.first?.reason
                .contains("Unknown column “Colour”") == true)
        #expect(TaskImport.plan(try CSV.parse("title,title\nx,y\n"), stages: [], members: [:], fields: []).problems.count == 1)
        #expect(TaskImport.plan([], stages: [], members: [:], fields: []).problems.first?.reason == "The file is empty.")
        #expect(TaskImport.plan(try CSV.parse("title\na\nb\nc\n"), stages: [], members: [:], fields: [], maxRows: 2).problems.count == 1)
    }
}
