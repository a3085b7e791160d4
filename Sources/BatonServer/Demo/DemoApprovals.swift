import Fluent
import Vapor
import BatonCore

/// The demo's approvals: the seeds' three templates (a purchase routed by amount, a client
/// commitment by tier and scope, a production change by risk), a decision-rights matrix, and
/// requests in every state over the last 60 days, some waiting long on Maya.
enum DemoApprovals {
    static func run(on app: Application, clock: DemoClock?, access: WorkspaceAccess, people: [String: UUID], teams: [String: UUID]) async throws {
        func person(_ name: String) -> UUID { people["\(name)@acme.test"]! }
        func at(_ days: Double) { clock?.set(daysAgo: max(days, 0)) }
        let templates = ApprovalTemplateService(store: app.store)
        let requests = ApprovalRequestService(store: app.store)
        at(61)
        _ = try await templates.putDecisionRights(access, matrix(person, teams: teams), version: nil)
        let purchase = try await templates.create(access, purchaseTemplate(person))
        let client = try await templates.create(access, clientTemplate(person, teams: teams))
        let change = try await templates.create(access, changeTemplate(teams: teams))

        // (days ago, requester, template, values, what happens: who does what, hours after the last step)
        typealias Step = (hours: Double, actor: String, action: ApprovalAction)
        let stories: [(Double, String, ApprovalTemplate, [String: StoredValue], [Step])] = [
            (58, "tom", purchase, ["item": .string("Second monitor"), "amount": .number(240), "vendor": .string("Dell")],
             [(3, "daniel", .approve(comment: nil))]),
            (55, "priya", purchase, ["item": .string("Figma seats for the agency"), "amount": .number(2_400), "vendor": .string("Figma")],
             [(30, "maya", .approve(comment: "Until the end of the quarter."))]),
            (52, "lena", change, ["change": .string("Move checkout to the new payment API"), "risk": .string("high"),
                                  "systems": .strings(["Checkout"]), "window": .string("2026-10-20")],
             [(5, "aiko", .approve(comment: "Load test passed.")), (2, "daniel", .approve(comment: nil)), (70, "maya", .approve(comment: nil))]),
            (49, "sam", client, ["client": .string("Northwind"), "tier": .string("key"), "scope": .string("Discount"), "value": .number(8_000)],
             [(20, "maya", .reject(comment: "Not before they renew; offer a longer term instead."))]),
            (45, "tom", purchase, ["item": .string("Load-testing service"), "amount": .number(14_000), "vendor": .string("k6 Cloud")],
             [(6, "daniel", .approve(comment: nil)), (96, "maya", .requestChanges(comment: "Get a quote for a yearly plan.")),
              (20, "tom", .resubmit(values: ["item": .string("Load-testing service, yearly"), "amount": .number(11_500), "vendor": .string("k6 Cloud")], comment: "Yearly plan")),
              (4, "daniel", .approve(comment: nil)), (50, "maya", .approve(comment: nil)), (6, "ruth", .approve(comment: "Booked on the Q4 budget."))]),
            (40, "aiko", change, ["change": .string("Rotate the search cluster certificates"), "risk": .string("low"), "systems": .strings(["Search"])],
             [(1, "daniel", .approve(comment: nil))]),
            (36, "priya", client, ["client": .string("Globex"), "tier": .string("strategic"), "scope": .string("Custom feature"), "value": .number(40_000)],
             // Maya approved the parallel step, so the account director's step (hers too) counts at once
             [(8, "daniel", .approve(comment: "Two sprints, after the relaunch.")), (1, "maya", .approve(comment: nil))]),
            (30, "lena", purchase, ["item": .string("Design conference tickets"), "amount": .number(1_800)], [(4, "lena", .withdraw(comment: "Budget moved to training."))]),
            (26, "sam", purchase, ["item": .string("Analytics add-on"), "amount": .number(3_200), "vendor": .string("Amplitude")],
             [(150, "maya", .transfer(to: person("daniel"), reason: "Daniel owns the analytics budget.")), (8, "daniel", .approve(comment: nil))]),
            (21, "tom", change, ["change": .string("Drop the legacy accounts table"), "risk": .string("medium"), "systems": .strings(["Accounts"])],
             [(30, "daniel", .reject(comment: "Keep it until the export job is gone."))]),
            (16, "priya", purchase, ["item": .string("User research incentives"), "amount": .number(900)], [(2, "maya", .approve(comment: nil))]),
            (12, "lena", client, ["client": .string("Initech"), "tier": .string("standard"), "scope": .string("Timeline change"), "value": .number(0)],
             [(3, "maya", .approve(comment: nil))]),
            // still open: Maya is where these wait
            (11, "sam", purchase, ["item": .string("BI tool licences"), "amount": .number(6_500), "vendor": .string("Looker")], []),
            (9, "lena", change, ["change": .string("Enable the new fraud rules on checkout"), "risk": .string("high"), "systems": .strings(["Checkout", "Accounts"])],
             [(4, "aiko", .approve(comment: nil)), (3, "daniel", .approve(comment: nil))]),
            (6, "tom", purchase, ["item": .string("Staging servers"), "amount": .number(12_000), "vendor": .string("Hetzner")],
             [(5, "daniel", .approve(comment: nil))]),
            (4, "priya", client, ["client": .string("Umbrella"), "tier": .string("key"), "scope": .string("SLA change"), "value": .number(15_000)], []),
            (2, "lena", purchase, ["item": .string("Accessibility audit"), "amount": .number(4_000), "vendor": .string("Fable")],
             [(20, "daniel", .requestChanges(comment: "Which pages? Scope it to checkout first."))]),
            (1, "tom", purchase, ["item": .string("Keyboard"), "amount": .number(120)], []),
        ]
        for (days, requester, template, values, steps) in stories {
            at(days)
            let request = try await requests.submit(try template.requireID(), by: person(requester), SubmitDraft(values: values))
            var elapsed = days * 24
            for step in steps {
                elapsed -= step.hours
                at(elapsed / 24)
                _ = try await requests.act(try request.requireID(), by: person(step.actor), step.action)
            }
        }
        clock?.reset()
    }

