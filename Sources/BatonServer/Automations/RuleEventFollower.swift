import Fluent
import Foundation
import Vapor
import BatonCore

/// Follows the event log for rules: a new project gets the default rules; each task event is
/// matched against the enabled rules of its project and queued as firings (`rule.run`), once per
/// event and rule, since this runs in the write that moves the follower past the event.
enum RuleEventFollower {
    static let consumer = EventConsumer(name: "automations") { events, ctx, _ in
        try await addDefaultRules(for: events, ctx: ctx)
        try await queueFirings(for: events, ctx: ctx)
    }

    private static func addDefaultRules(for events: [LoggedEvent], ctx: WriteContext) async throws {
        for event in events where event.kind == WorkEvent.projectCreated.rawValue {
            guard let workspace = event.workspaceId, let project = event.subjectId else { continue }
            // Someone may have added a rule of their own before the follower got here.
            let defaults = RuleTemplates.defaults.map(\.key)
            guard try await Rule.query(on: ctx.db).filter(\.$projectID == project).filter(\.$templateKey ~~ defaults).count() == 0
            else { continue }
            for rule in try DefaultRules.rules(for: workspace, project: project, now: ctx.now) {
                try await ctx.insert(rule)
                ctx.record(AutomationEvent.ruleCreated, workspace: workspace, actor: nil, subject: .rule(rule),
                           data: ["rule": rule.name, "default": "true"])
            }
        }
    }

    private static func queueFirings(for events: [LoggedEvent], ctx: WriteContext) async throws {
        let taskEvents = events.filter {
            $0.subjectType == "task" && $0.kind.hasPrefix("task.") && $0.subjectId != nil && $0.projectId != nil
                && $0.data[EventVisibility.bulkKey] == nil
        }
        guard !taskEvents.isEmpty else { return }
        let projects = Array(Set(taskEvents.compactMap(\.projectId)))
        let swept = RuleTrigger.Kind.allCases.filter(\.isSwept).map(\.rawValue)
        let rules = try await Rule.query(on: ctx.db).filter(\.$projectID ~~ projects).filter(\.$enabled == true)
            .filter(\.$triggerType !~ swept).all()
        guard !rules.isEmpty else { return }
        let names = try await RuleNames.load(projects: projects, on: ctx.db)
        var batches: [BatchKey: [RuleFiring]] = [:]
        for rule in rules {
            guard let ruleID = rule.id, let definition = try? rule.definition else { continue }
            var seenTasks = Set<UUID>()
            // Newest first, so that a view rule judges each task once, on its latest change.
            for event in taskEvents.reversed() where event.projectId == rule.projectID {
                guard let task = event.subjectId,
                      RuleTriggerMatch.matches(definition.trigger, kind: event.kind, data: event.data, names: names.matching) else { continue }
                // A rule is never set off by its own changes.
                if event.data[RuleDepth.ruleKey] == ruleID.uuidString { continue }
                if definition.trigger.type == .startsMatching && !seenTasks.insert(task).inserted { continue }
                let key = BatchKey(rule: ruleID, depth: RuleDepth.runDepth(after: event.data))
                // A change a rule made was nobody's own: everyone the rule names hears of it.
                let person = event.data[RuleDepth.ruleKey] == nil ? event.actorId : nil
                batches[key, default: []].append(.event(event.id, rule: ruleID, task: task, causedBy: person))
            }
        }
        // One job per depth carries every rule's firings (in the order of the events).
        for depth in Set(batches.keys.map(\.depth)).sorted() {
            let groups = batches.filter { $0.key.depth == depth }.sorted { $0.key.rule.uuidString < $1.key.rule.uuidString }
                .map { (rule: $0.key.rule, firings: Array($0.value.reversed())) }
            try await RuleJobs.enqueue(depth: depth, groups: groups, ctx: ctx)
        }
    }

    private struct BatchKey: Hashable {
        let rule: UUID
        let depth: Int
    }
}

/// What the rules' stage and custom field ids are called now, for matching events (which record names).
struct RuleNames: Sendable {
    let stages: [UUID: String]
    let fields: [UUID: String]

    static func load(projects: [UUID], on db: any Database) async throws -> RuleNames {
        var stages: [UUID: String] = [:]
        var fields: [UUID: String] = [:]
        for stage in try await Stage.query(on: db).filter(\.$projectID ~~ projects).all() { stages[stage.id!] = stage.name }
        for field in try await CustomField.query(on: db).filter(\.$projectID ~~ projects).all() { fields[field.id!] = field.name }
        return RuleNames(stages: stages, fields: fields)
    }

    var matching: RuleTriggerMatch.Names {
        let stages = self.stages
        let fields = self.fields
        return RuleTriggerMatch.Names(stage: { stages[$0] }, field: { fields[$0] })
    }
}

extension EventSubject {
    static func rule(_ rule: Rule) -> EventSubject { .init(type: "rule", id: rule.id, projectID: rule.projectID) }
}
