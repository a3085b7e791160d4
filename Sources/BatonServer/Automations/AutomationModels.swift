import Fluent
import Foundation
import SQLKit
import Vapor
import BatonCore

/// One automation rule of a project: its trigger, conditions and actions (`RuleDefinition`, as JSON).
final class Rule: Model, @unchecked Sendable {
    static let schema = "rules"

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "project_id") var projectID: UUID
    @Field(key: "name") var name: String
    @Field(key: "enabled") var enabled: Bool
    @Field(key: "trigger_type") var triggerType: String
    @Field(key: "definition") var definitionJSON: String
    /// The default or template it was made from ("blocked"), if any.
    @OptionalField(key: "template_key") var templateKey: String?
    /// Whose rights the rule acts with: the last person to save it; nil for a default rule, which
    /// acts as the project lead.
    @OptionalField(key: "owner_id") var ownerID: UUID?
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    /// Round-robin assignment: who got the last task.
    @OptionalField(key: "last_assignee_id") var lastAssigneeID: UUID?

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] {
        [$id, $workspaceID, $projectID, $name, $enabled, $triggerType, $definitionJSON, $templateKey, $ownerID, $version, $createdAt,
         $updatedAt, $lastAssigneeID]
    }

    var definition: RuleDefinition {
        get throws { try JSONDecoder().decode(RuleDefinition.self, from: Data(definitionJSON.utf8)) }
    }

    func setDefinition(_ definition: RuleDefinition) throws {
        definitionJSON = String(decoding: try JSONEncoder.sorted.encode(definition), as: UTF8.self)
        triggerType = definition.trigger.type.rawValue
    }
}

/// One firing of a rule: when, for which task, what it did or why not. `key` makes a firing
/// happen once (one event, one deadline, one checkpoint, one scheduled time).
final class RuleRun: Model, @unchecked Sendable {
    static let schema = "rule_runs"

    @ID(key: .id) var id: UUID?
    @Field(key: "rule_id") var ruleID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "project_id") var projectID: UUID
    @OptionalField(key: "task_id") var taskID: UUID?
    @Field(key: "key") var key: String
    /// What set it off: "event:123", "due:<ms>", "checkpoint:<id>", "at:<ms>", "view".
    @Field(key: "occasion") var occasion: String
    @Field(key: "depth") var depth: Int
    /// done, skipped or failed.
    @Field(key: "status") var status: String
    /// What it did, one line per action.
    @Field(key: "summary") var summary: String
    @OptionalField(key: "error") var error: String?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] {
        [$id, $ruleID, $workspaceID, $projectID, $taskID, $key, $occasion, $depth, $status, $summary, $error, $createdAt]
    }
}

/// Tasks a "starts matching a saved view" rule has seen inside the view: the rule fires when a
/// task enters, not while it stays; leaving removes the row, so entering again fires again.
extension RuleRun {
    /// Which of these occasions have run already (a key in `rule_runs` never runs again).
    static func ran(_ keys: [String], on db: any Database) async throws -> Set<String> {
        var done = Set<String>()
        for chunk in keys.chunked(500) {
            done.formUnion(try await query(on: db).filter(\.$key ~~ chunk).all().map(\.key))
        }
        return done
    }
}

final class RuleViewMatch: Model, @unchecked Sendable {
    static let schema = "rule_view_matches"

    @ID(key: .id) var id: UUID?
    @Field(key: "rule_id") var ruleID: UUID
    @Field(key: "task_id") var taskID: UUID
    @Field(key: "entered_at") var enteredAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $ruleID, $taskID, $enteredAt] }

    /// Notes that the task is inside the rule's view from now.
    static func record(rule: UUID, task: UUID, ctx: WriteContext) async throws {
        let match = RuleViewMatch()
        match.id = UUID()
        match.ruleID = rule
        match.taskID = task
        match.enteredAt = ctx.now
        try await ctx.insert(match)
    }
}

extension JobKind {
    static let ruleRun = JobKind("rule.run")
    static let ruleSweep = JobKind("rule.sweep")
    static let ruleWebhook = JobKind("rule.webhook")
}

struct CreateRules: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Rule.schema)
            .id()
            .field("workspace_id", .uuid, .required)
            .field("project_id", .uuid, .required)
            .field("name", .string, .required)
            .field("enabled", .bool, .required)
            .field("trigger_type", .string, .required)
            .field("definition", .string, .required)
            .field("template_key", .string)
            .field("owner_id", .uuid)
            .field("version", .int, .required)
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("last_assignee_id", .uuid)
            .create()
        try await SQLIndex.create("rules_project", on: Rule.schema, columns: ["project_id", "enabled"], database)
        try await SQLIndex.create("rules_trigger", on: Rule.schema, columns: ["trigger_type", "enabled"], database)
        try await database.schema(RuleRun.schema)
            .id()
            .field("rule_id", .uuid, .required)
            .field("workspace_id", .uuid, .required)
            .field("project_id", .uuid, .required)
            .field("task_id", .uuid)
            .field("key", .string, .required)
            .field("occasion", .string, .required)
            .field("depth", .int, .required)
            .field("status", .string, .required)
            .field("summary", .string, .required)
            .field("error", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "key")
            .create()
        try await SQLIndex.create("rule_runs_rule", on: RuleRun.schema, columns: ["rule_id", "created_at"], database)
        try await SQLIndex.create("rule_runs_task", on: RuleRun.schema, columns: ["rule_id", "task_id"], database)
        try await database.schema(RuleViewMatch.schema)
            .id()
            .field("rule_id", .uuid, .required)
            .field("task_id", .uuid, .required)
            .field("entered_at", .datetime, .required)
            .unique(on: "rule_id", "task_id")
            .create()
    }

    func revert(on database: any Database) async throws {
        for table in [RuleViewMatch.schema, RuleRun.schema, Rule.schema] { try await database.schema(table).delete() }
    }
}

/// The seed's three alerts, added to every project that existed before rules did (new projects
/// get them when their `project.created` event is followed).
struct AddDefaultRulesToProjects: AsyncMigration {
    func prepare(on database: any Database) async throws {
        let projects = try await Project.query(on: database).all()
        let now = Date()
        for project in projects {
            for rule in try DefaultRules.rules(for: project.workspaceID, project: try project.requireID(), now: now) {
                try await rule.create(on: database)
            }
        }
    }

    func revert(on database: any Database) async throws {
        try await Rule.query(on: database).filter(\.$templateKey ~~ RuleTemplates.defaults.map(\.key)).delete()
    }
}

enum DefaultRules {
    static func rules(for workspace: UUID, project: UUID, now: Date) throws -> [Rule] {
        try RuleTemplates.defaults.enumerated().map { index, template in
            // A millisecond apart, so that they list in the seed's order.
            let created = now.addingTimeInterval(Double(index) / 1000)
            let rule = Rule()
            rule.id = UUID()
            rule.workspaceID = workspace
            rule.projectID = project
            rule.name = template.name
            rule.enabled = true
            rule.templateKey = template.key
            rule.ownerID = nil
            rule.version = 1
            rule.createdAt = created
            rule.updatedAt = created
            try rule.setDefinition(template.definition)
            return rule
        }
    }
}
