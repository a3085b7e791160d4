import Fluent
import Foundation
import Vapor
import BatonCore

/// Which current tasks a rule would act on and what it would do, writing nothing: the editor's
/// preview and `POST /rules/{id}/dry-run`.
enum RuleDryRun {
    struct Result: Content {
        struct Hit: Content {
            let taskId: UUID
            let title: String
            let link: String
            let actions: [String]
            /// The rule already acted on this occasion (a deadline, a checkpoint) and will not again.
            let alreadyDone: Bool
        }
        let explanation: String
        let matching: Int
        let examined: Int
        let tasks: [Hit]
        let nextRunAt: Date?
    }

    /// A saved rule with a draft's changes (none: as saved).
    static func trySaved(_ rule: Rule, with draft: RuleDraft, scope: WorkScope.ProjectAccess, req: Request) async throws -> Result {
        let old = try rule.definition
        let checked = try await RuleReferences.check(draft.applied(to: old), keepingSecretsOf: old, scope: scope, on: req.reader, forPreview: true)
        return try await run(rule, checked, project: scope.project, baseURL: req.application.publicBaseURL,
                             now: req.application.clock.now(), on: req.reader)
    }

    /// A rule not saved yet, from a template or spelled out.
    static func tryDraft(_ draft: RuleDraft, scope: WorkScope.ProjectAccess, req: Request) async throws -> Result {
        let checked = try await RuleReferences.check(try draft.newDefinition(), keepingSecretsOf: nil, scope: scope, on: req.reader, forPreview: true)
        let rule = Rule()
        rule.id = UUID()   // occasions are named by the rule; a draft's name is thrown away
        rule.workspaceID = scope.access.workspaceID
        rule.projectID = scope.projectID
        rule.name = draft.name ?? "New rule"
        rule.createdAt = req.application.clock.now()
        rule.updatedAt = rule.createdAt
        return try await run(rule, checked, project: scope.project, baseURL: req.application.publicBaseURL,
                             now: req.application.clock.now(), on: req.reader)
    }

    static let examinedLimit = 2000
    static let shownLimit = 50

    static func run(_ rule: Rule, _ definition: RuleDefinition, project: Project, baseURL: String, now: Date,
                    on db: any Database) async throws -> Result {
        let trigger = definition.trigger
        var occasions: [UUID: String] = [:]
        let candidates: [UUID]
        switch trigger.type {
        case .dueSoon:
            let firings = try await RuleSweep.dueSoonFirings(rule, trigger, now: now, on: db).prefix(examinedLimit)
            for firing in firings { occasions[firing.taskID] = firing.key }
            candidates = firings.map(\.taskID)
        case .checkpointOverdue:
            let firings = try await RuleSweep.missedCheckpointFirings(rule, now: now, on: db).prefix(examinedLimit)
            for firing in firings { occasions[firing.taskID] = firing.key }
            var seen = Set<UUID>()
            candidates = firings.map(\.taskID).filter { seen.insert($0).inserted }
        default:
            candidates = try await WorkTask.query(on: db).filter(\.$projectID == project.id!).filter(\.$archivedAt == nil)
                .filter(\.$stageCategory != .done).sort(\.$updatedAt, .descending).limit(examinedLimit).all().compactMap(\.id)
        }
        guard let context = try await RuleTaskContext.load(project: project.id!, tasks: candidates, baseURL: baseURL, on: db) else {
            throw BatonError.notFound("Project")
        }
        let actions = RuleActions(rule: rule, definition: definition, context: context, actor: nil)
        let view: RuleViewFilter?
        do { view = try await RuleViewFilter.load(trigger, project: project, on: db) } catch let failure as RuleFailure {
            throw BatonError.validation("trigger.view_id", failure.message)
        }
        let done = try await RuleRun.ran(Array(occasions.values), on: db)
        var hits: [Result.Hit] = []
        var matching = 0
        for id in candidates {
            guard let task = context.tasks[id] else { continue }
            let facts = context.facts(of: task, rule: rule, now: now)
            if let view, !view.contains(facts) { continue }
            guard RuleConditions.matches(definition.conditions, definition.match, facts) else { continue }
            matching += 1
            guard hits.count < shownLimit else { continue }
            hits.append(Result.Hit(taskId: id, title: task.title, link: facts.display["link"] ?? "",
                                   actions: try await actions.describe(task, facts: facts, on: db),
                                   alreadyDone: occasions[id].map(done.contains) ?? false))
        }
        return Result(explanation: explanation(trigger), matching: matching, examined: candidates.count, tasks: hits,
                      nextRunAt: RuleSchedule.nextOccurrence(of: trigger, after: now))
    }

    private static func explanation(_ trigger: RuleTrigger) -> String {
        switch trigger.type {
        case .dueSoon: "Open tasks whose deadline is close without progress right now. Each is warned once per due date."
        case .checkpointOverdue: "Open tasks with a checkpoint date passed without a review (since the rule was made)."
        case .startsMatching: "Open tasks in the saved view that meet the conditions. The rule acts when a task enters the view, not on those already in it."
        case .schedule: "Open tasks that meet the conditions now: at each scheduled time the rule acts on those that meet them then."
        default: "Open tasks that meet the conditions now: the rule acts on a task when \(trigger.type.label.lowercased().replacingOccurrences(of: "a task ", with: "it ")), if it still meets them."
        }
    }
}
