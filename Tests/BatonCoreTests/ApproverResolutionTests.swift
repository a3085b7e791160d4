import Foundation
import Testing
@testable import BatonCore

@Suite("Approvals: approvers resolved to people, with the special cases")
struct ApproverResolutionTests {
    let ana = UUID(), maya = UUID(), daniel = UUID(), ceo = UUID(), finance = UUID(), owner = UUID(), left = UUID()
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// Ana reports to Maya, Maya to the CEO; Daniel is a peer of Maya.
    var directory: ApprovalDirectory {
        ApprovalDirectory(managers: [ana: maya, maya: ceo, daniel: ceo, left: maya], active: [ana, maya, daniel, ceo, finance, owner],
                          roles: ["admin": [finance]], matrix: ["budget": [finance, ceo]])
    }

    func people(_ steps: [ApprovalStep], requester: UUID? = nil, directory: ApprovalDirectory? = nil,
                policy: ApprovalPolicy = ApprovalPolicy()) -> [[UUID]] {
        ApproverResolution.resolve(steps, requester: requester ?? ana, owner: owner, directory: directory ?? self.directory,
                                   policy: policy, at: now).map { $0.approvers.map(\.person) }
    }

    @Test("manager, N levels up, role, people and the matrix")
    func kinds() {
        #expect(people([ApprovalStep(name: "Lead", approvers: [.requesterManager])]) == [[maya]])
        #expect(people([ApprovalStep(name: "Head", approvers: [.managerUp(levels: 2)])]) == [[ceo]])
        #expect(people([ApprovalStep(name: "Admins", approvers: [.role("admin"), .people([daniel, finance])])]) == [[finance, daniel]])
        #expect(people([ApprovalStep(name: "Budget", approvers: [.matrix(decision: "budget")], quorum: .all)]) == [[finance, ceo]])
    }

    @Test("nobody found goes to the template's owner; a deactivated approver hands over to their manager")
    func nobodyAndDeactivated() {
        let resolved = ApproverResolution.resolve([ApprovalStep(name: "Far up", approvers: [.managerUp(levels: 5)])], requester: ana, owner: owner,
                                                  directory: directory, policy: ApprovalPolicy(), at: now)
        #expect(resolved[0].approvers.map(\.person) == [owner] && resolved[0].approvers[0].note == .noApprover)
        let handed = ApproverResolution.resolve([ApprovalStep(name: "Named", approvers: [.people([left])])], requester: ana, owner: owner,
                                                directory: directory, policy: ApprovalPolicy(), at: now)
        #expect(handed[0].approvers == [ResolvedApprover(person: maya, actingFor: left, preApproved: false, note: .handedOver)])
    }

    @Test("out of office: the substitute acts for the approver during the absence only")
    func outOfOffice() {
        var away = directory
        away.absences = [.init(person: maya, substitute: daniel, from: now.addingTimeInterval(-3600), until: now.addingTimeInterval(3600))]
        let during = ApproverResolution.resolve([ApprovalStep(name: "Lead", approvers: [.requesterManager])], requester: ana, owner: owner,
                                                directory: away, policy: ApprovalPolicy(), at: now)
        #expect(during[0].approvers == [ResolvedApprover(person: daniel, actingFor: maya, preApproved: false, note: .outOfOffice)])
        #expect(ApproverResolution.resolve([ApprovalStep(name: "Lead", approvers: [.requesterManager])], requester: ana, owner: owner,
                                           directory: away, policy: ApprovalPolicy(), at: now.addingTimeInterval(7200))[0].approvers.map(\.person) == [maya])
    }

    @Test("the requester as approver: skipped, auto-approved or routed to their manager")
    func specialCases() {
        let step = [ApprovalStep(name: "Leads", approvers: [.people([maya, daniel])])]
        #expect(people(step, requester: maya, policy: ApprovalPolicy(requesterIsApprover: .skip)) == [[daniel]])
        #expect(people(step, requester: maya, policy: ApprovalPolicy(requesterIsApprover: .manager)) == [[ceo, daniel]])
        let auto = ApproverResolution.resolve(step, requester: maya, owner: owner, directory: directory,
                                              policy: ApprovalPolicy(requesterIsApprover: .autoApprove), at: now)
        #expect(auto[0].approvers.first == ResolvedApprover(person: maya, actingFor: nil, preApproved: true, note: .ownApproval))
        // only the requester, skipped: the owner decides, never a silent approval
        #expect(people([ApprovalStep(name: "Self", approvers: [.people([ana])])], policy: ApprovalPolicy(requesterIsApprover: .skip)) == [[owner]])
    }
}
