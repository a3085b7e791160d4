import Foundation
import Testing
@testable import BatonCore

@Suite("Approvals: form values, conditions, routing by branches, quorums, flow checks and warnings")
struct ApprovalRoutingTests {
    let lead = UUID(), finance = UUID(), director = UUID()
    let fields = [
        ApprovalField(key: "amount", label: "Amount", type: .money, required: true, currency: "EUR"),
        ApprovalField(key: "tier", label: "Client tier", type: .clientTier),
        ApprovalField(key: "risk", label: "Risk", type: .riskCategory),
        ApprovalField(key: "scope", label: "Scope", type: .multiSelect, options: ["pricing", "delivery", "legal"]),
        ApprovalField(key: "note", label: "Note", type: .text),
    ]

    /// The example: < 1,000 → team lead; 1,000–10,000 → department head; > 10,000 or risk =
    /// high → department head then finance, both must approve; strategic clients add the account director.
    var purchase: ApprovalFlow {
        let head = ApprovalStep(name: "Department head", approvers: [.managerUp(levels: 2)])
        return ApprovalFlow(branches: [
            ApprovalBranch(name: "Small", conditions: [ApprovalCondition("amount", .less, "1000")],
                           steps: [ApprovalStep(name: "Team lead", approvers: [.requesterManager])]),
            ApprovalBranch(name: "Large or risky", match: .any,
                           conditions: [ApprovalCondition("amount", .greater, "10000"), ApprovalCondition("risk", .equals, "high")],
                           steps: [head, ApprovalStep(name: "Finance", approvers: [.people([finance])])]),
            ApprovalBranch(name: "Medium", conditions: [ApprovalCondition("amount", .greaterOrEqual, "1000"), ApprovalCondition("amount", .lessOrEqual, "10000")],
                           steps: [head]),
            ApprovalBranch(name: "Strategic client", conditions: [ApprovalCondition("tier", .equals, "strategic")], effect: .add,
                           steps: [ApprovalStep(name: "Account director", approvers: [.people([director])])]),
        ], defaultSteps: [ApprovalStep(name: "Team lead", approvers: [.requesterManager])])
    }

    func values(_ raw: [String: ApprovalForm.RawValue]) throws -> [String: ApprovalValue] {
        try ApprovalForm.read(raw, fields: fields).get()
    }

    @Test("form values are typed against the fields; a missing required field or a wrong type names the field")
    func formValues() throws {
        let read = try values(["amount": .string("1200.50"), "tier": .string("key"), "scope": .strings(["pricing"])])
        #expect(read["amount"] == .number(1200.5) && read["tier"] == .text("key") && read["scope"] == .list(["pricing"]))
        func problem(_ raw: [String: ApprovalForm.RawValue]) -> String? {
            if case .failure(let problem) = ApprovalForm.read(raw, fields: fields) { return problem.field }
            return nil
        }
        #expect(problem([:]) == "values.amount")
        #expect(problem(["amount": .string("a lot")]) == "values.amount")
        #expect(problem(["amount": .number(-5)]) == "values.amount")
        #expect(problem(["amount": .number(5), "tier": .string("gold")]) == "values.tier")
        #expect(problem(["amount": .number(5), "scope": .strings(["pricing", "moon"])]) == "values.scope")
        #expect(problem(["amount": .number(5), "colour": .string("red")]) == "values.colour")
        #expect(problem(["amount": .number(5), "note": .strings(["x"])]) == "values.note")
    }

    @Test("conditions compare numbers, ordered tiers and risks, lists and emptiness")
    func conditions() throws {
        let read = try values(["amount": .number(5000), "tier": .string("key"), "scope": .strings(["legal", "pricing"])])
        func holds(_ condition: ApprovalCondition) -> Bool { condition.holds(read, fields: fields) }
        #expect(holds(ApprovalCondition("amount", .greaterOrEqual, "5000")) && !holds(ApprovalCondition("amount", .greater, "5000")))
        #expect(holds(ApprovalCondition("tier", .greater, "standard")) && !holds(ApprovalCondition("tier", .greaterOrEqual, "strategic")))
        #expect(holds(ApprovalCondition("tier", .isIn, "key, strategic")))
        #expect(holds(ApprovalCondition("scope", .contains, "legal")) && !holds(ApprovalCondition("scope", .contains, "delivery")))
        #expect(holds(ApprovalCondition("risk", .empty)) && !holds(ApprovalCondition("amount", .empty)))
        #expect(holds(ApprovalCondition("risk", .notEquals, "high")))
    }

