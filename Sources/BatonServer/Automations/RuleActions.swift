import Fluent
import Foundation
import Vapor
import BatonCore

/// Carries out a rule's actions on a task inside the rule's write (`perform`), or says what they
/// would do without doing it (`describe`, the dry run). Changes to work go through Work's own
/// service functions, with the rights of the person the rule acts as.
final class RuleActions: @unchecked Sendable {
    let rule: Rule
    let definition: RuleDefinition
    let context: RuleTaskContext
    /// Whose rights changes to work are made with; nil when the rule only notifies or posts.
    let actor: WorkScope.ProjectAccess?
    private var names: [UUID: String]
    private var roleMembers: [String: [UUID]] = [:]

    init(rule: Rule, definition: RuleDefinition, context: RuleTaskContext, actor: WorkScope.ProjectAccess?) {
        self.rule = rule
        self.definition = definition
        self.context = context
        self.actor = actor
        self.names = context.names
    }

    /// Does every action in order; returns one line per action for the run history.
    func perform(on task: WorkTask, facts: RuleFacts, occasion: String, runKey: String, causedBy: UUID?,
                 ctx: WriteContext) async throws -> [String] {
        var lines: [String] = []
        for (index, action) in definition.actions.enumerated() {
            do {
                lines.append(try await perform(action, index: index, on: task, facts: facts, occasion: occasion, runKey: runKey,
                                               causedBy: causedBy, ctx: ctx))
            } catch {
                guard let message = RuleFailure.describing(error) else { throw error }
                throw RuleFailure("\(action.type.label) (action \(index + 1)): \(message)")
            }
        }
        return lines
    }

    /// What each action would do to `task`, one line each.
    func describe(_ task: WorkTask, facts: RuleFacts, on db: any Database) async throws -> [String] {
        var lines: [String] = []
        for action in definition.actions {
            switch action.type {
            case .notify:
                let people = try await recipients(action, of: task, on: db)
                let message = Self.oneLine(RuleTemplate.render(action.message ?? "", facts))
                lines.append(people.isEmpty ? "Would notify nobody (no one fills those roles on this task)."
                                            : "Would notify \(try await nameList(people, on: db)): “\(message)”")
            case .assign:
                if let user = action.userID {
                    lines.append("Would assign it to \(try await nameList([user], on: db)).")
                } else {
                    lines.append("Would assign it to the next person in the team, in turn.")
                }
            case .setStage:
                lines.append("Would move it to \(context.stages.first { $0.id == action.stageID }?.name ?? "a removed stage").")
            case .setField:
                lines.append("Would set \(fieldLabel(action.field ?? "")) to “\(action.value ?? "")”.")
            case .comment:
                lines.append("Would comment: “\(RuleTemplate.render(action.message ?? "", facts).prefix(200))”")
            case .createTask:
                lines.append("Would create the task “\(Self.oneLine(RuleTemplate.render(action.message ?? "", facts)).prefix(300))”.")
            case .webhook:
                lines.append("Would post the task to \(URL(string: action.url ?? "")?.host ?? "the webhook").")
            case .postInChannel:
                let name = try await action.channelID.asyncMap { try await MessageChannel.find($0, on: db)?.name } ?? nil
                lines.append("Would post in #\(name ?? "a removed channel"): “\(RuleTemplate.render(action.message ?? "", facts).prefix(200))”")
            }
        }
        return lines
    }