    static func step(_ name: String, _ approvers: [ApproverSpec], _ quorum: ApprovalQuorum = .anyOne, group: Int? = nil) -> ApprovalStep {
        ApprovalStep(name: name, approvers: approvers, quorum: quorum, parallelGroup: group)
    }

    static func matrix(_ person: (String) -> UUID, teams: [String: UUID]) -> DecisionRights {
        let engineering = teams["Engineering"]
        return DecisionRights(decisions: [
            .init(key: "budget", label: "Budget and purchases", entries: [
                .init(holder: .role("member"), right: .decide, upToAmount: 500),
                .init(holder: .team(engineering!), right: .decide, upToAmount: 1_000, forTeam: engineering),
                .init(holder: .person(person("daniel")), right: .approve, upToAmount: 5_000, forTeam: engineering),
                .init(holder: .person(person("maya")), right: .approve, upToAmount: 10_000),
                .init(holder: .role("Finance"), right: .approve),
                .init(holder: .person(person("ruth")), right: .consult),
            ]),
            .init(key: "client", label: "Client commitments", entries: [
                .init(holder: .role("member"), right: .decide, upToTier: "standard"),
                .init(holder: .person(person("maya")), right: .approve, upToTier: "strategic"),
                .init(holder: .person(person("sam")), right: .consult),
            ]),
            .init(key: "production", label: "Production changes", entries: [
                .init(holder: .team(engineering!), right: .decide, upToRisk: "low", forTeam: engineering),
                .init(holder: .person(person("daniel")), right: .approve, upToRisk: "medium"),
                .init(holder: .person(person("maya")), right: .approve, upToRisk: "high"),
                .init(holder: .role("Quality"), right: .consult),
            ]),
        ])
    }

