import Foundation
import Testing
@testable import BatonCore

@Suite("Approvals: parallel branches, repeat approvers, the decision-rights matrix, waits and the JSON shape")
struct ApprovalMatrixTests {
    let ana = UUID(), maya = UUID(), ceo = UUID(), finance = UUID(), legal = UUID(), director = UUID()
    let sales = UUID(), ops = UUID()

    @Test("parallel steps open together; merge on all needs each, merge on any needs one, and a reject ends an all-group")
    func parallel() throws {
        func flow(_ merge: ApprovalMatch) -> ApprovalProgress {
            ApprovalProgress(requester: ana, steps: [
                .init(name: "Lead", quorum: .anyOne, approvers: [maya]),
                .init(name: "Finance", quorum: .anyOne, approvers: [finance], parallelGroup: 1, merge: merge),
                .init(name: "Legal", quorum: .anyOne, approvers: [legal], parallelGroup: 1, merge: merge),
                .init(name: "CEO", quorum: .anyOne, approvers: [ceo]),
            ])
        }
        var all = flow(.all)
        try all.apply(.approve(comment: nil), by: maya)
        #expect(all.openSteps == 1..<3 && all.waitingOn == [finance, legal])
        try all.apply(.approve(comment: nil), by: legal)
        #expect(all.waitingOn == [finance] && all.current == 1)
        try all.apply(.approve(comment: nil), by: finance)
        #expect(all.waitingOn == [ceo] && all.current == 3)

        var any = flow(.any)
        try any.apply(.approve(comment: nil), by: maya)
        try any.apply(.approve(comment: nil), by: finance)
        #expect(any.waitingOn == [ceo])
        #expect(throws: ApprovalProgress.Refusal.notYourTurn) { try any.apply(.approve(comment: nil), by: legal) }

        var rejected = flow(.all)
        try rejected.apply(.approve(comment: nil), by: maya)
        try rejected.apply(.reject(comment: "No"), by: legal)
        #expect(rejected.status == .rejected)

        var anyRejected = flow(.any)
        try anyRejected.apply(.approve(comment: nil), by: maya)
        try anyRejected.apply(.reject(comment: "No"), by: legal)
        #expect(anyRejected.status == .pending && anyRejected.waitingOn == [finance])
        try anyRejected.apply(.reject(comment: "No"), by: finance)
        #expect(anyRejected.status == .rejected)
    }

    @Test("parallel groups of two branches never merge into one")
    func groupsStayApart() {
        let fields = [ApprovalField(key: "amount", label: "Amount", type: .money)]
        let flow = ApprovalFlow(branches: [
            ApprovalBranch(name: "Big", conditions: [.init("amount", .greater, "10")],
                           steps: [ApprovalStep(name: "A", approvers: [.people([maya])], parallelGroup: 1)]),
            ApprovalBranch(name: "Also", conditions: [.init("amount", .greater, "10")], effect: .add,
                           steps: [ApprovalStep(name: "B", approvers: [.people([ceo])], parallelGroup: 1)]),
        ], defaultSteps: [ApprovalStep(name: "Lead", approvers: [.requesterManager])])
        let steps = flow.route(["amount": .number(20)], fields: fields).steps
        #expect(steps.count == 2 && steps[0].parallelGroup != steps[1].parallelGroup)
    }

    @Test("someone who approved an earlier step counts again when the template says so, and not before they approved")
    func repeatApprover() throws {
        let steps: [ApprovalProgress.Step] = [
            .init(name: "Leads", quorum: .anyOne, approvers: [maya, ceo]),
            .init(name: "Budget", quorum: .all, approvers: [maya, finance]),
        ]
        var counted = ApprovalProgress(requester: ana, steps: steps, repeatApproverAutoApproves: true)
        #expect(counted.steps[1].approvals.isEmpty)
        try counted.apply(.approve(comment: nil), by: maya)
        #expect(counted.current == 1 && counted.waitingOn == [finance] && counted.steps[1].carried == [maya])
        var other = ApprovalProgress(requester: ana, steps: steps, repeatApproverAutoApproves: true)
        try other.apply(.approve(comment: nil), by: ceo)
        #expect(other.waitingOn == [maya, finance])
        var off = ApprovalProgress(requester: ana, steps: steps, repeatApproverAutoApproves: false)
        try off.apply(.approve(comment: nil), by: maya)
        #expect(off.waitingOn == [maya, finance])
    }

    @Test("a progress survives a round trip through its stored JSON")
    func storedProgress() throws {
        var progress = ApprovalProgress(requester: ana, steps: [.init(name: "Lead", quorum: .atLeast(2), approvers: [maya, ceo, finance])])
        try progress.apply(.approve(comment: nil), by: maya)
        let copy = try JSONDecoder().decode(ApprovalProgress.self, from: JSONEncoder().encode(progress))
        #expect(copy == progress)
    }

