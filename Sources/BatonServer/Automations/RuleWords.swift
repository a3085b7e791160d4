import Foundation
import BatonCore

/// A rule in a sentence, for the list and the settings panel: "When a task moves to In review →
/// notify the delegator".
struct RuleWords {
    let stages: [UUID: String]
    let fields: [UUID: String]
    let people: [UUID: String]
    let teams: [UUID: String]

    func trigger(_ trigger: RuleTrigger) -> String {
        switch trigger.type {
        case .stageChanged:
            let from = trigger.fromStage.map { " from \(stages[$0] ?? "a removed stage")" } ?? ""
            let to = trigger.toStage.map { " to \(stages[$0] ?? "a removed stage")" } ?? " to another stage"
            return "When a task moves\(from)\(to)"
        case .fieldChanged:
            return "When \(trigger.field.map(field) ?? "any field") changes"
        case .dueSoon:
            return "When a task is due within \(hours(trigger.withinHours ?? 48)) and has not moved for \(hours(trigger.unchangedHours ?? 0))"
        case .schedule:
            let day = trigger.every == .week ? "Every \(Self.weekdays[((trigger.weekday ?? 1) - 1) % 7])" : (trigger.every?.label ?? "Every day")
            return "\(day) at \(trigger.at ?? "09:00") (\(trigger.timeZone ?? "UTC"))"
        default:
            return "When " + trigger.type.label.prefix(1).lowercased() + trigger.type.label.dropFirst()
        }
    }

    func action(_ action: RuleAction) -> String {
        switch action.type {
        case .notify:
            let names = (action.recipients ?? []).map { raw -> String in
                if case .user(let id) = RuleRecipient(rawValue: raw) { return people[id] ?? "someone no longer here" }
                return RuleRecipient.relative.first { $0.0 == raw }?.1.lowercased() ?? raw
            }
            return "notify " + (names.isEmpty ? "nobody" : names.joined(separator: ", "))
        case .assign:
            if let user = action.userID { return "assign to \(people[user] ?? "someone no longer here")" }
            return "assign in turn within \(action.teamID.flatMap { teams[$0] } ?? "a team")"
        case .setStage: return "move to \(action.stageID.flatMap { stages[$0] } ?? "a removed stage")"
        case .setField: return "set \(field(action.field ?? "")) to “\(action.value ?? "")”"
        case .comment: return "comment"
        case .createTask: return "create a follow-up task"
        case .webhook: return "send a webhook to \(URL(string: action.url ?? "")?.host ?? "an address")"
        case .postInChannel: return "post in a channel"
        }
    }

    func sentence(_ definition: RuleDefinition) -> String {
        let conditions = definition.conditions.isEmpty ? "" : definition.conditions.count == 1 ? ", if 1 condition holds"
            : ", if \(definition.match == .all ? "all" : "any") of \(definition.conditions.count) conditions hold"
        return trigger(definition.trigger) + conditions + " → " + definition.actions.map(action).joined(separator: "; ")
    }

    func field(_ key: String) -> String {
        if let id = RuleFacts.customFieldID(key) { return fields[id] ?? "a removed field" }
        if key == "due_in_days" { return "the due date" }
        return RuleFacts.builtInFields.first { $0.key == key }?.label.lowercased() ?? key
    }

    private func hours(_ count: Int) -> String {
        count % 24 == 0 && count >= 24 ? "\(count / 24) day\(count == 24 ? "" : "s")" : "\(count) hour\(count == 1 ? "" : "s")"
    }

    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
}
