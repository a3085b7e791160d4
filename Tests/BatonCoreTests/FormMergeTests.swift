import Testing
@testable import BatonCore

@Suite("Form merge")
struct FormMergeTests {
    let shown = ["title": "Draft", "description": "line one\nline two", "blocked": "", "tags": "a, b"]

    @Test("a fingerprint round-trips and ignores line-break style")
    func fingerprint() {
        let base = FormMerge.parse(FormMerge.fingerprint(shown))
        #expect(Set(base.keys) == Set(shown.keys))
        let outcome = FormMerge.compare(base: base, posted: ["title": "Draft", "description": "line one\r\nline two", "tags": "a, b"],
                                        current: shown)
        #expect(outcome == .init(mine: [], theirs: [], clashes: []))
        #expect(FormMerge.parse("junk&x=zz&y=1f").keys.sorted() == ["y"])
    }

    @Test("disjoint edits merge; the same edit on both sides is no clash; different ones are")
    func merge() {
        let base = FormMerge.parse(FormMerge.fingerprint(shown))
        var posted = shown
        posted["description"] = "mine"
        posted["blocked"] = "on"
        var current = shown
        current["title"] = "Theirs"
        let disjoint = FormMerge.compare(base: base, posted: posted, current: current)
        #expect(disjoint.mine == ["description", "blocked"] && disjoint.theirs == ["title"] && disjoint.clashes.isEmpty)
        current["blocked"] = "on"
        #expect(FormMerge.compare(base: base, posted: posted, current: current).clashes.isEmpty)
        current["description"] = "theirs"
        #expect(FormMerge.compare(base: base, posted: posted, current: current).clashes == ["description"])
        // a key the form never showed is not the user's to change, whatever is posted
        posted["assignee_id"] = "someone"
        #expect(!FormMerge.compare(base: base, posted: posted, current: current).mine.contains("assignee_id"))
    }
}
