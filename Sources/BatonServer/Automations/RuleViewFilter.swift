import Fluent
import Foundation
import BatonCore

/// "Starts matching a saved view": the view's filters as conditions, and the tasks the rule has
/// seen inside it (`rule_view_matches`), so that it fires when a task enters and not while it stays.
struct RuleViewFilter: Sendable {
    let conditions: [RuleCondition]

    static func load(_ trigger: RuleTrigger, project: Project, on db: any Database) async throws -> RuleViewFilter? {
        guard trigger.type == .startsMatching else { return nil }
        guard let viewID = trigger.viewID, let view = try await SavedView.find(viewID, on: db), view.projectID == project.id else {
            throw RuleFailure("The saved view this rule watches was deleted; choose another.")
        }
        let fields = try await CustomField.query(on: db).filter(\.$projectID == view.projectID).all()
        let conditions = SavedViewConditions.conditions(query: view.query, owner: view.userID) { name in
            let match = fields.first { $0.name.caseInsensitiveCompare(name) == .orderedSame || $0.id?.uuidString.lowercased() == name.lowercased() }
            return match?.id.map { "field:\($0.uuidString.lowercased())" }
        }
        return RuleViewFilter(conditions: conditions)
    }

    func contains(_ facts: RuleFacts) -> Bool { RuleConditions.matches(conditions, .all, facts) }

    /// Whether the task has just entered the view; keeps the rule's record of who is inside.
    func entered(_ task: WorkTask, facts: RuleFacts, rule: UUID, ctx: WriteContext) async throws -> Bool {
        let taskID = try task.requireID()
        let inside = try await RuleViewMatch.query(on: ctx.db).filter(\.$ruleID == rule).filter(\.$taskID == taskID).first()
        switch (contains(facts), inside) {
        case (true, nil):
            try await RuleViewMatch.record(rule: rule, task: taskID, ctx: ctx)
            return true
        case (false, let row?):
            try await row.delete(on: ctx.db)
            return false
        default:
            return false
        }
    }
}
