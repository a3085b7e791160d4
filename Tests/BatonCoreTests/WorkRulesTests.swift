import Foundation
import Testing
@testable import BatonCore

@Suite("Work rules")
struct WorkRulesTests {
    @Test("new projects start with four stages, one of them done, none of them 'blocked' (blocked is a flag)")
    func defaultStages() {
        #expect(DefaultStages.all.map(\.name) == ["To do", "In progress", "In review", "Done"])
        #expect(!DefaultStages.all.contains { $0.category == .blocked })
        #expect(DefaultStages.all.filter { $0.category == .done }.count == 1)
        #expect(DefaultStages.all.allSatisfy { StageColor.normalized($0.color) != nil })
    }

    @Test("colors are #rrggbb")
    func colors() {
        #expect(StageColor.normalized(" #AABBCC ") == "#aabbcc")
        #expect(StageColor.normalized("red") == nil)
        #expect(StageColor.normalized("#12345") == nil)
        #expect(StageColor.normalized("#12345g") == nil)
    }

    @Test("priorities sort urgent first")
    func priorities() {
        #expect(Priority.allCases.sorted() == [.urgent, .high, .normal, .low])
    }

    @Test("done needs every acceptance item checked or waived with a reason")
    func completion() {
        let items = [
            CompletionRule.Item(text: "Tests pass", checked: true, waivedReason: nil),
            CompletionRule.Item(text: "Docs updated", checked: false, waivedReason: "Internal tool"),
            CompletionRule.Item(text: "Client signed off", checked: false, waivedReason: nil),
            CompletionRule.Item(text: "Security review", checked: false, waivedReason: "   "),
        ]
        let open = CompletionRule.openItems(items)
        #expect(open == ["Client signed off", "Security review"])
        #expect(CompletionRule.message(for: open).contains("2 acceptance items are still open"))
        #expect(CompletionRule.message(for: ["One"]).hasPrefix("One acceptance item is still open: “One”"))
        #expect(CompletionRule.openItems([]).isEmpty)
    }

    @Test("delegation levels run from tell (1) to delegate (7)")
    func levels() {
        #expect(DelegationLevel.allCases.map(\.rawValue) == Array(1...7))
        #expect(DelegationLevel(rawValue: 4)?.name == "Agree")
        #expect(DelegationLevel(rawValue: 8) == nil)
    }

    @Test("custom field values are checked by type", arguments: [
        (CustomFieldType.text, FieldInput.string("hello"), "hello" as String?),
        (.number, .number(3), "3"), (.number, .string("2.5"), "2.5"), (.number, .string("abc"), nil),
        (.money, .number(12.345), "12.35"), (.money, .bool(true), nil),
        (.date, .string("2026-02-28"), "2026-02-28"), (.date, .string("2026-02-30"), nil), (.date, .number(1), nil),
        (.singleSelect, .string("gold"), "Gold"), (.singleSelect, .string("Bronze"), nil),
        (.multiSelect, .list(["Gold", "silver", "Gold"]), "Gold;Silver"), (.multiSelect, .string("Gold; Silver"), "Gold;Silver"),
        (.multiSelect, .list(["Tin"]), nil),
        (.checkbox, .bool(true), "true"), (.checkbox, .string("no"), "false"), (.checkbox, .string("maybe"), nil),
        (.url, .string("https://example.com/x"), "https://example.com/x"), (.url, .string("ftp://x"), nil),
        (.url, .string("not a url"), nil), (.text, .number(4), nil),
    ] as [(CustomFieldType, FieldInput, String?)])
    func fieldValues(type: CustomFieldType, input: FieldInput, expected: String?) {
        let field = CustomFieldValue.Definition(name: "Field", type: type, options: ["Gold", "Silver"], currency: "EUR")
        switch CustomFieldValue.validate(input, for: field) {
        case .success(let value): #expect(value == expected, "\(type) \(input)")
        case .failure(let problem):
            #expect(expected == nil, "\(type) \(input): \(problem.message)")
            #expect(problem.message.hasPrefix("Field must be"))
        }
    }

    @Test("person fields accept only members; null clears any field")
    func personField() {
        let field = CustomFieldValue.Definition(name: "Reviewer", type: .person)
        #expect((try? CustomFieldValue.validate(.string("u1"), for: field) { $0 == "u1" }.get()) == "u1")
        #expect((try? CustomFieldValue.validate(.string("u2"), for: field) { $0 == "u1" }.get()) == nil)
        #expect((try? CustomFieldValue.validate(.null, for: field).get()) == .some(nil))
    }

    @Test("@mentions are found outside code and email addresses")
    func mentions() {
        #expect(Mentions.handles(in: "Thanks @tom and @Lena.Novak, cc @tom!") == ["tom", "lena.novak"])
        #expect(Mentions.handles(in: "mail maya@acme.test about `@notme` please") == [])
        #expect(Mentions.handles(in: "@sam: done") == ["sam"])
        #expect(Mentions.handle(forEmail: "Tom@acme.test") == "tom")
    }

    @Test("history lines for task events")
    func sentences() {
        let names = ["a": "Maya", "b": "Tom", "c": "Lena"]
        func line(_ kind: WorkEvent, _ data: [String: String]) -> String {
            kind.sentence(EventLine(who: "Maya", person: "someone", data: data) { names[$0] ?? "?" })
        }
        #expect(line(.taskAssigned, ["title": "Spec", "from": "", "to": "b"]) == "Maya assigned “Spec” to Tom")
        #expect(line(.taskAssigned, ["title": "Spec", "from": "b", "to": "c"]) == "Maya reassigned “Spec” from Tom to Lena")
        #expect(line(.taskStageChanged, ["title": "Spec", "from": "Done", "to": "In progress", "reopened": "true"])
                == "Maya reopened “Spec” from Done to In progress")
        #expect(line(.taskCheckpointReviewed, ["title": "Spec", "checkpoint": "Draft", "status": "at_risk"])
                == "Maya reviewed “Draft” on “Spec”: At risk")
    }
}