    private func perform(_ action: RuleAction, index: Int, on task: WorkTask, facts: RuleFacts, occasion: String, runKey: String,
                         causedBy: UUID?, ctx: WriteContext) async throws -> String {
        switch action.type {
        case .notify:
            let named = try await recipients(action, of: task, on: ctx.db)
            let people = named.filter { $0 != causedBy }
            guard !people.isEmpty else {
                return named.isEmpty ? "Notified nobody: no one fills those roles on this task."
                                     : "Notified nobody: the only person named made the change themselves."
            }
            let message = String(Self.oneLine(RuleTemplate.render(action.message ?? "", facts)).prefix(RuleTemplate.maxLength))
            ctx.record(AutomationEvent.ruleNotified, workspace: task.workspaceID, actor: nil, subject: .task(task), data: [
                "rule": rule.name, "rule_id": try rule.requireID().uuidString, "title": task.title, "message": message,
                "recipients": people.map(\.uuidString).joined(separator: ";"), "occasion": occasion,
            ])
            return "Notified \(try await nameList(people, on: ctx.db)): “\(message)”"
        case .assign:
            let person = try await assignee(for: action, ctx: ctx)
            var changes = TaskChanges()
            changes.assigneeID = .some(person)
            try await change(task, changes, ctx: ctx)
            return "Assigned it to \(try await nameList([person], on: ctx.db))."
        case .setStage:
            guard let stage = context.stages.first(where: { $0.id == action.stageID }) else {
                throw RuleFailure("the stage it moves tasks to was removed; choose another.")
            }
            guard task.stageID != action.stageID else { return "Already in \(stage.name)." }
            var changes = TaskChanges()
            changes.stageID = action.stageID
            try await change(task, changes, ctx: ctx)
            return "Moved it to \(stage.name)."
        case .setField:
            let field = action.field ?? ""
            let value = Self.oneLine(RuleTemplate.render(action.value ?? "", facts))
            try await change(task, try changes(setting: field, to: value, now: ctx.now), ctx: ctx)
            return "Set \(fieldLabel(field)) to “\(value)”."
        case .comment:
            let body = try DisplayText.validate(RuleTemplate.render(action.message ?? "", facts), label: "The comment", max: 10_000, lines: true)
                .orFail(field: "message")
            _ = try await WorkService.comment(on: task, scope: try rights(), body: body, ctx: ctx)
            return "Commented: “\(body.prefix(200))”"
        case .createTask:
            var changes = TaskChanges()
            changes.title = String(Self.oneLine(RuleTemplate.render(action.message ?? "", facts)).prefix(300))
            changes.description = "Follow-up to “\(task.title)” (\(facts.display["link"] ?? "")), created by the rule “\(rule.name)”."
            if let user = action.userID ?? task.assigneeID { changes.assigneeID = .some(user) }
            if let days = action.dueInDays { changes.dueAt = .some(ctx.now.addingTimeInterval(Double(days) * 86_400)) }
            let scope = try rights()
            guard scope.project.archivedAt == nil else { throw RuleFailure("the project is archived.") }
            let created = try await WorkService.createTask(scope, changes, ctx: ctx)
            return "Created the task “\(created.title)”."
        case .webhook:
            guard let url = action.url, let host = URL(string: url)?.host else { throw RuleFailure("the webhook address is not valid.") }
            let body = try RuleWebhook.body(rule: rule, task: task, facts: facts, occasion: occasion, at: ctx.now)
            try await ctx.enqueue(.ruleWebhook, payload: ["rule_id": try rule.requireID().uuidString, "action": String(index), "url": url,
                                                          "body": body, "run_key": runKey],
                                  runAt: ctx.now, dedupeKey: "webhook:\(runKey):\(index)", maxAttempts: RuleWebhook.attempts)
            ctx.record(AutomationEvent.webhookQueued, workspace: task.workspaceID, actor: nil, subject: .task(task), data: [
                "rule": rule.name, "rule_id": try rule.requireID().uuidString, "title": task.title, "host": host,
            ])
            return "Posted it to \(host)."
        case .postInChannel:
            let text = try DisplayText.validate(RuleTemplate.render(action.message ?? "", facts), label: "The message", max: 10_000, lines: true)
                .orFail(field: "message")
            guard let channelID = action.channelID else { throw RuleFailure("the channel to post in was removed; choose another.") }
            let name = try await ChannelRulePost.post(text, in: channelID, workspace: task.workspaceID, rule: rule.name,
                                                      key: "rule:\(runKey):\(index)", ctx: ctx)
            return "Posted in #\(name): “\(text.prefix(200))”"
        }
    }

    private func rights() throws -> WorkScope.ProjectAccess {
        guard let actor else { throw RuleFailure("the rule has no one to act as.") }
        return actor
    }

    private func change(_ task: WorkTask, _ changes: TaskChanges, ctx: WriteContext) async throws {
        try await WorkService.update(task, scope: try rights(), stages: context.stages, changes, ctx: ctx)
    }

