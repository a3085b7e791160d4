import Foundation
import Testing
@testable import BatonCore

@Suite("Approvals: a request's progress through its steps, and who may do what when")
struct ApprovalProgressTests {
    let ana = UUID(), maya = UUID(), ceo = UUID(), finance = UUID(), daniel = UUID()

    func request(_ second: ApprovalQuorum = .all) -> ApprovalProgress {
        ApprovalProgress(requester: ana, steps: [
            .init(name: "Lead", quorum: .anyOne, approvers: [maya]),
            .init(name: "Head and finance", quorum: second, approvers: [ceo, finance]),
        ])
    }

    @Test("approvals move the request step by step; the last approval approves it")
    func approve() throws {
        var progress = request()
        #expect(progress.waitingOn == [maya])
        try progress.apply(.approve(comment: nil), by: maya)
        #expect(progress.current == 1 && progress.waitingOn == [ceo, finance])
        try progress.apply(.approve(comment: nil), by: ceo)
        #expect(progress.status == .pending)
        try progress.apply(.approve(comment: "ok"), by: finance)
        #expect(progress.status == .approved && progress.waitingOn.isEmpty)
    }

    @Test("acting twice is a conflict, out of turn is refused, a reject needs a comment and ends an all-step at once")
    func refusals() throws {
        var progress = request()
        #expect(throws: ApprovalProgress.Refusal.notYourTurn) { try progress.apply(.approve(comment: nil), by: ceo) }
        try progress.apply(.approve(comment: nil), by: maya)
        #expect(throws: ApprovalProgress.Refusal.notYourTurn) { try progress.apply(.approve(comment: nil), by: maya) }
        try progress.apply(.approve(comment: nil), by: ceo)
        #expect(throws: ApprovalProgress.Refusal.alreadyActed) { try progress.apply(.approve(comment: nil), by: ceo) }
        #expect(throws: ApprovalProgress.Refusal.needsComment) { try progress.apply(.reject(comment: "  "), by: finance) }
        try progress.apply(.reject(comment: "Over budget"), by: finance)
        #expect(progress.status == .rejected)
        #expect(throws: ApprovalProgress.Refusal.closed) { try progress.apply(.approve(comment: nil), by: finance) }
        #expect(throws: ApprovalProgress.Refusal.closed) { try progress.apply(.withdraw, by: ana) }
    }

    @Test("changes requested go back to the requester, who resubmits from the first step or withdraws")
    func changes() throws {
        var progress = request()
        try progress.apply(.approve(comment: nil), by: maya)
        try progress.apply(.requestChanges(comment: "Add the quote"), by: ceo)
        #expect(progress.status == .changesRequested && progress.waitingOn.isEmpty)
        #expect(throws: ApprovalProgress.Refusal.notYourTurn) { try progress.apply(.resubmit, by: maya) }
        try progress.apply(.resubmit, by: ana)
        #expect(progress.status == .pending && progress.current == 0 && progress.waitingOn == [maya])
        try progress.apply(.withdraw, by: ana)
        #expect(progress.status == .withdrawn)
    }

    @Test("transfer, add an approver before or after oneself, return to an earlier step")
    func reroute() throws {
        var progress = request(.anyOne)
        #expect(throws: ApprovalProgress.Refusal.needsComment) { try progress.apply(.transfer(to: daniel, reason: ""), by: maya) }
        try progress.apply(.transfer(to: daniel, reason: "On leave"), by: maya)
        #expect(progress.waitingOn == [daniel])
        try progress.apply(.addApprover(maya, before: true), by: daniel)
        #expect(progress.waitingOn == [maya] && progress.steps.count == 3)
        try progress.apply(.approve(comment: nil), by: maya)
        #expect(progress.waitingOn == [daniel])
        try progress.apply(.addApprover(finance, before: false), by: daniel)
        try progress.apply(.approve(comment: nil), by: daniel)
        #expect(progress.waitingOn == [finance])
        #expect(throws: ApprovalProgress.Refusal.badTarget) { try progress.apply(.returnTo(step: 5, comment: "?"), by: finance) }
        try progress.apply(.returnTo(step: 0, comment: "Check the numbers again"), by: finance)
        #expect(progress.current == 0 && progress.waitingOn == [maya])
    }

    @Test("pre-approved approvers settle a step at once")
    func preApproved() {
        let progress = ApprovalProgress(requester: ana, steps: [.init(name: "Lead", quorum: .anyOne, approvers: [maya], preApproved: [maya]),
                                                                .init(name: "Finance", quorum: .anyOne, approvers: [finance])])
        #expect(progress.current == 1 && progress.waitingOn == [finance])
    }
}
