import Fluent
import Foundation
import Vapor
import BatonCore

/// Runs a rule's firings (job `rule.run`): each once (its key in `rule_runs`), on the task as it
/// is now, if the conditions hold. The events its actions record carry the rule and the depth,
/// so the rules they set off run one level deeper, and stop at `RuleDepth.limit`.
enum RuleRunner {
    static let job = JobDefinition(kind: .ruleRun) { job, app in
        let depth = job.payload["depth"].flatMap(Int.init) ?? 1
        if let ms = job.payload["at"].flatMap(Int.init), let ruleID = job.payload["rule_id"].flatMap(UUID.init(uuidString:)) {
            try await run(ruleID, depth: depth, firings: try await occurrenceFirings(rule: ruleID, ms: ms, on: app.store.reader), app: app)
            return
        }
        let groups = RuleJobs.groups(of: job.payload).filter { !$0.firings.isEmpty }
        guard !groups.isEmpty else { return }
        // Every rule of the job in one write; if an action fails, rule by rule, firing by firing.
        do {
            try await app.store.write { ctx in
                let contexts = try await ContextCache.forRules(groups, on: ctx.db)
                for group in groups {
                    ctx.addTag(eventTag(rule: group.rule, depth: depth))
                    try await fire(group.rule, depth: depth, firings: group.firings, baseURL: app.publicBaseURL, contexts: contexts, ctx: ctx)
                }
            }
        } catch where RuleFailure.describing(error) != nil {
            for group in groups { try await run(group.rule, depth: depth, firings: group.firings, app: app) }
        }
    }

    /// One rule's firings in one write; if an action fails, each firing on its own, so that one
    /// task's failure is written to the history and the others still happen.
    static func run(_ ruleID: UUID, depth: Int, firings: [RuleFiring], app: Application) async throws {
        guard !firings.isEmpty else { return }
        do {
            try await write(ruleID, depth: depth, firings: firings, app: app)
        } catch where RuleFailure.describing(error) != nil {
            for firing in firings {
                do {
                    try await write(ruleID, depth: depth, firings: [firing], app: app)
                } catch where RuleFailure.describing(error) != nil {
                    guard let rule = try await Rule.find(ruleID, on: app.store.reader) else { return }
                    try await recordFailure(rule: rule, key: firing.key, occasion: firing.occasion, depth: depth, taskID: firing.taskID,
                                            message: RuleFailure.describing(error) ?? "", app: app)
                }
            }
        }
    }

    private static func write(_ ruleID: UUID, depth: Int, firings: [RuleFiring], app: Application) async throws {
        let baseURL = app.publicBaseURL
        try await app.store.write { ctx in
            ctx.addTag(eventTag(rule: ruleID, depth: depth))
            try await fire(ruleID, depth: depth, firings: firings, baseURL: baseURL, ctx: ctx)
        }
    }

    /// What the events of a rule's actions carry: the rule (it is not set off by them) and the depth.
    private static func eventTag(rule: UUID, depth: Int) -> [String: String] {
        [RuleDepth.eventKey: String(depth), RuleDepth.ruleKey: rule.uuidString]
    }

    private static func fire(_ ruleID: UUID, depth: Int, firings: [RuleFiring], baseURL: String, contexts: ContextCache? = nil,
                             ctx: WriteContext) async throws {
        guard let rule = try await Rule.find(ruleID, on: ctx.db), rule.enabled else { return }
        var seen = try await RuleRun.ran(firings.map(\.key), on: ctx.db)
        let pending = firings.filter { seen.insert($0.key).inserted }
        guard !pending.isEmpty else { return }
        guard RuleDepth.isAllowed(depth) else {
            for firing in pending {
                try await insertRun(rule, firing.key, occasion: firing.occasion, depth: depth, taskID: firing.taskID, status: "skipped",
                                    summary: "Skipped: set off by a change other rules made \(depth - 1) levels deep; rules stop at \(RuleDepth.limit), so they cannot loop.",
                                    ctx: ctx)
            }
            return
        }
        let definition = try rule.definition
        let shared = try await contexts?.context(for: rule.projectID, baseURL: baseURL, on: ctx.db)
        let loaded = shared == nil ? try await RuleTaskContext.load(project: rule.projectID, tasks: pending.map(\.taskID), baseURL: baseURL, on: ctx.db) : nil
        guard let context = shared ?? loaded else { return }
        // The next rule must see what this one changed.
        if definition.actions.contains(where: { $0.type.changesWork }) { contexts?.forget(rule.projectID) }
        let actor = try await actingScope(of: rule, in: context.project, definition: definition, on: ctx.db)
        let actions = RuleActions(rule: rule, definition: definition, context: context, actor: actor)
        let view = try await RuleViewFilter.load(definition.trigger, project: context.project, on: ctx.db)
        for firing in pending {
            guard let task = context.tasks[firing.taskID], task.archivedAt == nil else { continue }
            let facts = context.facts(of: task, rule: rule, now: ctx.now)
            if let view, try await !view.entered(task, facts: facts, rule: ruleID, ctx: ctx) { continue }
            guard RuleConditions.matches(definition.conditions, definition.match, facts) else { continue }
            let lines = try await actions.perform(on: task, facts: facts, occasion: firing.occasion, runKey: firing.key,
                                                     causedBy: firing.causedBy, ctx: ctx)
            try await insertRun(rule, firing.key, occasion: firing.occasion, depth: depth, taskID: firing.taskID, status: "done",
                                summary: lines.joined(separator: "\n"), ctx: ctx)
        }
    }

