import Foundation

/// Rules every project starts with (the seed's three alerts) and a few more one click away.
public struct RuleBlueprint: Sendable {
    public let key: String
    public let name: String
    public let summary: String
    public let definition: RuleDefinition
}

public enum RuleTemplates {
    /// Put in every new project, and into existing ones by the migration that brought rules.
    public static let defaults: [RuleBlueprint] = [movedStage, deadlineWithoutProgress, flaggedBlocked]

    public static func isDefault(_ key: String?) -> Bool { defaults.contains { $0.key == key } }

    public static let movedStage = RuleBlueprint(
        key: "stage_moved", name: "Tell the delegator when work moves",
        summary: "When a task moves to a new stage, its delegator hears of it.",
        definition: RuleDefinition(trigger: RuleTrigger(.stageChanged), actions: [
            RuleAction(.notify, recipients: ["delegator"], message: "“{{title}}” moved to {{stage}}."),
        ]))

    public static let deadlineWithoutProgress = RuleBlueprint(
        key: "deadline_no_progress", name: "Deadline close, no progress",
        summary: "48 hours before a task is due, if it has not moved for 3 days, warn its assignee and delegator.",
        definition: RuleDefinition(trigger: RuleTrigger(.dueSoon, withinHours: 48, unchangedHours: 72), actions: [
            RuleAction(.notify, recipients: ["assignee", "delegator"],
                       message: "“{{title}}” is due {{due}} and has not moved for 3 days (it is in {{stage}})."),
        ]))

    public static let flaggedBlocked = RuleBlueprint(
        key: "blocked", name: "Blocked work reaches the delegator",
        summary: "When a task is flagged blocked, alert its delegator and the assignee’s manager.",
        definition: RuleDefinition(trigger: RuleTrigger(.blocked), actions: [
            RuleAction(.notify, recipients: ["delegator", "manager"], message: "“{{title}}” is blocked: {{blocked_reason}}"),
        ]))

    /// One click away in the rule editor (some need a choice before they can be saved).
    public static let more: [RuleBlueprint] = [
        RuleBlueprint(key: "checkpoint_missed", name: "Missed checkpoint",
                      summary: "When a checkpoint date passes without a review, remind the delegator and the assignee.",
                      definition: RuleDefinition(trigger: RuleTrigger(.checkpointOverdue), actions: [
                          RuleAction(.notify, recipients: ["delegator", "assignee"],
                                     message: "A checkpoint on “{{title}}” passed without a review."),
                      ])),
        RuleBlueprint(key: "urgent_created", name: "Urgent work reaches the lead",
                      summary: "When an urgent task is created, tell the project lead.",
                      definition: RuleDefinition(trigger: RuleTrigger(.taskCreated), conditions: [RuleCondition("priority", .equals, "urgent")],
                                                 actions: [RuleAction(.notify, recipients: ["lead"], message: "New urgent task: “{{title}}”.")])),
        RuleBlueprint(key: "weekly_overdue", name: "Monday overdue round-up",
                      summary: "Every Monday at 09:00, remind each assignee of their overdue tasks.",
                      definition: RuleDefinition(trigger: RuleTrigger(.schedule, every: .week, weekday: 1, at: "09:00"),
                                                 conditions: [RuleCondition("overdue", .equals, "true")],
                                                 actions: [RuleAction(.notify, recipients: ["assignee"], message: "“{{title}}” was due {{due}}.")])),
        RuleBlueprint(key: "unblocked_comment", name: "Note when a block clears",
                      summary: "When a task is unblocked, add a comment so the history shows it and watchers hear.",
                      definition: RuleDefinition(trigger: RuleTrigger(.unblocked), actions: [
                          RuleAction(.comment, message: "Unblocked. Back in {{stage}}."),
                      ])),
    ]

    public static var all: [RuleBlueprint] { defaults + more }

    public static func named(_ key: String) -> RuleBlueprint? { all.first { $0.key == key } }
}
