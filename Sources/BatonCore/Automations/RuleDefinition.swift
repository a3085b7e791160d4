import Foundation

/// What an automation rule listens for, what must hold, and what it does: stored as JSON with
/// the rule and read back with `RuleDefinition.validate`.
public struct RuleDefinition: Codable, Sendable, Equatable {
    public var trigger: RuleTrigger
    public var match: ConditionMatch
    public var conditions: [RuleCondition]
    public var actions: [RuleAction]

    public init(trigger: RuleTrigger, match: ConditionMatch = .all, conditions: [RuleCondition] = [], actions: [RuleAction]) {
        self.trigger = trigger
        self.match = match
        self.conditions = conditions
        self.actions = actions
    }

    public static let maxConditions = 20
    public static let maxActions = 10
}

public enum ConditionMatch: String, Codable, Sendable, CaseIterable {
    case all, any
}

/// When a rule fires. Event triggers fire on a task's events; `dueSoon`, `checkpointOverdue` and
/// `schedule` are found by the sweep, `startsMatching` fires when a task enters a saved view.
public struct RuleTrigger: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case taskCreated = "task_created"
        case stageChanged = "stage_changed"
        case fieldChanged = "field_changed"
        case blocked
        case unblocked
        case dueSoon = "due_soon"
        case checkpointOverdue = "checkpoint_overdue"
        case startsMatching = "starts_matching"
        case schedule
        /// A request about the task (Approvals) is decided.
        case approvalApproved = "approval_approved"
        case approvalRejected = "approval_rejected"

        public var label: String {
            switch self {
            case .taskCreated: "A task is created"
            case .stageChanged: "A task moves to another stage"
            case .fieldChanged: "A field changes"
            case .blocked: "A task is flagged blocked"
            case .unblocked: "A task is unblocked"
            case .dueSoon: "A deadline approaches without progress"
            case .checkpointOverdue: "A checkpoint date passes without a review"
            case .startsMatching: "A task starts matching a saved view"
            case .schedule: "On a schedule"
            case .approvalApproved: "A request about the task is approved"
            case .approvalRejected: "A request about the task is rejected"
            }
        }

        /// Found by the periodic sweep rather than by following events.
        public var isSwept: Bool { self == .dueSoon || self == .checkpointOverdue || self == .schedule }
    }

    public var type: Kind
    /// Stage changed: from this stage (nil: any) to this one (nil: any).
    public var fromStage: UUID?
    public var toStage: UUID?
    /// Field changed: a built-in field (`RuleFacts.builtInFields`) or `field:<uuid>`; nil: any field.
    public var field: String?
    /// Due soon: the deadline is at most this many hours away…
    public var withinHours: Int?
    /// …and the task has shown no progress for this many hours.
    public var unchangedHours: Int?
    /// Starts matching: the saved view.
    public var viewID: UUID?
    public var every: ScheduleEvery?
    /// For `every == .week`: 1 = Monday … 7 = Sunday.
    public var weekday: Int?
    /// "HH:mm" in `timeZone`.
    public var at: String?
    public var timeZone: String?

    public init(_ type: Kind, fromStage: UUID? = nil, toStage: UUID? = nil, field: String? = nil, withinHours: Int? = nil,
                unchangedHours: Int? = nil, viewID: UUID? = nil, every: ScheduleEvery? = nil, weekday: Int? = nil,
                at: String? = nil, timeZone: String? = nil) {
        self.type = type
        self.fromStage = fromStage
        self.toStage = toStage
        self.field = field
        self.withinHours = withinHours
        self.unchangedHours = unchangedHours
        self.viewID = viewID
        self.every = every
        self.weekday = weekday
        self.at = at
        self.timeZone = timeZone
    }

    enum CodingKeys: String, CodingKey {
        case type, field, every, weekday, at
        case fromStage = "from_stage", toStage = "to_stage", withinHours = "within_hours", unchangedHours = "unchanged_hours"
        case viewID = "view_id", timeZone = "time_zone"
    }
}

public enum ScheduleEvery: String, Codable, Sendable, CaseIterable {
    case day, weekday, week

    public var label: String {
        switch self {
        case .day: "Every day"
        case .weekday: "Every weekday"
        case .week: "Every week"
        }
    }
}

/// One test on a task's field: `RuleFacts` holds the values.
public struct RuleCondition: Codable, Sendable, Equatable {
    public enum Operator: String, Codable, Sendable, CaseIterable {
        case equals, notEquals = "not_equals", isIn = "in", contains, greaterThan = "greater_than", lessThan = "less_than"
        case empty, notEmpty = "not_empty"