    /// The tasks of a job's rules, loaded once per project for all of them (until a rule changes work).
    final class ContextCache: @unchecked Sendable {
        private let tasks: [UUID: [UUID]]
        private var loaded: [UUID: RuleTaskContext] = [:]

        private init(tasks: [UUID: [UUID]]) { self.tasks = tasks }

        static func forRules(_ groups: [(rule: UUID, firings: [RuleFiring])], on db: any Database) async throws -> ContextCache {
            let projects = Dictionary(try await Rule.query(on: db).filter(\.$id ~~ groups.map(\.rule)).all().map { ($0.id!, $0.projectID) }) { a, _ in a }
            var tasks: [UUID: Set<UUID>] = [:]
            for group in groups { if let project = projects[group.rule] { tasks[project, default: []].formUnion(group.firings.map(\.taskID)) } }
            return ContextCache(tasks: tasks.mapValues { Array($0) })
        }

        func context(for project: UUID, baseURL: String, on db: any Database) async throws -> RuleTaskContext? {
            if let known = loaded[project] { return known }
            guard let ids = tasks[project], let context = try await RuleTaskContext.load(project: project, tasks: ids, baseURL: baseURL, on: db)
            else { return nil }
            loaded[project] = context
            return context
        }

        func forget(_ project: UUID) { loaded[project] = nil }
    }

    /// Whose rights a rule that changes work (or posts a webhook) acts with: whoever last saved it, or the project lead
    /// for a rule nobody has saved. They must still be able to manage the project.
    static func actingScope(of rule: Rule, in project: Project, definition: RuleDefinition,
                            on db: any Database) async throws -> WorkScope.ProjectAccess? {
        // A webhook sends the task out of Baton: only while someone who may manage the project stands behind it.
        guard definition.actions.contains(where: { $0.type.changesWork || $0.type == .webhook }) else { return nil }
        guard let actorID = rule.ownerID ?? project.leadID else {
            throw RuleFailure("This rule changes tasks but acts for nobody: give the project a lead, or save the rule to act for you.")
        }
        let scope: WorkScope.ProjectAccess
        do {
            scope = try await WorkScope.project(id: rule.projectID, for: actorID, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw RuleFailure("The person this rule acts for is no longer in the project; a lead or admin must save the rule to take it over.")
        }
        guard scope.canManage else {
            throw RuleFailure("The person this rule acts for can no longer manage the project; a lead or admin must save the rule to take it over.")
        }
        return scope
    }

    /// A scheduled occurrence's firings: the open tasks of the project (up to 500), one key each.
    private static func occurrenceFirings(rule ruleID: UUID, ms: Int, on db: any Database) async throws -> [RuleFiring] {
        guard let rule = try await Rule.find(ruleID, on: db) else { return [] }
        let tasks = try await WorkTask.query(on: db).filter(\.$projectID == rule.projectID).filter(\.$archivedAt == nil)
            .filter(\.$stageCategory != .done).sort(\.$id).limit(500).all()
        return tasks.map { task in
            RuleFiring(taskID: task.id!, key: RuleJobs.key(rule: ruleID, "at:\(ms):task:\(task.id!.uuidString.lowercased())"), occasion: "at:\(ms)")
        }
    }

    static func recordFailure(rule: Rule, key: String, occasion: String, depth: Int, taskID: UUID?, message: String,
                              app: Application) async throws {
        try await app.store.write { ctx in
            guard try await RuleRun.query(on: ctx.db).filter(\.$key == key).first() == nil else { return }
            try await insertRun(rule, key, occasion: occasion, depth: depth, taskID: taskID, status: "failed", summary: "",
                                error: String(message.prefix(1000)), ctx: ctx)
        }
    }

    static func insertRun(_ rule: Rule, _ key: String, occasion: String, depth: Int, taskID: UUID?, status: String, summary: String,
                          error: String? = nil, ctx: WriteContext) async throws {
        let run = RuleRun()
        run.id = UUID()
        run.ruleID = try rule.requireID()
        run.workspaceID = rule.workspaceID
        run.projectID = rule.projectID
        run.taskID = taskID
        run.key = key
        run.occasion = occasion
        run.depth = depth
        run.status = status
        run.summary = summary
        run.error = error
        run.createdAt = ctx.now
        try await ctx.insert(run)
    }
}
