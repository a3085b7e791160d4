// Approval routing benchmark (issue 15): a request through a template of 50 branches over an
// organisation of 5,000 people, timed per request (route, resolve the people, start the
// progress) and printed with p50 / p99 and as a ratio against reading the same form values in
// the same run. Target: p99 under 1 ms.
//
//     swift build -c release --product routing-bench && .build/release/routing-bench
import BatonCore
import Foundation

struct Dice {
    var state: UInt64
    mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
    mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
}
var dice = Dice(state: 15)

// The organisation: a reporting tree eight wide, 100 teams with leads, a few small roles, 50 absences.
let people = (0..<5_000).map { _ in UUID() }
var directory = ApprovalDirectory()
for (index, person) in people.enumerated() {
    directory.active.insert(person)
    if index > 0 { directory.managers[person] = people[(index - 1) / 8] }
}
let teams = (0..<100).map { _ in UUID() }
for (index, team) in teams.enumerated() { directory.teamLeads[team] = people[1 + index] }
directory.roles["finance"] = Array(people[100..<110])
directory.roles["legal"] = Array(people[110..<115])
directory.roles["member"] = people
directory.matrix["budget"] = Array(people[1..<4])
directory.absences = (0..<50).map { index in
    ApprovalDirectory.Absence(person: people[index * 7], substitute: people[index * 7 + 1], from: .distantPast, until: .distantFuture)
}
for person in people[4_990...] { directory.active.remove(person) }  // a few deactivated approvers hand over

let fields = [ApprovalField(key: "item", label: "Item", type: .text, required: true), ApprovalField(key: "amount", label: "Amount", type: .money, required: true),
              ApprovalField(key: "tier", label: "Tier", type: .clientTier), ApprovalField(key: "risk", label: "Risk", type: .riskCategory),
              ApprovalField(key: "scope", label: "Scope", type: .multiSelect, options: ["Discount", "Custom feature", "SLA"])]
let specs: [ApproverSpec] = [.requesterManager, .managerUp(levels: 2), .managerUp(levels: 3), .role("Finance"), .role("Legal"), .matrix(decision: "budget")]
var branches: [ApprovalBranch] = (0..<48).map { index in
    ApprovalBranch(name: "Band \(index)", conditions: [.init("amount", .greaterOrEqual, String(index * 1_000)), .init("amount", .less, String((index + 1) * 1_000)),
                                                        .init("risk", .notEquals, "high")],
                   steps: (0..<(1 + index % 3)).map { step in
                       ApprovalStep(name: "Step \(step)", approvers: [specs[(index + step) % specs.count], .teamLead(teams[index])],
                                    quorum: step == 2 ? .all : .anyOne, parallelGroup: step == 1 ? 1 : nil)
                   })
}
branches.append(ApprovalBranch(name: "Strategic", conditions: [.init("tier", .equals, "strategic")], effect: .add,
                               steps: [ApprovalStep(name: "Account director", approvers: [.people([people[42]])])]))
branches.append(ApprovalBranch(name: "Custom scope", match: .any, conditions: [.init("scope", .contains, "Custom feature"), .init("risk", .equals, "high")],
                               effect: .add, steps: [ApprovalStep(name: "Legal", approvers: [.role("Legal")], quorum: .atLeast(2))]))
let flow = ApprovalFlow(branches: branches, defaultSteps: [ApprovalStep(name: "Head", approvers: [.managerUp(levels: 2)])], cc: [.role("Finance")])
precondition(ApprovalFlowCheck.problem(in: flow, fields: fields) == nil)
let policy = ApprovalPolicy()

let requests: [(UUID, [String: ApprovalForm.RawValue])] = (0..<20_000).map { _ in
    (people[dice.int(0..<5_000)], ["item": .string("Request"), "amount": .number(Double(dice.int(0..<55_000))),
                                   "tier": .string(["standard", "key", "strategic"][dice.int(0..<3)]),
                                   "risk": .string(["low", "medium", "high"][dice.int(0..<3)]),
                                   "scope": .strings([["Discount"], ["Custom feature"], ["SLA", "Discount"]][dice.int(0..<3)])])
}

func timed(_ body: (UUID, [String: ApprovalForm.RawValue]) -> Int) -> [Double] {
    var sink = 0
    let times = requests.map { requester, raw -> Double in
        let start = DispatchTime.now().uptimeNanoseconds
        sink &+= body(requester, raw)
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000
    }
    precondition(sink != 42)
    return times.sorted()
}
let now = Date()
func read(_ raw: [String: ApprovalForm.RawValue]) -> [String: ApprovalValue] { try! ApprovalForm.read(raw, fields: fields).get() }
_ = timed { _, raw in read(raw).count }  // warm-up
let baseline = timed { _, raw in read(raw).count }
let routed = timed { requester, raw in
    let values = read(raw)
    let route = flow.route(values, fields: fields)
    let steps = ApproverResolution.resolve(route.steps, requester: requester, owner: people[0], directory: directory, policy: policy, at: now)
    let progress = ApprovalProgress(requester: requester, steps: steps.map { step in
        .init(name: step.name, quorum: step.quorum, approvers: step.approvers.map(\.person), parallelGroup: step.parallelGroup, merge: step.merge)
    }, repeatApproverAutoApproves: true)
    return progress.waitingOn.count + route.branches.count
}
func at(_ times: [Double], _ fraction: Double) -> Double { times[min(times.count - 1, Int(fraction * Double(times.count)))] }
print("20,000 requests, 50 branches, 5,000 people         p50 µs   p99 µs   ratio (p99)")
print(String(format: "read the form values (baseline)                 %7.1f  %7.1f  %7.2f", at(baseline, 0.5), at(baseline, 0.99), 1.0))
print(String(format: "route + resolve people + start progress          %7.1f  %7.1f  %7.2f", at(routed, 0.5), at(routed, 0.99),
             at(routed, 0.99) / at(baseline, 0.99)))
print(at(routed, 0.99) < 1_000 ? "p99 under 1 ms: yes" : "p99 under 1 ms: NO")
