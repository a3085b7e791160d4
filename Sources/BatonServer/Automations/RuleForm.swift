import Foundation
import BatonCore

/// The rule editor's form, flat: the trigger's fields by name, then rows `c0_field`… for
/// conditions and `a0_type`… for actions (blank rows are left out). It becomes the same JSON the
/// API takes, so the page and the API check a rule the same way.
struct RuleForm {
    static let conditionRows = 20
    static let actionRows = 10
    static let recipientChoices = RuleRecipient.relative

    let values: [String: String]

    /// Which form row each sent condition and action came from, to put an error beside it.
    private(set) var conditionRowOf: [Int] = []
    private(set) var actionRowOf: [Int] = []

    init(_ values: [String: String]) {
        self.values = values
        conditionRowOf = (0..<Self.conditionRows).filter { !(values["c\($0)_field"] ?? "").isEmpty }
        actionRowOf = (0..<Self.actionRows).filter { !(values["a\($0)_type"] ?? "").isEmpty }
    }

    private func text(_ key: String) -> String? {
        let value = values[key]?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        return value.isEmpty ? nil : value
    }

    /// A number field: a number if it reads as one, else the text (so the 422 names the field).
    private func number(_ key: String) -> JSONValue? {
        guard let raw = text(key) else { return nil }
        return Double(raw).map(JSONValue.number) ?? .string(raw)
    }

    private func put(_ object: inout [String: JSONValue], _ key: String, _ value: JSONValue?) {
        if let value { object[key] = value }
    }

    /// The body the API would get.
    var body: [String: JSONValue] {
        var trigger: [String: JSONValue] = [:]
        let type = text("trigger_type") ?? ""
        put(&trigger, "type", .string(type))
        switch RuleTrigger.Kind(rawValue: type) {
        case .stageChanged:
            put(&trigger, "from_stage", text("from_stage").map(JSONValue.string))
            put(&trigger, "to_stage", text("to_stage").map(JSONValue.string))
        case .fieldChanged:
            put(&trigger, "field", text("trigger_field").map(JSONValue.string))
        case .dueSoon:
            put(&trigger, "within_hours", number("within_hours"))
            put(&trigger, "unchanged_hours", number("unchanged_hours"))
        case .startsMatching:
            put(&trigger, "view_id", text("view_id").map(JSONValue.string))
        case .schedule:
            put(&trigger, "every", text("every").map(JSONValue.string))
            if text("every") == ScheduleEvery.week.rawValue { put(&trigger, "weekday", number("weekday")) }
            put(&trigger, "at", text("at").map(JSONValue.string))
            put(&trigger, "time_zone", text("time_zone").map(JSONValue.string))
        default:
            break
        }
        var body: [String: JSONValue] = ["trigger": .object(trigger), "match": .string(text("match") ?? "all")]
        put(&body, "name", .string(text("name") ?? ""))
        body["conditions"] = .array(conditionRowOf.map { row in
            var condition: [String: JSONValue] = ["field": .string(text("c\(row)_field") ?? ""), "op": .string(text("c\(row)_op") ?? "equals")]
            put(&condition, "value", text("c\(row)_value").map(JSONValue.string))
            return .object(condition)
        })
        body["actions"] = .array(actionRowOf.map { .object(action(row: $0)) })
        return body
    }

