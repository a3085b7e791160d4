import Fluent
import Foundation
import Vapor
import BatonCore

/// A rule as the API shows it: webhook secrets are never sent back (`has_secret` says one is set).
struct RuleDTO: Content {
    struct ActionDTO: Content {
        let type: String
        let recipients: [String]?
        let message: String?
        let userId: UUID?
        let teamId: UUID?
        let stageId: UUID?
        let field: String?
        let value: String?
        let dueInDays: Int?
        let url: String?
        let hasSecret: Bool?
        let channelId: UUID?

        /// `showsAddress`: a webhook's URL is often its credential (Slack, Zapier): only the
        /// people who may change the rule see more than its host.
        init(_ action: RuleAction, showsAddress: Bool) {
            type = action.type.rawValue
            recipients = action.recipients
            message = action.message
            userId = action.userID
            teamId = action.teamID
            stageId = action.stageID
            field = action.field
            value = action.value
            dueInDays = action.dueInDays
            url = showsAddress ? action.url : action.url.flatMap(URL.init(string:)).map { "\($0.scheme ?? "https")://\($0.host ?? "")/…" }
            hasSecret = action.type == .webhook ? action.secret != nil : nil
            channelId = action.channelID
        }
    }

    let id: UUID
    let workspaceId: UUID
    let projectId: UUID
    let name: String
    let enabled: Bool
    let templateKey: String?
    let trigger: RuleTrigger
    let match: String
    let conditions: [RuleCondition]
    let actions: [ActionDTO]
    let ownerId: UUID?
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    let nextRunAt: Date?

    init(_ rule: Rule, now: Date, canManage: Bool = true) throws {
        let definition = try rule.definition
        id = try rule.requireID()
        workspaceId = rule.workspaceID
        projectId = rule.projectID
        name = rule.name
        enabled = rule.enabled
        templateKey = rule.templateKey
        trigger = definition.trigger
        match = definition.match.rawValue
        conditions = definition.conditions
        actions = definition.actions.map { ActionDTO($0, showsAddress: canManage) }
        ownerId = rule.ownerID
        version = rule.version
        createdAt = rule.createdAt
        updatedAt = rule.updatedAt
        nextRunAt = rule.enabled ? RuleSchedule.nextOccurrence(of: definition.trigger, after: now) : nil
    }
}

struct RuleRunDTO: Content {
    let id: UUID
    let ruleId: UUID
    let taskId: UUID?
    let taskTitle: String?
    let occasion: String
    let depth: Int
    let status: String
    let summary: [String]
    let error: String?
    let createdAt: Date
}

struct RuleTemplateDTO: Content {
    let key: String
    let name: String
    let summary: String
    let isDefault: Bool
}

enum RuleQueries {
    static func rules(of projectID: UUID, on db: any Database) async throws -> [Rule] {
        try await Rule.query(on: db).filter(\.$projectID == projectID).sort(\.$createdAt).sort(\.$id).all()
    }

    /// Newest first; the cursor is how many came before.
    static func runs(of ruleID: UUID, status: String?, after: Int?, limit: Int, on db: any Database) async throws -> ([RuleRunDTO], Int?) {
        let query = RuleRun.query(on: db).filter(\.$ruleID == ruleID)
        if let status { query.filter(\.$status == status) }
        let offset = after ?? 0
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).offset(offset).limit(limit + 1).all()
        let shown = Array(rows.prefix(limit))
        let taskIDs = Array(Set(shown.compactMap(\.taskID)))
        var titles: [UUID: String] = [:]
        if !taskIDs.isEmpty {
            for task in try await WorkTask.query(on: db).filter(\.$id ~~ taskIDs).all() { titles[task.id!] = task.title }
        }
        let dtos = shown.map { run in
            RuleRunDTO(id: run.id!, ruleId: run.ruleID, taskId: run.taskID, taskTitle: run.taskID.flatMap { titles[$0] }, occasion: run.occasion,
                       depth: run.depth, status: run.status, summary: run.summary.split(separator: "\n").map(String.init), error: run.error,
                       createdAt: run.createdAt)
        }
        return (dtos, rows.count > limit ? offset + limit : nil)
    }

    static var templates: [RuleTemplateDTO] {
        RuleTemplates.all.map { template in
            RuleTemplateDTO(key: template.key, name: template.name, summary: template.summary,
                            isDefault: RuleTemplates.isDefault(template.key))
        }
    }
}