    @Test("flows are written with snake_case keys and typed kinds, and read back the same")
    func wire() throws {
        let flow = ApprovalFlow(branches: [
            ApprovalBranch(name: "Big", conditions: [.init("amount", .greater, "10000")],
                           steps: [ApprovalStep(name: "Head", approvers: [.managerUp(levels: 2), .matrix(decision: "budget")], quorum: .atLeast(1),
                                                parallelGroup: 1, merge: .any)]),
        ], defaultSteps: [ApprovalStep(name: "Lead", approvers: [.requesterManager, .role("Finance"), .people([maya])], quorum: .percent(50))],
           cc: [.teamLead(sales)])
        let data = try JSONEncoder().encode(flow)
        let text = String(decoding: data, as: UTF8.self)
        for expected in [#""default_steps""#, #""type":"manager_up""#, #""levels":2"#, #""type":"at_least""#, #""parallel_group":1"#,
                         #""type":"team_lead""#, #""team_id""#, #""decision":"budget""#] {
            #expect(text.contains(expected), "\(expected) in \(text)")
        }
        #expect(try JSONDecoder().decode(ApprovalFlow.self, from: data) == flow)
    }

    var matrix: DecisionRights {
        DecisionRights(decisions: [
            .init(key: "budget", label: "Budget", entries: [
                .init(holder: .role("member"), right: .decide, upToAmount: 1_000),
                .init(holder: .team(sales), right: .decide, upToAmount: 5_000, forTeam: sales),
                .init(holder: .person(maya), right: .approve, upToAmount: 10_000),
                .init(holder: .person(director), right: .approve, upToAmount: 10_000, forTeam: sales),
                .init(holder: .person(finance), right: .approve),
                .init(holder: .role("Legal"), right: .consult),
            ]),
            .init(key: "client", label: "Client commitments", entries: [
                .init(holder: .person(maya), right: .approve, upToTier: "key"),
                .init(holder: .person(director), right: .approve, upToTier: "strategic", upToRisk: "medium"),
            ]),
        ])
    }

    @Test("the matrix: the nearest covering approver, by amount, tier, risk and team")
    func matrixApprovers() {
        #expect(matrix.approvers(of: "budget", size: DecisionSize(amount: 5_000), requesterTeams: []) == [.person(maya)])
        #expect(matrix.approvers(of: "budget", size: DecisionSize(amount: 5_000), requesterTeams: [sales]) == [.person(maya), .person(director)])
        #expect(matrix.approvers(of: "budget", size: DecisionSize(amount: 50_000), requesterTeams: []) == [.person(finance)])
        #expect(matrix.approvers(of: "client", size: DecisionSize(tier: "strategic"), requesterTeams: []) == [.person(director)])
        #expect(matrix.approvers(of: "client", size: DecisionSize(tier: "strategic", risk: "high"), requesterTeams: []).isEmpty)
        #expect(matrix.approvers(of: "unknown", size: DecisionSize(), requesterTeams: []).isEmpty)
    }

    @Test("what a person may decide alone: by role, by team, up to the limit")
    func decidesAlone() {
        #expect(matrix.decidesAlone("budget", person: ana, roles: ["member"], teams: [], size: DecisionSize(amount: 800)))
        #expect(!matrix.decidesAlone("budget", person: ana, roles: ["member"], teams: [], size: DecisionSize(amount: 3_000)))
        #expect(matrix.decidesAlone("budget", person: ana, roles: ["member"], teams: [sales], size: DecisionSize(amount: 3_000)))
        #expect(!matrix.decidesAlone("budget", person: ana, roles: ["member"], teams: [ops], size: DecisionSize(amount: 3_000)))
    }

    @Test("a matrix with a bad key, an unknown team or person, a bad tier or a limit on consult names the place")
    func matrixProblems() {
        #expect(matrix.problem(teams: [sales], people: [maya, director, finance]) == nil)
        #expect(matrix.problem(teams: [], people: [maya, director, finance])?.field == "decisions.0.entries.1.holder")
        #expect(matrix.problem(teams: [sales], people: [maya, finance])?.field == "decisions.0.entries.3.holder")
        var bad = matrix
        bad.decisions[1].key = "budget"
        #expect(bad.problem(teams: [sales], people: [maya, director, finance])?.field == "decisions.1.key")
        bad = matrix
        bad.decisions[1].entries[0].upToTier = "gold"
        #expect(bad.problem(teams: [sales], people: [maya, director, finance])?.field == "decisions.1.entries.0.up_to_tier")
        bad = matrix
        bad.decisions[0].entries[5].upToAmount = 5
        #expect(bad.problem(teams: [sales], people: [maya, director, finance])?.field == "decisions.0.entries.5.right")
    }