        public var label: String {
            switch self {
            case .equals: "is"
            case .notEquals: "is not"
            case .isIn: "is one of"
            case .contains: "contains"
            case .greaterThan: "is greater than / after"
            case .lessThan: "is less than / before"
            case .empty: "is empty"
            case .notEmpty: "is not empty"
            }
        }

        public var takesValue: Bool { self != .empty && self != .notEmpty }
    }

    public var field: String
    public var op: Operator
    /// For `in`: several values separated by commas.
    public var value: String?

    public init(_ field: String, _ op: Operator, _ value: String? = nil) {
        self.field = field
        self.op = op
        self.value = value
    }
}

/// One thing a rule does to (or about) the task that fired it.
public struct RuleAction: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, CaseIterable {
        case notify, assign, setStage = "set_stage", setField = "set_field", comment, createTask = "create_task", webhook
        case postInChannel = "post_in_channel"

        public var label: String {
            switch self {
            case .notify: "Notify people"
            case .assign: "Assign"
            case .setStage: "Move to a stage"
            case .setField: "Set a field"
            case .comment: "Add a comment"
            case .createTask: "Create a follow-up task"
            case .webhook: "Send a webhook"
            case .postInChannel: "Post in a channel"
            }
        }

        /// Changes Baton's state (and so may trigger further rules).
        public var changesWork: Bool { self != .notify && self != .webhook && self != .postInChannel }
    }

    public var type: Kind
    /// Notify: `RuleRecipient` raw values.
    public var recipients: [String]?
    /// Notify, comment: a template (`RuleTemplate`). Create task: its title template.
    public var message: String?
    /// Assign: a person; or round-robin within `team`.
    public var userID: UUID?
    public var teamID: UUID?
    public var stageID: UUID?
    /// Set field: built-in (`priority`, `due_in_days`, `blocked`, …) or `field:<uuid>`, and the value.
    public var field: String?
    public var value: String?
    /// Create task: due this many days after the rule runs.
    public var dueInDays: Int?
    public var url: String?
    /// Webhook: the HMAC key; write-only over the API.
    public var secret: String?
    /// Post in a channel: which one (with `message`, the text).
    public var channelID: UUID?

    public init(_ type: Kind, recipients: [String]? = nil, message: String? = nil, userID: UUID? = nil, teamID: UUID? = nil,
                stageID: UUID? = nil, field: String? = nil, value: String? = nil, dueInDays: Int? = nil, url: String? = nil,
                secret: String? = nil) {
        self.type = type
        self.recipients = recipients
        self.message = message
        self.userID = userID
        self.teamID = teamID
        self.stageID = stageID
        self.field = field
        self.value = value
        self.dueInDays = dueInDays
        self.url = url
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case type, recipients, message, field, value, url, secret
        case userID = "user_id", teamID = "team_id", stageID = "stage_id", dueInDays = "due_in_days", channelID = "channel_id"
    }
}

/// Who a notify action reaches, relative to the task.
public enum RuleRecipient: Equatable, Sendable {
    case assignee, delegator, watchers, manager, lead
    /// Every active member with this workspace role.
    case role(String)
    case user(UUID)

    public init?(rawValue: String) {
        switch rawValue {
        case "assignee": self = .assignee
        case "delegator": self = .delegator
        case "watchers": self = .watchers
        case "manager": self = .manager
        case "lead": self = .lead
        default:
            if rawValue.hasPrefix("role:"), ["owner", "admin", "member"].contains(String(rawValue.dropFirst(5))) {
                self = .role(String(rawValue.dropFirst(5)))
            } else if rawValue.hasPrefix("user:"), let id = UUID(uuidString: String(rawValue.dropFirst(5))) {
                self = .user(id)
            } else {
                return nil
            }
        }
    }

    public var rawValue: String {
        switch self {
        case .assignee: "assignee"
        case .delegator: "delegator"
        case .watchers: "watchers"
        case .manager: "manager"
        case .lead: "lead"
        case .role(let role): "role:\(role)"
        case .user(let id): "user:\(id.uuidString.lowercased())"
        }
    }

    public static let relative: [(String, String)] = [
        ("assignee", "The assignee"), ("delegator", "The delegator"), ("watchers", "Watchers"),
        ("manager", "The assignee’s manager"), ("lead", "The project lead"),
        ("role:admin", "Workspace admins"), ("role:owner", "Workspace owners"), ("role:member", "Every member"),
    ]
}
