import Fluent
import Vapor
import BatonCore

/// Two projects with ~200 tasks in every state, written day by day over the last 60 days through
/// the Work service, so boards, history, dashboards and health metrics look like a real team's.
enum DemoWork {
    /// A small deterministic generator: the same demo every time.
    struct Dice {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state >> 33
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
    }

    static let verbs = ["Draft", "Review", "Ship", "Design", "Test", "Migrate", "Document", "Plan", "Analyse", "Fix", "Prepare", "Update"]
    static let objects = [
        "pricing page", "onboarding emails", "checkout flow", "search results", "release notes", "customer interviews",
        "analytics dashboard", "API rate limits", "mobile navigation", "accessibility audit", "FAQ content", "billing export",
        "welcome call script", "training deck", "SSO setup guide", "data import template", "support macros", "renewal offer",
    ]
    static let comments = [
        "Looks good, one question on scope before I continue.", "Pushed a first version — feedback welcome.",
        "Blocked on access to the staging account.", "Done with the draft, moving to review.",
        "Can we keep the old layout for enterprise customers?", "Numbers are in, see the attached sheet.",
    ]

    static func run(on app: Application, clock: DemoClock?, ownerID: UUID, workspaceID: UUID, people: [String: UUID]) async throws {
        let work = app.work
        var dice = Dice(state: 2026)
        let ownerAccess = try await Tenancy.access(workspaceID, for: ownerID, on: app.db)
        let reports = people.filter { $0.key != "maya@acme.test" && $0.key != "jordan@client.test" }.map(\.value)
            .sorted { $0.uuidString < $1.uuidString }
        // never in the future: work finished "tomorrow" would count as done today but not on the burn-up
        func at(_ days: Double) { clock?.set(daysAgo: max(days, 0)) }

        at(60)
        let specs = [("Website relaunch", "New marketing site and checkout, live before the spring campaign.", people["daniel@acme.test"]!),
                     ("Customer onboarding", "Get new customers to value in their first two weeks.", people["priya@acme.test"]!)]
        var projects: [WorkScope.ProjectAccess] = []
        for (name, description, lead) in specs {
            let project = try await work.createProject(ownerAccess, .init(name: name, description: description, leadID: lead,
                                                                          memberIDs: Array(people.values)))
            let scope = try await WorkScope.project(ownerAccess, id: try project.requireID(), on: app.db)
            _ = try await work.createField(scope, name: "Budget", type: .money, options: [], currency: "EUR")
            _ = try await work.createField(scope, name: "Client tier", type: .singleSelect, options: ["Gold", "Silver", "Bronze"], currency: nil)
            projects.append(scope)
        }
        // What the loop needs is kept from the services' answers rather than read again: the
        // demo writes ~200 tasks over 60 days and looks at every open one each day.
        var stagesByProject: [UUID: [Stage]] = [:]
        for scope in projects {
            stagesByProject[scope.projectID] = try await Stage.query(on: app.db).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        }
        var scopes: [String: WorkScope.ProjectAccess] = [:]
        func scoped(_ project: WorkScope.ProjectAccess, as delegator: UUID) async throws -> WorkScope.ProjectAccess {
            let key = "\(delegator) \(project.projectID)"
            if let known = scopes[key] { return known }
            let access = try await Tenancy.access(workspaceID, for: delegator, on: app.db)
            let made = try await WorkScope.project(access, id: project.projectID, on: app.db)
            scopes[key] = made
            return made
        }
        var open: [(task: WorkTask, assignee: UUID)] = []
        for day in stride(from: 59, through: 0, by: -1) {
            // new work arrives…
            for _ in 0..<dice.int(3..<5) {
                at(Double(day) + Double(dice.int(0..<8)) / 24)
                let scope = dice.pick(projects)
                let assignee = dice.pick(reports)
                let delegator = dice.chance(70) ? ownerID : (scope.project.leadID ?? ownerID)
                let projectScope = try await scoped(scope, as: delegator)
                var changes = TaskChanges(title: "\(dice.pick(verbs)) \(dice.pick(objects))")
                changes.assigneeID = .some(assignee)
                changes.priority = dice.pick([.urgent, .high, .normal, .normal, .normal, .low])
                changes.dueAt = .some(Date().addingTimeInterval(Double(-day + dice.int(10..<45)) * 86_400))
                changes.estimate = .some(Double(dice.int(1..<16)))
                changes.tags = [dice.pick(["frontend", "backend", "content", "customer", "ops"])]
                changes.customFields = ["Client tier": .string(dice.pick(["Gold", "Silver", "Bronze"])), "Budget": .number(Double(dice.int(2..<60) * 100))]
                var brief = TaskChanges.BriefChanges()
                brief.outcome = "A finished \(changes.title!.lowercased()) the team can use without a walkthrough."
                brief.constraints = dice.pick(["No new tools.", "Keep within the agreed budget.", "Reuse the existing components."])
                brief.successCriteria = dice.pick(["Signed off by the lead.", "Customers can find it without help.", "Zero open bugs."])
                brief.riskTolerance = .some(dice.pick([.low, .medium, .high]))
                brief.delegationLevel = .some(dice.int(3..<8))
                brief.stretch = dice.chance(20)
                brief.decisionRights = [.decideAlone: ["wording", "layout"], .consultFirst: ["budget over €500"],
                                       .escalate: [dice.pick(["purchases over €1,000", "client commitments", "production changes"])]]
                brief.checklist = Array(["Reviewed by a peer", "Linked in the project notes", "Stakeholders told"].prefix(dice.int(1..<4)))
                brief.checkpoints = [("First draft", Date().addingTimeInterval(Double(-day + dice.int(1..<6)) * 86_400))]
                changes.brief = brief
                open.append((try await work.createTask(projectScope, changes), assignee))
            }
            // …and earlier work moves on.
            var stillOpen: [(task: WorkTask, assignee: UUID)] = []
            for (known, assignee) in open {
                at(Double(day) - Double(dice.int(8..<20)) / 24)
                var task = known
                let taskID = try task.requireID()
                let stages = stagesByProject[task.projectID] ?? []
                let roll = dice.int(0..<100)
                let currentAssignee = task.assigneeID ?? assignee
                let delegator = task.delegatorID ?? ownerID
                if task.acceptanceRequestedAt != nil, roll < 70 {
                    // the delegator reviews what was submitted: mostly accepted, sometimes returned
                    let verdict: TaskReview.Verdict = dice.chance(80)
                        ? .accept : .return(feedback: "The stakeholders have not seen it yet; share it with them first.", untick: [])
                    task = (try? await work.reviewCompletion(taskID, by: delegator, verdict)) ?? task
                } else if task.handoffAcceptedAt == nil, roll < 40 {
                    task = (try? await work.acceptHandoff(taskID, by: currentAssignee)) ?? task
                } else if roll >= 40, roll < 50, let position = stages.first(where: { $0.id == task.stageID })?.position,
                          let next = stages.first(where: { $0.position > position && $0.category != .blocked }) {
                    if next.category == .done {
                        for item in try await ChecklistItem.query(on: app.db).filter(\.$taskID == taskID).filter(\.$checkedAt == nil).filter(\.$waivedReason == nil).all() {
                            let itemID = try item.requireID()
                            if dice.chance(85) {
                                _ = try await work.changeChecklistItem(taskID, itemID: itemID, by: currentAssignee, .check)
                            } else if !task.isDelegated {
                                _ = try await work.changeChecklistItem(taskID, itemID: itemID, by: currentAssignee, .waive(reason: "Not needed for this one"))
                            } else if item.waiverRequestReason == nil {
                                // the assignee asks; the delegator decides (the last days' requests still wait)
                                _ = try await work.requestWaiver(taskID, itemID: itemID, by: currentAssignee, reason: "Not needed for this one")
                                if day > 2 { _ = try await work.decideWaiver(taskID, itemID: itemID, by: delegator, grant: true) }
                            }
                        }
                    }
                    task = (try? await work.changeStage(taskID, for: currentAssignee, to: try next.requireID(), version: nil)) ?? task
                } else if roll >= 50, roll < 54 {
                    _ = try await work.comment(taskID, by: dice.chance(50) ? currentAssignee : ownerID, body: dice.pick(comments))
                } else if roll >= 54, roll < 56, !task.blocked {
                    task = (try? await work.updateTask(taskID, for: currentAssignee, version: nil,
                                                       TaskChanges(blocked: true, blockedReason: dice.pick(["Waiting for legal review", "No staging access", "Vendor has not replied"])))) ?? task
                } else if roll >= 56, roll < 58 {
                    // a reassignment; sometimes the manager pulls the work back
                    let target = dice.chance(40) ? (task.delegatorID ?? ownerID) : dice.pick(reports)
                    task = (try? await work.updateTask(taskID, for: task.delegatorID ?? ownerID, version: nil,
                                                       TaskChanges(assigneeID: .some(target)))) ?? task
                } else if roll >= 58, roll < 60 {
                    let later = (task.dueAt ?? Date()).addingTimeInterval(Double(dice.int(1..<6)) * 86_400)
                    task = (try? await work.updateTask(taskID, for: ownerID, version: nil, TaskChanges(dueAt: .some(later)))) ?? task
                } else if roll >= 60, roll < 63, let checkpoint = try await Checkpoint.query(on: app.db).filter(\.$taskID == taskID).filter(\.$reviewedAt == nil).first() {
                    _ = try await work.reviewCheckpoint(taskID, checkpointID: try checkpoint.requireID(), by: task.delegatorID ?? ownerID,
                                                        status: dice.pick([.onTrack, .onTrack, .atRisk, .offTrack]), note: "Checked in at the milestone.")
                }
                if known.blocked, dice.chance(25) {
                    task = (try? await work.updateTask(taskID, for: currentAssignee, version: nil, TaskChanges(blocked: false))) ?? task
                }
                if task.stageCategory != .done { stillOpen.append((task, task.assigneeID ?? assignee)) }
            }
            open = stillOpen
        }
        clock?.reset()
    }
}
