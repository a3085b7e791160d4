import Foundation
import Testing
@testable import BatonServer

@Suite("Workspace links in text: which pages a message points at")
struct WorkspaceLinksTests {
    let ws = UUID()

    @Test("absolute or relative, any case, each once, trailing punctuation dropped; other workspaces and look-alikes ignored")
    func paths() {
        let id = UUID()
        let text = """
            See https://baton.example/w/\(ws.uuidString.uppercased())/approvals/requests/\(id). Also /w/\(ws.uuidString.lowercased())/approvals/requests/\(id)/
            and /w/\(UUID())/tasks/\(id), /x/w/nope, /w/\(ws)/
            """
        let prefix = "/w/\(ws.uuidString.lowercased())"
        #expect(WorkspaceLinks.paths(in: text, workspaceID: ws) == ["\(prefix)/approvals/requests/\(id)"])
        let many = (0..<20).map { "/w/\(ws)/tasks/\($0)" }.joined(separator: " ")
        #expect(WorkspaceLinks.paths(in: many, workspaceID: ws).count == 10, "at most ten per text")
        #expect(WorkspaceLinks.paths(in: "no links", workspaceID: ws).isEmpty)
    }

    @Test("a page path reads its parameters back from a path of it or below it, and nothing else")
    func pagePathValues() {
        let path = PagePath("t.request", "/w/:workspaceID/approvals/requests/:requestID")
        #expect(path.values(in: "/w/a/approvals/requests/b") == ["a", "b"])
        #expect(path.values(in: "/w/a/approvals/requests/b/act") == ["a", "b"])
        #expect(path.values(in: "/w/a/approvals/templates/b") == nil)
        #expect(path.values(in: "/w/a/approvals") == nil)
        #expect(ApprovalLinkChips.requestID(in: "/w/\(ws)/approvals/requests/nonsense", workspaceID: ws) == nil)
        #expect(ApprovalLinkChips.requestID(in: "/w/\(UUID())/approvals/requests/\(UUID())", workspaceID: ws) == nil)
    }
}