    static func purchaseTemplate(_ person: (String) -> UUID) -> TemplateDraft {
        var draft = TemplateDraft()
        draft.name = "Purchase"
        draft.description = "Anything the company pays for. Up to €500 is yours to decide: no request needed."
        draft.decision = .some("budget")
        draft.fields = [
            ApprovalField(key: "item", label: "What are you buying?", type: .text, required: true),
            ApprovalField(key: "amount", label: "Amount", type: .money, required: true, currency: "EUR"),
            ApprovalField(key: "vendor", label: "Vendor", type: .text),
            ApprovalField(key: "reason", label: "Why now", type: .longText),
        ]
        draft.flow = ApprovalFlow(branches: [
            ApprovalBranch(name: "Under €1,000", conditions: [.init("amount", .less, "1000")], steps: [step("Manager", [.requesterManager])]),
            ApprovalBranch(name: "Over €10,000", conditions: [.init("amount", .greater, "10000")],
                           steps: [step("Manager", [.requesterManager]), step("Head of Product", [.people([person("maya")])]),
                                   step("Finance", [.role("Finance")])]),
        ], defaultSteps: [step("Budget owner", [.matrix(decision: "budget")])])
        draft.remindAfterHours = .some(24)
        draft.escalateAfterHours = .some(96)
        draft.escalateTo = .some("manager")
        return draft
    }

    static func clientTemplate(_ person: (String) -> UUID, teams: [String: UUID]) -> TemplateDraft {
        var draft = TemplateDraft()
        draft.name = "Client commitment"
        draft.description = "Discounts, custom work, timelines and SLAs promised to a client."
        draft.decision = .some("client")
        draft.fields = [
            ApprovalField(key: "client", label: "Client", type: .text, required: true),
            ApprovalField(key: "tier", label: "Client tier", type: .clientTier, required: true),
            ApprovalField(key: "scope", label: "What we commit to", type: .singleSelect, required: true,
                          options: ["Discount", "Custom feature", "Timeline change", "SLA change"]),
            ApprovalField(key: "value", label: "Contract value", type: .money, currency: "EUR"),
        ]
        draft.flow = ApprovalFlow(branches: [
            ApprovalBranch(name: "Product or service scope", conditions: [.init("scope", .isIn, "Custom feature, SLA change")],
                           steps: [step("Engineering lead", [.teamLead(teams["Engineering"]!)], group: 1),
                                   step("Product lead", [.teamLead(teams["Product & Design"]!)], group: 1)]),
            ApprovalBranch(name: "Strategic client", conditions: [.init("tier", .equals, "strategic")], effect: .add,
                           steps: [step("Account director", [.people([person("maya")])])]),
        ], defaultSteps: [step("Client owner", [.matrix(decision: "client")])], cc: [.people([person("sam")])])
        draft.remindAfterHours = .some(48)
        return draft
    }

    static func changeTemplate(teams: [String: UUID]) -> TemplateDraft {
        var draft = TemplateDraft()
        draft.name = "Production change"
        draft.description = "Changes to live systems. Low-risk changes by Engineering are theirs to make: no request needed."
        draft.decision = .some("production")
        draft.fields = [
            ApprovalField(key: "change", label: "The change", type: .text, required: true),
            ApprovalField(key: "risk", label: "Risk", type: .riskCategory, required: true),
            ApprovalField(key: "systems", label: "Systems touched", type: .multiSelect, options: ["Checkout", "Accounts", "Search", "Marketing site"]),
            ApprovalField(key: "window", label: "Change window", type: .date),
        ]
        draft.flow = ApprovalFlow(branches: [
            ApprovalBranch(name: "High risk", conditions: [.init("risk", .equals, "high")],
                           steps: [step("QA sign-off", [.role("Quality")]), step("Engineering lead", [.teamLead(teams["Engineering"]!)]),
                                   step("Head of Product", [.matrix(decision: "production")])]),
            ApprovalBranch(name: "Medium risk", conditions: [.init("risk", .equals, "medium")],
                           steps: [step("Engineering lead", [.teamLead(teams["Engineering"]!)])]),
        ], defaultSteps: [step("Peer review", [.teamLead(teams["Engineering"]!)])])
        draft.policy = ApprovalPolicy(requesterIsApprover: .skip)
        draft.remindAfterHours = .some(8)
        draft.escalateAfterHours = .some(24)
        draft.escalateTo = .some("manager")
        return draft
    }
}