    @Test("a request's size for the matrix: the first money field, the tier and the risk")
    func size() {
        let fields = [ApprovalField(key: "title", label: "Title", type: .text), ApprovalField(key: "cost", label: "Cost", type: .money),
                      ApprovalField(key: "tier", label: "Tier", type: .clientTier), ApprovalField(key: "risk", label: "Risk", type: .riskCategory)]
        let size = DecisionSize(values: ["title": .text("x"), "cost": .number(12), "tier": .text("key"), "risk": .text("high")], fields: fields)
        #expect(size == DecisionSize(amount: 12, tier: "key", risk: "high"))
    }

    @Test("waits: count, average and nearest-rank p90 per key, the longest first")
    func waits() {
        let waits = (1...10).map { (key: "maya", seconds: Double($0) * 3600) } + [(key: "ceo", seconds: 60.0)]
        let summary = WaitSummary.of(waits)
        #expect(summary.map(\.key) == ["maya", "ceo"])
        #expect(summary[0].count == 10 && summary[0].average == 5.5 * 3600 && summary[0].p90 == 9 * 3600)
        #expect(summary[1].p90 == 60 && summary[1].average == 60)
    }

    @Test("a wait in words")
    func waitWords() {
        #expect(WaitWords.duration(20) == "under a minute")
        #expect(WaitWords.duration(45 * 60) == "45 min")
        #expect(WaitWords.duration(3 * 3600 + 20 * 60) == "3 h 20 min")
        #expect(WaitWords.duration(5 * 3600) == "5 h")
        #expect(WaitWords.duration(52 * 3600) == "2 d 4 h")
        #expect(WaitWords.duration(-5) == "under a minute")
        #expect(AmountWords.text(12_500) == "12,500" && AmountWords.text(1_234_567.5) == "1,234,567.50" && AmountWords.text(-3) == "-3")
        #expect(AmountWords.text(999) == "999" && AmountWords.text(0.05) == "0.05")
    }

    @Test("sending back to a step inside a parallel group reopens the whole group; an auto-approved step does not leave it stuck")
    func returnToGroup() throws {
        var progress = ApprovalProgress(requester: ana, steps: [
            .init(name: "Own", quorum: .anyOne, approvers: [ana], preApproved: [ana]),
            .init(name: "Finance", quorum: .anyOne, approvers: [finance], parallelGroup: 1),
            .init(name: "Legal", quorum: .anyOne, approvers: [legal], parallelGroup: 1),
            .init(name: "CEO", quorum: .anyOne, approvers: [ceo]),
        ])
        try progress.apply(.approve(comment: nil), by: finance)
        try progress.apply(.approve(comment: nil), by: legal)
        try progress.apply(.returnTo(step: 2, comment: "Check again"), by: ceo)
        #expect(progress.current == 1 && progress.waitingOn == [finance, legal])
        try progress.apply(.approve(comment: nil), by: finance)
        try progress.apply(.approve(comment: nil), by: legal)
        try progress.apply(.returnTo(step: 0, comment: "From the start"), by: ceo)
        #expect(progress.status == .pending && progress.waitingOn == [finance, legal], "the pre-approved first step settles again at once")
    }

    @Test("added approvers stop at the step limit; levels below 1 find nobody; the owner's own request goes to their manager, else nobody")
    func limits() throws {
        var progress = ApprovalProgress(requester: ana, steps: [.init(name: "Lead", quorum: .anyOne, approvers: [maya])])
        for _ in 1..<ApprovalProgress.maxSteps { try progress.apply(.addApprover(UUID(), before: false), by: maya) }
        #expect(throws: ApprovalProgress.Refusal.badTarget) { try progress.apply(.addApprover(UUID(), before: false), by: maya) }
        let directory = ApprovalDirectory(managers: [maya: ceo], active: [ana, maya, ceo])
        #expect(directory.manager(of: maya, levels: 0) == nil && directory.manager(of: maya, levels: -1) == nil)
        let step = [ApprovalStep(name: "Lead", approvers: [.requesterManager])]
        let own = ApproverResolution.resolve(step, requester: maya, owner: maya, directory: ApprovalDirectory(active: [maya]), policy: ApprovalPolicy(), at: Date())
        #expect(own[0].approvers.isEmpty)
        let up = ApproverResolution.resolve([ApprovalStep(name: "Self", approvers: [.people([maya])])], requester: maya, owner: maya,
                                            directory: directory, policy: ApprovalPolicy(requesterIsApprover: .skip), at: Date())
        #expect(up[0].approvers.map(\.person) == [ceo])
        let cc = ApprovalFlow(branches: [], defaultSteps: step, cc: [.managerUp(levels: -1)])
        #expect(ApprovalFlowCheck.problem(in: cc, fields: [])?.field == "flow.cc.0.levels")
    }
}