    /// A set-field action's value as a change: built-in fields by their own rules, custom fields as text.
    private func changes(setting field: String, to value: String, now: Date) throws -> TaskChanges {
        var changes = TaskChanges()
        switch field {
        case "priority":
            guard let priority = Priority(rawValue: value.lowercased()) else { throw RuleFailure("“\(value)” is not a priority.") }
            changes.priority = priority
        case "blocked":
            changes.blocked = ["true", "yes", "1"].contains(value.lowercased())
            if changes.blocked == true { changes.blockedReason = "Flagged by the rule “\(rule.name)”." }
        case "due_in_days":
            guard let days = Int(value), (0...3650).contains(days) else { throw RuleFailure("due in days must be 0 to 3650.") }
            changes.dueAt = .some(now.addingTimeInterval(Double(days) * 86_400))
        case "tags":
            changes.tags = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        case "title":
            changes.title = value
        default:
            guard let id = RuleFacts.customFieldID(field), context.fields.contains(where: { $0.id == id }) else {
                throw RuleFailure("the field it sets was removed.")
            }
            changes.customFields = [id.uuidString: value.isEmpty ? .null : .string(value)]
        }
        return changes
    }

    /// The person to assign: the named one, or the team member after the last one this rule chose.
    private func assignee(for action: RuleAction, ctx: WriteContext) async throws -> UUID {
        if let user = action.userID { return user }
        guard let team = action.teamID else { throw RuleFailure("choose a person or a team.") }
        let members = try await TeamMember.query(on: ctx.db).filter(\.$teamID == team).all().map(\.userID)
        let active = Set(try await Membership.query(on: ctx.db).filter(\.$workspaceID == rule.workspaceID)
            .filter(\.$user.$id ~~ members).filter(\.$deactivatedAt == nil).filter(\.$role != .guest).all().map(\.$user.id))
        let turn = RoundRobin.next(after: rule.lastAssigneeID, among: Array(active))
        guard let turn else { throw RuleFailure("the team has no active members.") }
        rule.lastAssigneeID = turn
        try await rule.update(on: ctx.db)
        return turn
    }

    /// The people a notify action names, for this task: each once, in the order named.
    func recipients(_ action: RuleAction, of task: WorkTask, on db: any Database) async throws -> [UUID] {
        var people: [UUID] = []
        func add(_ id: UUID?) { if let id, !people.contains(id) { people.append(id) } }
        for raw in action.recipients ?? [] {
            switch RuleRecipient(rawValue: raw) {
            case .assignee: add(task.assigneeID)
            case .delegator: add(task.delegatorID)
            case .watchers: (context.watchers[task.id!] ?? []).sorted { $0.uuidString < $1.uuidString }.forEach(add)
            case .manager: add(task.assigneeID.flatMap { context.managers[$0] })
            case .lead: add(context.project.leadID)
            case .role(let role): try await members(withRole: role, on: db).forEach(add)
            case .user(let id): add(id)
            case nil: break
            }
        }
        return people
    }

    private func members(withRole role: String, on db: any Database) async throws -> [UUID] {
        if let known = roleMembers[role] { return known }
        guard let parsed = Role(rawValue: role) else { return [] }
        let found = try await Membership.query(on: db).filter(\.$workspaceID == rule.workspaceID).filter(\.$role == parsed)
            .filter(\.$deactivatedAt == nil).sort(\.$joinedAt).limit(200).all().map(\.$user.id)
        roleMembers[role] = found
        return found
    }

    private func nameList(_ people: [UUID], on db: any Database) async throws -> String {
        let missing = people.filter { names[$0] == nil }
        if !missing.isEmpty {
            for user in try await User.query(on: db).filter(\.$id ~~ missing).all() { names[user.id!] = user.name }
        }
        let listed = people.prefix(5).map { names[$0] ?? "someone no longer here" }
        let more = people.count > 5 ? " and \(people.count - 5) more" : ""
        return listed.joined(separator: ", ") + more
    }

    private func fieldLabel(_ key: String) -> String {
        if let id = RuleFacts.customFieldID(key) { return context.fields.first { $0.id == id }?.name ?? "a removed field" }
        if key == "due_in_days" { return "the due date (days from now)" }
        return RuleFacts.builtInFields.first { $0.key == key }?.label.lowercased() ?? key
    }

    /// Messages and titles are one line: a template may pull in text that has line breaks.
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
    }
}
