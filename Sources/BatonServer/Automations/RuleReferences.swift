import Fluent
import Foundation
import BatonCore

/// Checks what a rule names against the database before it is saved: stages, fields and views of
/// this project, people and teams of this workspace. Condition values people type are made
/// canonical (a stage by name becomes its id, `me` becomes the saver). The first problem is a
/// 422 naming the field; nothing is saved.
enum RuleReferences {
    /// `forPreview`: a dry run posts nothing, so a webhook needs no secret yet.
    static func check(_ given: RuleDefinition, keepingSecretsOf old: RuleDefinition?, scope: WorkScope.ProjectAccess,
                      on db: any Database, forPreview: Bool = false) async throws -> RuleDefinition {
        if let problem = RuleValidation.problem(in: given) { throw BatonError.validation(problem.field, problem.message) }
        var rule = given
        let stages = try await WorkService.stages(of: scope.projectID, on: db)
        let fields = try await CustomField.query(on: db).filter(\.$projectID == scope.projectID).all()
        let stageIDs = Set(stages.compactMap(\.id))

        func requireStage(_ id: UUID?, _ field: String) throws {
            guard let id, !stageIDs.contains(id) else { return }
            throw BatonError.validation(field, "That stage is not one of this project’s.")
        }
        func requireField(_ key: String?, _ field: String) throws {
            guard let key, let id = RuleFacts.customFieldID(key) else { return }
            guard fields.contains(where: { $0.id == id }) else { throw BatonError.validation(field, "That custom field is not one of this project’s.") }
        }
        func requirePerson(_ id: UUID?, _ field: String) async throws {
            guard let id else { return }
            let member = try await Membership.query(on: db).filter(\.$workspaceID == scope.access.workspaceID).filter(\.$user.$id == id)
                .filter(\.$deactivatedAt == nil).first()
            guard let member, member.role != .guest || field.hasSuffix("recipients") else {
                throw BatonError.validation(field, "Not an active member of this workspace.")
            }
        }

        try requireStage(rule.trigger.fromStage, "trigger.from_stage")
        try requireStage(rule.trigger.toStage, "trigger.to_stage")
        try requireField(rule.trigger.field, "trigger.field")
        if let viewID = rule.trigger.viewID {
            guard let view = try await SavedView.find(viewID, on: db), view.projectID == scope.projectID else {
                throw BatonError.validation("trigger.view_id", "That saved view is not one of this project’s.")
            }
        }
        if rule.trigger.type == .schedule && rule.trigger.timeZone == nil {
            rule.trigger.timeZone = try await User.find(scope.access.userID, on: db)?.timeZone ?? "UTC"
        }
        for (index, condition) in rule.conditions.enumerated() {
            let path = "conditions.\(index)"
            try requireField(condition.field, "\(path).field")
            rule.conditions[index].value = try await canonical(condition, path: path, stages: stages, scope: scope, on: db)
        }
        for (index, action) in rule.actions.enumerated() {
            let path = "actions.\(index)"
            switch action.type {
            case .setStage:
                try requireStage(action.stageID, "\(path).stage_id")
            case .setField:
                try requireField(action.field, "\(path).field")
                try checkValue(action, fields: fields, path: path)
            case .assign, .createTask:
                try await requirePerson(action.userID, "\(path).user_id")
                if let team = action.teamID {
                    guard let found = try await Team.find(team, on: db), found.workspaceID == scope.access.workspaceID else {
                        throw BatonError.validation("\(path).team_id", "That team is not one of this workspace’s.")
                    }
                }
            case .notify:
                for raw in action.recipients ?? [] {
                    if case .user(let id) = RuleRecipient(rawValue: raw) { try await requirePerson(id, "\(path).recipients") }
                }
            case .webhook:
                if action.secret == nil {
                    let kept = old?.actions.first { $0.type == .webhook && $0.url == action.url }?.secret
                    if kept == nil && forPreview { continue }
                    guard let kept else {
                        throw BatonError.validation("\(path).secret", "Give a signing secret (16 to 200 characters): the receiver checks the signature with it.")
                    }
                    rule.actions[index].secret = kept
                }
            case .comment:
                break
            case .postInChannel:
                // the channel must be one of this workspace's that whoever writes the rule is in
                guard let channel = action.channelID,
                      let scopeOfChannel = try? await ChannelScope.channel(channel, for: scope.access.userID, on: db),
                      scopeOfChannel.channel.workspaceID == scope.access.workspaceID, scopeOfChannel.isMember, scopeOfChannel.channel.isOpen else {
                    // the rule's history is read by the project's people: it posts where they all may read
                    throw BatonError.validation("\(path).channel_id", "Choose a public or project channel of this workspace that you are in.")
                }
            }
        }
        return rule
    }

