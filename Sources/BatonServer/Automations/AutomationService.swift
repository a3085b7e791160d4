import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// The only way rules change. Project leads and admins manage a project's rules; every other
/// member may read them (without webhook secrets); another workspace's rule is a 404.
struct AutomationService: Sendable {
    let store: Store

    /// How many rules one project may have.
    static let ruleLimit = 100

    func create(in scope: WorkScope.ProjectAccess, _ draft: RuleDraft) async throws -> Rule {
        try scope.requireManage()
        let template = try draft.template()
        let definition = try draft.newDefinition()
        let name = try Self.name(draft.name ?? template?.name ?? "")
        return try await store.write { ctx in
            let count = try await Rule.query(on: ctx.db).filter(\.$projectID == scope.projectID).count()
            guard count < Self.ruleLimit else { throw BatonError.validation("name", "A project takes at most \(Self.ruleLimit) rules.") }
            let checked = try await RuleReferences.check(definition, keepingSecretsOf: nil, scope: scope, on: ctx.db)
            let rule = Rule()
            rule.id = UUID()
            rule.workspaceID = scope.access.workspaceID
            rule.projectID = scope.projectID
            rule.name = name
            rule.enabled = draft.enabled ?? true
            rule.templateKey = template?.key
            rule.ownerID = scope.access.userID
            rule.version = 1
            rule.createdAt = ctx.now
            rule.updatedAt = ctx.now
            try rule.setDefinition(checked)
            try await ctx.insert(rule)
            try await Self.seedViewMatches(rule, checked, project: scope.project, ctx: ctx)
            ctx.record(AutomationEvent.ruleCreated, workspace: rule.workspaceID, actor: scope.access.userID, subject: .rule(rule),
                       data: ["rule": rule.name, "trigger": checked.trigger.type.rawValue])
            return rule
        }
    }

    /// An edit: what the draft names changes; saving makes the editor the one the rule acts for.
    func update(_ ruleID: UUID, by userID: UUID, _ draft: RuleDraft) async throws -> Rule {
        try await store.write { ctx in
            let (rule, scope) = try await Self.rule(ruleID, for: userID, on: ctx.db, lockingRow: true)
            try scope.requireManage()
            if let version = draft.version, version != rule.version {
                throw BatonError.conflict("version", "Someone else changed this rule (now version \(rule.version)). Reload and try again.")
            }
            if draft.templateKey != nil { throw BatonError.validation("template_key", "A template is chosen when a rule is made.") }
            var data = ["rule": rule.name]
            if let raw = draft.name {
                let name = try Self.name(raw)
                if name != rule.name { data["renamed_from"] = rule.name; rule.name = name }
            }
            let wasEnabled = rule.enabled
            if let enabled = draft.enabled { rule.enabled = enabled }
            if draft.changesDefinition {
                let old = try rule.definition
                let checked = try await RuleReferences.check(draft.applied(to: old), keepingSecretsOf: old, scope: scope, on: ctx.db)
                if checked.trigger != old.trigger { try await RuleViewMatch.query(on: ctx.db).filter(\.$ruleID == ruleID).delete() }
                try rule.setDefinition(checked)
                if checked.trigger != old.trigger { try await Self.seedViewMatches(rule, checked, project: scope.project, ctx: ctx) }
            }
            rule.ownerID = userID
            rule.version += 1
            rule.updatedAt = ctx.now
            data["rule"] = rule.name
            try await rule.update(on: ctx.db)
            let kind: AutomationEvent = rule.enabled == wasEnabled || draft.changesDefinition || draft.name != nil
                ? .ruleUpdated : (rule.enabled ? .ruleEnabled : .ruleDisabled)
            ctx.record(kind, workspace: rule.workspaceID, actor: userID, subject: .rule(rule), data: data)
            return rule
        }
    }

    func delete(_ ruleID: UUID, by userID: UUID) async throws {
        try await store.write { ctx in
            let (rule, scope) = try await Self.rule(ruleID, for: userID, on: ctx.db, lockingRow: true)
            try scope.requireManage()
            try await RuleViewMatch.query(on: ctx.db).filter(\.$ruleID == ruleID).delete()
            try await RuleRun.query(on: ctx.db).filter(\.$ruleID == ruleID).delete()
            try await rule.delete(on: ctx.db)
            ctx.record(AutomationEvent.ruleDeleted, workspace: rule.workspaceID, actor: userID, subject: .rule(rule), data: ["rule": rule.name])
        }
    }

    /// A rule and the caller's access to its project: 404 unless the caller may see the project;
    /// guests do not see rules at all.
    /// `lockingRow` (inside a write): on PostgreSQL the row stays locked until the transaction
    /// ends, so two edits of one version cannot both pass the version check.
    static func rule(_ ruleID: UUID, for userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> (Rule, WorkScope.ProjectAccess) {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let rule = try await PlainSQL.first(Rule.self, on: db, "SELECT * FROM rules WHERE id = \(bind: ruleID)\(unsafeRaw: lock)") else {
            throw BatonError.notFound("Rule")
        }
        let scope: WorkScope.ProjectAccess
        do {
            scope = try await WorkScope.project(id: rule.projectID, for: userID, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Rule")
        }
        guard scope.access.role != .guest else { throw BatonError.notFound("Rule") }
        return (rule, scope)
    }

    static func name(_ raw: String) throws -> String {
        try DisplayText.validate(raw, label: "Name", max: RuleValidation.maxNameLength).orFail(field: "name")
    }

    /// A "starts matching" rule begins with the tasks already in its view: they did not enter it.
    private static func seedViewMatches(_ rule: Rule, _ definition: RuleDefinition, project: Project, ctx: WriteContext) async throws {
        guard let filter = try await RuleViewFilter.load(definition.trigger, project: project, on: ctx.db) else { return }
        // The ids only: the context loads the tasks themselves.
        let ids = try await PlainSQL.rows(on: ctx.db, """
            SELECT id FROM tasks WHERE project_id = \(bind: rule.projectID) AND archived_at IS NULL LIMIT 20000
            """).map { try $0.decode(column: "id", as: UUID.self) }
        guard let context = try await RuleTaskContext.load(project: rule.projectID, tasks: ids, baseURL: "", on: ctx.db) else { return }
        let ruleID = try rule.requireID()
        for task in context.tasks.values where filter.contains(context.facts(of: task, rule: rule, now: ctx.now)) {
            try await RuleViewMatch.record(rule: ruleID, task: try task.requireID(), ctx: ctx)
        }
    }
}

extension Request {
    var automations: AutomationService { AutomationService(store: application.store) }
}
