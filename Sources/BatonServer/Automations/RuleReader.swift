import Foundation
import Vapor
import BatonCore

/// What a create or edit of a rule sends: every part optional (an edit changes what it names).
struct RuleDraft: Sendable {
    var name: String?
    var enabled: Bool?
    var templateKey: String?
    var trigger: RuleTrigger?
    var match: ConditionMatch?
    var conditions: [RuleCondition]?
    var actions: [RuleAction]?
    var version: Int?

    var changesDefinition: Bool { trigger != nil || match != nil || conditions != nil || actions != nil }

    /// The template a new rule starts from; an unknown key is a 422.
    func template() throws -> RuleBlueprint? {
        try templateKey.map { key in
            guard let found = RuleTemplates.named(key) else { throw BatonError.validation("template_key", "No rule template “\(key.prefix(60))”.") }
            return found
        }
    }

    /// A new rule's definition: what the draft names, else its template's.
    func newDefinition() throws -> RuleDefinition {
        let base = try template()?.definition
        guard let trigger = trigger ?? base?.trigger else {
            throw BatonError.validation("trigger", "Choose what sets the rule off, or start from a template.")
        }
        return RuleDefinition(trigger: trigger, match: match ?? base?.match ?? .all, conditions: conditions ?? base?.conditions ?? [],
                              actions: actions ?? base?.actions ?? [])
    }

    /// What an edit makes of `old`: each part the draft names replaces the saved one.
    func applied(to old: RuleDefinition) -> RuleDefinition {
        RuleDefinition(trigger: trigger ?? old.trigger, match: match ?? old.match, conditions: conditions ?? old.conditions,
                       actions: actions ?? old.actions)
    }

    /// Reads a JSON body (`PatchReader`): wrong types are 422s naming the field (`actions.0.type`).
    /// A new rule may start from a template; an edit says which version it read.
    init(_ body: PatchReader, editing: Bool) throws {
        name = try body.string("name")
        enabled = try body.bool("enabled")
        if editing {
            version = try body.int("version")
        } else {
            templateKey = try body.string("template_key")
        }
        // Every part is read before the first problem is reported, so each is checked.
        let reading = Reading()
        match = reading.read { try body.enumValue("match", ConditionMatch.self, allowed: "all, any") }
        trigger = reading.read { try body.objectReader("trigger").map(Self.trigger) }
        conditions = reading.read { try body.objects("conditions")?.map(Self.condition) }
        actions = reading.read { try body.objects("actions")?.map(Self.action) }
        try reading.finish()
    }

    init() {}

    // The type is read last in each part: every other field is read (and so checked) first.
    private static func trigger(_ body: PatchReader) throws -> RuleTrigger {
        var trigger = RuleTrigger(.taskCreated, fromStage: try body.nullableUUID("from_stage") ?? nil,
                                  toStage: try body.nullableUUID("to_stage") ?? nil, field: try body.nullableString("field") ?? nil,
                                  withinHours: try body.nullableInt("within_hours") ?? nil,
                                  unchangedHours: try body.nullableInt("unchanged_hours") ?? nil, viewID: try body.nullableUUID("view_id") ?? nil,
                                  every: try body.enumValue("every", ScheduleEvery.self, allowed: "day, weekday, week"),
                                  weekday: try body.nullableInt("weekday") ?? nil, at: try body.nullableString("at") ?? nil,
                                  timeZone: try body.nullableString("time_zone") ?? nil)
        guard let type = try body.enumValue("type", RuleTrigger.Kind.self, allowed: RuleTrigger.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        else { throw BatonError.validation(body.name("type"), "Choose what sets the rule off (trigger.type).") }
        trigger.type = type
        return trigger
    }

    private static func condition(_ body: PatchReader) throws -> RuleCondition {
        let value = try body.nullableString("value") ?? nil
        let op = try body.enumValue("op", RuleCondition.Operator.self,
                                    allowed: RuleCondition.Operator.allCases.map(\.rawValue).joined(separator: ", ")) ?? .equals
        guard let field = try body.string("field") else { throw BatonError.validation(body.name("field"), "Choose a field of the task.") }
        return RuleCondition(field, op, value)
    }

    private static func action(_ body: PatchReader) throws -> RuleAction {
        var action = RuleAction(.notify, recipients: try body.strings("recipients"), message: try body.nullableString("message") ?? nil,
                          userID: try body.nullableUUID("user_id") ?? nil, teamID: try body.nullableUUID("team_id") ?? nil,
                          stageID: try body.nullableUUID("stage_id") ?? nil, field: try body.nullableString("field") ?? nil,
                          value: try body.nullableString("value") ?? nil, dueInDays: try body.nullableInt("due_in_days") ?? nil,
                          url: try body.nullableString("url") ?? nil, secret: try body.nullableString("secret") ?? nil)
        let channel = Result { try body.nullableUUID("channel_id") ?? nil }
        guard let type = try body.enumValue("type", RuleAction.Kind.self, allowed: RuleAction.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        else { throw BatonError.validation(body.name("type"), "Choose what the action does.") }
        action.type = type
        action.channelID = try channel.get()
        return action
    }
}