    /// A condition's value as the facts hold it: stages by id, people by id, known words only.
    private static func canonical(_ condition: RuleCondition, path: String, stages: [Stage], scope: WorkScope.ProjectAccess,
                                  on db: any Database) async throws -> String? {
        guard condition.op.takesValue, let value = condition.value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
            return condition.value
        }
        let items = condition.op == .isIn ? value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } : [value]
        var canonical: [String] = []
        for item in items {
            switch condition.field {
            case "stage":
                guard let stage = stages.first(where: { $0.id?.uuidString.lowercased() == item.lowercased()
                    || $0.name.caseInsensitiveCompare(item) == .orderedSame }) else {
                    throw BatonError.validation("\(path).value", "No stage “\(item.prefix(60))” in this project.")
                }
                canonical.append(stage.id!.uuidString.lowercased())
            case "assignee", "delegator":
                let id = item == "me" ? scope.access.userID : UUID(uuidString: item)
                guard let id else { throw BatonError.validation("\(path).value", "Give a person’s id, or “me”.") }
                canonical.append(id.uuidString.lowercased())
            case "priority":
                guard Priority(rawValue: item.lowercased()) != nil else {
                    throw BatonError.validation("\(path).value", "Priority is urgent, high, normal or low.")
                }
                canonical.append(item.lowercased())
            case "stage_category":
                guard StageCategory(rawValue: item.lowercased()) != nil else {
                    throw BatonError.validation("\(path).value", "Stage type is todo, in_progress, blocked or done.")
                }
                canonical.append(item.lowercased())
            case "risk_tolerance":
                guard RiskTolerance(rawValue: item.lowercased()) != nil else {
                    throw BatonError.validation("\(path).value", "Risk tolerance is \(RiskTolerance.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                canonical.append(item.lowercased())
            default:
                canonical.append(item)
            }
        }
        return canonical.joined(separator: ", ")
    }

    /// A set-field value must fit the field, unless it is a template filled in when the rule runs.
    private static func checkValue(_ action: RuleAction, fields: [CustomField], path: String) throws {
        let value = action.value ?? ""
        guard RuleTemplate.placeholders(in: value).isEmpty else { return }
        switch action.field {
        case "priority":
            guard Priority(rawValue: value.lowercased()) != nil else { throw BatonError.validation("\(path).value", "Priority is urgent, high, normal or low.") }
        case "blocked":
            guard ["true", "false", "yes", "no"].contains(value.lowercased()) else { throw BatonError.validation("\(path).value", "Blocked is true or false.") }
        case "due_in_days":
            guard let days = Int(value), (0...3650).contains(days) else { throw BatonError.validation("\(path).value", "Due in 0 to 3650 days.") }
        case "title":
            _ = try DisplayText.validate(value, label: "Title", max: 300).orFail(field: "\(path).value")
        case "tags":
            break
        default:
            guard let id = action.field.flatMap(RuleFacts.customFieldID), let field = fields.first(where: { $0.id == id }), !value.isEmpty else { return }
            if case .failure(let problem) = CustomFieldValue.validate(.string(value), for: field.definition) {
                throw BatonError.validation("\(path).value", problem.message)
            }
        }
    }
}