    @Test("the route: the first route branch that holds, else the default, then every add branch")
    func routing() throws {
        func route(_ raw: [String: ApprovalForm.RawValue]) throws -> [String] {
            purchase.route(try values(raw), fields: fields).steps.map(\.name)
        }
        #expect(try route(["amount": .number(400)]) == ["Team lead"])
        #expect(try route(["amount": .number(4000)]) == ["Department head"])
        #expect(try route(["amount": .number(40_000)]) == ["Department head", "Finance"])
        #expect(try route(["amount": .number(400), "risk": .string("high")]) == ["Team lead"], "the first branch that holds wins")
        #expect(try route(["amount": .number(4000), "risk": .string("high")]) == ["Department head", "Finance"])
        #expect(try route(["amount": .number(4000), "tier": .string("strategic")]) == ["Department head", "Account director"])
        #expect(purchase.route(try values(["amount": .number(4000)]), fields: fields).branches == ["Medium"])
        let noBranch = ApprovalFlow(branches: [], defaultSteps: [ApprovalStep(name: "Lead", approvers: [.requesterManager])])
        #expect(noBranch.route(try values(["amount": .number(1)]), fields: fields).branches == ["Default"])
    }

    @Test("quorums: any one, all, at least N, a share; rejected as soon as approval has become impossible")
    func quorums() {
        #expect(ApprovalQuorum.anyOne.outcome(approvals: 1, rejections: 0, eligible: 3) == .approved)
        #expect(ApprovalQuorum.anyOne.outcome(approvals: 0, rejections: 2, eligible: 3) == .open)
        #expect(ApprovalQuorum.anyOne.outcome(approvals: 0, rejections: 3, eligible: 3) == .rejected)
        #expect(ApprovalQuorum.all.outcome(approvals: 2, rejections: 0, eligible: 3) == .open)
        #expect(ApprovalQuorum.all.outcome(approvals: 2, rejections: 1, eligible: 3) == .rejected)
        #expect(ApprovalQuorum.atLeast(2).outcome(approvals: 1, rejections: 1, eligible: 3) == .open)
        #expect(ApprovalQuorum.atLeast(2).outcome(approvals: 1, rejections: 2, eligible: 3) == .rejected)
        #expect(ApprovalQuorum.atLeast(5).needed(of: 3) == 3)
        #expect(ApprovalQuorum.percent(50).needed(of: 5) == 3)
        #expect(ApprovalQuorum.percent(50).outcome(approvals: 3, rejections: 2, eligible: 5) == .approved)
        #expect(ApprovalQuorum.anyOne.outcome(approvals: 0, rejections: 0, eligible: 0) == .rejected, "nobody to approve is never approval")
    }

    @Test("a flow with no approver, an unknown field or a value of the wrong type is refused, naming the place")
    func flowProblems() {
        func problem(_ flow: ApprovalFlow) -> String? { ApprovalFlowCheck.problem(in: flow, fields: fields)?.field }
        #expect(problem(purchase) == nil)
        #expect(problem(ApprovalFlow(branches: [], defaultSteps: [])) == "flow.default_steps")
        #expect(problem(ApprovalFlow(branches: [], defaultSteps: [ApprovalStep(name: "Nobody", approvers: [])])) == "flow.default_steps.0.approvers")
        var flow = purchase
        flow.branches[0].conditions = [ApprovalCondition("colour", .equals, "red")]
        #expect(problem(flow) == "flow.branches.0.conditions.0.field")
        flow.branches[0].conditions = [ApprovalCondition("amount", .less, "lots")]
        #expect(problem(flow) == "flow.branches.0.conditions.0.value")
        flow.branches[0].conditions = [ApprovalCondition("tier", .equals, "gold")]
        #expect(problem(flow) == "flow.branches.0.conditions.0.value")
        flow.branches[0].conditions = [ApprovalCondition("note", .greater, "a")]
        #expect(problem(flow) == "flow.branches.0.conditions.0.op")
        flow = purchase
        flow.branches[1].steps[0].quorum = .percent(150)
        #expect(problem(flow) == "flow.branches.1.steps.0.quorum")
    }

    @Test("warnings: a branch that can never match, and one that overlaps an earlier branch on the same amount")
    func warnings() {
        #expect(ApprovalFlowCheck.warnings(in: purchase, fields: fields).isEmpty)
        var flow = purchase
        flow.branches[2].conditions = [ApprovalCondition("amount", .greater, "900"), ApprovalCondition("amount", .lessOrEqual, "10000")]
        let overlap = ApprovalFlowCheck.warnings(in: flow, fields: fields)
        #expect(overlap.map(\.field) == ["flow.branches.2.conditions"] && overlap[0].message.contains("overlaps “Small”"))
        flow.branches[2].conditions = [ApprovalCondition("amount", .greater, "5000"), ApprovalCondition("amount", .less, "2000")]
        #expect(ApprovalFlowCheck.warnings(in: flow, fields: fields).first?.message.contains("can never match") == true)
        // touching bounds do not overlap: < 1000 and ≥ 1000
        flow.branches[2].conditions = [ApprovalCondition("amount", .greaterOrEqual, "1000")]
        #expect(ApprovalFlowCheck.warnings(in: flow, fields: fields).isEmpty)
    }
}