    private func action(row: Int) -> [String: JSONValue] {
        let key = { (name: String) in "a\(row)_\(name)" }
        let type = text(key("type")) ?? ""
        var action: [String: JSONValue] = ["type": .string(type)]
        switch RuleAction.Kind(rawValue: type) {
        case .notify:
            var recipients = Self.recipientChoices.map(\.0).filter { values[key("r_\($0)")] != nil }
            let people = values.keys.filter { $0.hasPrefix(key("u_")) }.map { String($0.dropFirst(key("u_").count)).lowercased() }
            recipients += people.sorted().map { "user:\($0)" }
            action["recipients"] = .array(recipients.map(JSONValue.string))
            put(&action, "message", text(key("message")).map(JSONValue.string))
        case .assign:
            put(&action, "user_id", text(key("user")).map(JSONValue.string))
            put(&action, "team_id", text(key("team")).map(JSONValue.string))
        case .setStage:
            put(&action, "stage_id", text(key("stage")).map(JSONValue.string))
        case .setField:
            put(&action, "field", text(key("field")).map(JSONValue.string))
            put(&action, "value", .string(values[key("value")] ?? ""))
        case .comment:
            put(&action, "message", text(key("message")).map(JSONValue.string))
        case .createTask:
            put(&action, "message", text(key("message")).map(JSONValue.string))
            put(&action, "user_id", text(key("user")).map(JSONValue.string))
            put(&action, "due_in_days", number(key("due_in_days")))
        case .webhook:
            put(&action, "url", text(key("url")).map(JSONValue.string))
            put(&action, "secret", text(key("secret")).map(JSONValue.string))
        case .postInChannel:
            put(&action, "message", text(key("message")).map(JSONValue.string))
            put(&action, "channel_id", text(key("channel")).map(JSONValue.string))
        case nil:
            break
        }
        return action
    }

    /// Where on the form an API field's error goes: `trigger.to_stage` → `to_stage`,
    /// `conditions.1.value` → `c<row>_value`, `actions.0.url` → `a<row>_url`.
    func formKey(for field: String?) -> String {
        guard let field else { return "rule" }
        let parts = field.split(separator: ".").map(String.init)
        switch parts.first {
        case "trigger":
            guard parts.count > 1 else { return "trigger_type" }
            return ["type": "trigger_type", "field": "trigger_field"][parts[1]] ?? parts[1]
        case "conditions":
            guard parts.count > 2, let index = Int(parts[1]), index < conditionRowOf.count else { return "conditions" }
            return "c\(conditionRowOf[index])_\(parts[2])"
        case "actions":
            guard parts.count > 2, let index = Int(parts[1]), index < actionRowOf.count else { return "actions" }
            let name = ["user_id": "user", "team_id": "team", "stage_id": "stage", "channel_id": "channel"][parts[2]] ?? parts[2]
            return "a\(actionRowOf[index])_\(name)"
        default:
            return parts.first ?? "rule"
        }
    }

    /// The form filled in from a saved rule (or a template), for the editor.
    static func values(of definition: RuleDefinition, name: String) -> [String: String] {
        var values: [String: String] = ["name": name, "match": definition.match.rawValue]
        let trigger = definition.trigger
        values["trigger_type"] = trigger.type.rawValue
        values["from_stage"] = trigger.fromStage?.uuidString.lowercased()
        values["to_stage"] = trigger.toStage?.uuidString.lowercased()
        values["trigger_field"] = trigger.field
        values["within_hours"] = trigger.withinHours.map(String.init)
        values["unchanged_hours"] = trigger.unchangedHours.map(String.init)
        values["view_id"] = trigger.viewID?.uuidString.lowercased()
        values["every"] = trigger.every?.rawValue
        values["weekday"] = trigger.weekday.map(String.init)
        values["at"] = trigger.at
        values["time_zone"] = trigger.timeZone
        for (row, condition) in definition.conditions.enumerated() {
            values["c\(row)_field"] = condition.field
            values["c\(row)_op"] = condition.op.rawValue
            values["c\(row)_value"] = condition.value
        }
        for (row, action) in definition.actions.enumerated() {
            let key = { (name: String) in "a\(row)_\(name)" }
            values[key("type")] = action.type.rawValue
            for raw in action.recipients ?? [] {
                if case .user(let id) = RuleRecipient(rawValue: raw) {
                    values[key("u_\(id.uuidString.lowercased())")] = "on"
                } else {
                    values[key("r_\(raw)")] = "on"
                }
            }
            values[key("message")] = action.message
            values[key("user")] = action.userID?.uuidString.lowercased()
            values[key("team")] = action.teamID?.uuidString.lowercased()
            values[key("stage")] = action.stageID?.uuidString.lowercased()
            values[key("field")] = action.field
            values[key("value")] = action.value
            values[key("due_in_days")] = action.dueInDays.map(String.init)
            values[key("url")] = action.url
            values[key("channel")] = action.channelID?.uuidString.lowercased()
        }
        return values.compactMapValues { $0 }
    }
}
