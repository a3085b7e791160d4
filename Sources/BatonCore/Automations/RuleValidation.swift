import Foundation

/// What is wrong with a rule, as far as can be told without the database: the first problem
/// found, with the path of the field it is in (`actions.0.message`).
public enum RuleValidation {
    public struct Problem: Error, Equatable, Sendable {
        public let field: String
        public let message: String

        public init(_ field: String, _ message: String) {
            self.field = field
            self.message = message
        }
    }

    public static let maxNameLength = 120
    public static let maxHours = 24 * 30

    public static func problem(in rule: RuleDefinition) -> Problem? {
        if let problem = problem(in: rule.trigger) { return problem }
        if rule.conditions.count > RuleDefinition.maxConditions {
            return Problem("conditions", "A rule takes at most \(RuleDefinition.maxConditions) conditions.")
        }
        for (index, condition) in rule.conditions.enumerated() {
            if let problem = problem(in: condition, at: "conditions.\(index)") { return problem }
        }
        if rule.actions.isEmpty { return Problem("actions", "Add at least one action: what should happen?") }
        if rule.actions.count > RuleDefinition.maxActions {
            return Problem("actions", "A rule takes at most \(RuleDefinition.maxActions) actions.")
        }
        for (index, action) in rule.actions.enumerated() {
            if let problem = problem(in: action, at: "actions.\(index)", trigger: rule.trigger) { return problem }
        }
        return nil
    }

    static func problem(in trigger: RuleTrigger) -> Problem? {
        switch trigger.type {
        case .fieldChanged:
            if let field = trigger.field, !RuleFacts.isKnownField(field) || field == "overdue" {
                return Problem("trigger.field", "Choose a field of the task.")
            }
        case .dueSoon:
            guard let within = trigger.withinHours, (1...maxHours).contains(within) else {
                return Problem("trigger.within_hours", "Say how many hours before the deadline (1 to \(maxHours)).")
            }
            guard let unchanged = trigger.unchangedHours, (0...maxHours).contains(unchanged) else {
                return Problem("trigger.unchanged_hours", "Say how many hours without progress (0 to \(maxHours)).")
            }
        case .startsMatching:
            if trigger.viewID == nil { return Problem("trigger.view_id", "Choose the saved view.") }
        case .schedule:
            if trigger.every == nil { return Problem("trigger.every", "Choose how often: every day, weekday or week.") }
            if RuleSchedule.clock(trigger.at ?? "") == nil { return Problem("trigger.at", "Give the time as HH:MM, e.g. 09:00.") }
            if trigger.every == .week, !(1...7).contains(trigger.weekday ?? 0) {
                return Problem("trigger.weekday", "Choose the day of the week.")
            }
            if let zone = trigger.timeZone, !TimeZoneName.isValid(zone) {
                return Problem("trigger.time_zone", "Unknown time zone “\(zone)”.")
            }
        case .taskCreated, .stageChanged, .blocked, .unblocked, .checkpointOverdue, .approvalApproved, .approvalRejected:
            break
        }
        return nil
    }

    static func problem(in condition: RuleCondition, at path: String) -> Problem? {
        guard RuleFacts.isKnownField(condition.field) else { return Problem("\(path).field", "Choose a field of the task.") }
        let value = (condition.value ?? "").trimmingCharacters(in: .whitespaces)
        if condition.op.takesValue, value.isEmpty, condition.op != .equals, condition.op != .notEquals {
            return Problem("\(path).value", "Give a value to compare with.")
        }
        if value.count > 500 { return Problem("\(path).value", "Keep the value under 500 characters.") }
        if condition.op == .greaterThan || condition.op == .lessThan {
            let isNumber = FiniteNumber.parse(value) != nil
            let isDate = RuleConditions.parseDate(value) != nil
            guard isNumber || isDate else { return Problem("\(path).value", "Compare with a number or a date (YYYY-MM-DD).") }
        }
        return nil
    }

    static func problem(in action: RuleAction, at path: String, trigger: RuleTrigger) -> Problem? {
        func template(_ text: String?, required: Bool, label: String, key: String = "message") -> Problem? {
            let text = text ?? ""
            if required && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                return Problem("\(path).\(key)", "Write the \(label).")
            }
            if text.count > RuleTemplate.maxLength { return Problem("\(path).\(key)", "Keep the \(label) under \(RuleTemplate.maxLength) characters.") }
            if text.unicodeScalars.contains(where: { $0.value < 32 && $0 != "\n" && $0 != "\t" }) {
                return Problem("\(path).\(key)", "The \(label) contains a control character.")
            }
            return nil
        }
        switch action.type {
        case .notify:
            let recipients = action.recipients ?? []
            if recipients.isEmpty { return Problem("\(path).recipients", "Choose who hears of it.") }
            if recipients.count > 20 { return Problem("\(path).recipients", "Name at most 20 recipients.") }
            if let bad = recipients.first(where: { RuleRecipient(rawValue: $0) == nil }) {
                return Problem("\(path).recipients", "Unknown recipient “\(bad.prefix(60))”.")
            }
            return template(action.message, required: true, label: "message")
        case .assign:
            if action.userID == nil && action.teamID == nil { return Problem("\(path).user_id", "Choose a person, or a team to take turns.") }
        case .setStage:
            if action.stageID == nil { return Problem("\(path).stage_id", "Choose the stage.") }
            if trigger.type == .stageChanged && trigger.toStage != nil && trigger.toStage == action.stageID {
                return Problem("\(path).stage_id", "This rule would move tasks to the stage that fires it.")
            }
        case .setField:
            guard let field = action.field, settableFields.contains(field) || RuleFacts.customFieldID(field) != nil else {
                return Problem("\(path).field", "Choose a field the rule can set.")
            }
            if (action.value ?? "").count > 500 { return Problem("\(path).value", "Keep the value under 500 characters.") }
            // A new due date is a new occasion for a deadline rule: it would fire again and again.
            if trigger.type == .dueSoon && field == "due_in_days" {
                return Problem("\(path).field", "A deadline rule cannot move the deadline: each new date would set it off again.")
            }
        case .comment:
            return template(action.message, required: true, label: "comment")
        case .postInChannel:
            if action.channelID == nil { return Problem("\(path).channel_id", "Choose the channel to post in.") }
            return template(action.message, required: true, label: "message")
        case .createTask:
            if let problem = template(action.message, required: true, label: "task title") { return problem }
            if (action.message ?? "").count > 300 { return Problem("\(path).message", "Keep the task title under 300 characters.") }
            if let days = action.dueInDays, !(0...3650).contains(days) {
                return Problem("\(path).due_in_days", "Due in 0 to 3650 days.")
            }
        case .webhook:
            guard let url = action.url, let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(),
                  scheme == "https" || scheme == "http", let host = parsed.host, !host.isEmpty, url.count <= 2000,
                  parsed.user == nil else {
                return Problem("\(path).url", "Give an http(s) address, e.g. https://example.com/hooks/baton.")
            }
            if let secret = action.secret, secret.count < 16 || secret.count > 200 {
                return Problem("\(path).secret", "The signing secret must be 16 to 200 characters.")
            }
        }
        return nil
    }

    /// The built-in fields a set-field action may set (the stage has its own action; the assignee too).
    public static let settableFields = ["priority", "blocked", "due_in_days", "tags", "title"]
}
