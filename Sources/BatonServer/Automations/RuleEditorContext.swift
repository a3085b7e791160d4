import Fluent
import Foundation
import Vapor
import BatonCore

/// What the rule editor draws: the trigger's fields, condition and action rows with their
/// choices, each with its error beside it, and the dry run's preview.
struct RuleEditorContext: Encodable {
    typealias Option = WorkPages.Option
    struct Check: Encodable { let name: String; let label: String; let checked: Bool }
    struct ConditionRow: Encodable {
        let index: Int
        let blank: Bool
        let fieldOptions: [Option]
        let opOptions: [Option]
        let value: String
        let errors: [String: String]
    }
    struct ActionRow: Encodable {
        let index: Int
        let blank: Bool
        let type: String
        let typeOptions: [Option]
        let recipients: [Check]
        let people: [Check]
        let message: String
        let userOptions: [Option]
        let teamOptions: [Option]
        let stageOptions: [Option]
        let fieldOptions: [Option]
        let value: String
        let dueInDays: String
        let url: String
        let hasSecret: Bool
        let channelOptions: [Option]
        let errors: [String: String]
    }

    let workspaceId: UUID
    let projectId: UUID
    let projectName: String
    let ruleId: UUID?
    let version: Int
    let enabled: Bool
    let name: String
    let triggerType: String
    let triggerOptions: [Option]
    let fromStageOptions: [Option]
    let toStageOptions: [Option]
    let triggerFieldOptions: [Option]
    let withinHours: String
    let unchangedHours: String
    let viewOptions: [Option]
    let everyOptions: [Option]
    let weekdayOptions: [Option]
    let at: String
    let timeZone: String
    let matchAll: Bool
    let conditions: [ConditionRow]
    let actions: [ActionRow]
    let placeholders: String
    let preview: RuleDryRun.Result?
    let previewNextRun: String?
    let previewError: String?
    let errors: [String: String]

    /// The parts of a project a rule can name.
    struct Choices {
        let stages: [Stage]
        let fields: [CustomField]
        let views: [SavedView]
        let people: [(id: UUID, name: String)]
        let teams: [Team]
        let viewerTimeZone: String
        /// The channels the rule's writer is in, for "post in a channel".
        let channels: [(id: UUID, name: String)]

        static func load(_ scope: WorkScope.ProjectAccess, viewer: UUID, on db: any Database) async throws -> Choices {
            let members = try await Membership.query(on: db).filter(\.$workspaceID == scope.access.workspaceID)
                .filter(\.$deactivatedAt == nil).filter(\.$role != .guest).with(\.$user).all()
            return Choices(
                stages: try await WorkService.stages(of: scope.projectID, on: db),
                fields: try await CustomField.query(on: db).filter(\.$projectID == scope.projectID).sort(\.$position).all(),
                views: try await SavedView.query(on: db).filter(\.$projectID == scope.projectID).filter(\.$userID == viewer).sort(\.$name).all(),
                people: members.map { ($0.$user.id, $0.user.name) }.sorted { $0.name < $1.name },
                teams: try await Team.query(on: db).filter(\.$workspaceID == scope.access.workspaceID).sort(\.$name).all(),
                viewerTimeZone: try await User.find(viewer, on: db)?.timeZone ?? "UTC",
                channels: try await ChannelQueries.list(scope.access, joinable: false, archived: false, on: db)
                    .filter { $0.kind != "direct" }.map { ($0.id, "#" + $0.name) })
        }

        var words: RuleWords {
            RuleWords(stages: Dictionary(stages.compactMap { s in s.id.map { ($0, s.name) } }) { a, _ in a },
                      fields: Dictionary(fields.compactMap { f in f.id.map { ($0, f.name) } }) { a, _ in a },
                      people: Dictionary(people.map { ($0.id, $0.name) }) { a, _ in a },
                      teams: Dictionary(teams.compactMap { t in t.id.map { ($0, t.name) } }) { a, _ in a })
        }
    }

    static func options(_ pairs: [(String, String)], selected: String?, none: String? = nil) -> [Option] {
        let chosen = selected?.lowercased() ?? ""
        return (none.map { [Option(value: "", label: $0, selected: chosen.isEmpty)] } ?? [])
            + pairs.map { Option(value: $0.0, label: $0.1, selected: $0.0.lowercased() == chosen) }
    }

    init(scope: WorkScope.ProjectAccess, rule: Rule?, values form: [String: String], choices: Choices, errors: [String: String],
         preview: RuleDryRun.Result?, previewError: String?, hasSecret: (Int, String) -> Bool) {
        let value = { (key: String) in form[key] ?? "" }
        let stagePairs = choices.stages.compactMap { stage in stage.id.map { ($0.uuidString.lowercased(), stage.name) } }
        let fieldPairs = RuleFacts.builtInFields.map { ($0.key, $0.label) }
            + choices.fields.compactMap { field in field.id.map { ("field:\($0.uuidString.lowercased())", field.name) } }
        let settable = RuleValidation.settableFields.map { key in (key, key == "due_in_days" ? "Due date (days from now)" : choices.words.field(key).capitalized) }
            + choices.fields.compactMap { field in field.id.map { ("field:\($0.uuidString.lowercased())", field.name) } }
        let peoplePairs = choices.people.map { ($0.id.uuidString.lowercased(), $0.name) }
        workspaceId = scope.access.workspaceID
        projectId = scope.projectID
        projectName = scope.project.name
        ruleId = rule?.id
        version = rule?.version ?? 0
        enabled = rule?.enabled ?? true
        name = value("name")
        triggerType = value("trigger_type")
        triggerOptions = Self.options(RuleTrigger.Kind.allCases.map { ($0.rawValue, $0.label) }, selected: value("trigger_type"))
        fromStageOptions = Self.options(stagePairs, selected: form["from_stage"], none: "Any stage")
        toStageOptions = Self.options(stagePairs, selected: form["to_stage"], none: "Any other stage")
        triggerFieldOptions = Self.options(fieldPairs, selected: form["trigger_field"], none: "Any field")
        withinHours = form["within_hours"] ?? "48"
        unchangedHours = form["unchanged_hours"] ?? "72"
        viewOptions = Self.options(choices.views.compactMap { view in view.id.map { ($0.uuidString.lowercased(), view.name) } },
                                   selected: form["view_id"], none: "Choose one of your saved views")
        everyOptions = Self.options(ScheduleEvery.allCases.map { ($0.rawValue, $0.label) }, selected: form["every"] ?? "weekday")
        weekdayOptions = Self.options(RuleWords.weekdays.enumerated().map { (String($0.offset + 1), $0.element) }, selected: form["weekday"] ?? "1")
        at = form["at"] ?? "09:00"
        timeZone = form["time_zone"] ?? choices.viewerTimeZone
        matchAll = value("match") != "any"
        let opPairs = RuleCondition.Operator.allCases.map { ($0.rawValue, $0.label) }
        let used = (0..<RuleForm.conditionRows).filter { !value("c\($0)_field").isEmpty }
        let conditionIndexes = used + (0..<RuleForm.conditionRows).filter { !used.contains($0) }.prefix(max(0, min(3, RuleForm.conditionRows - used.count)))
        conditions = conditionIndexes.map { row in
            ConditionRow(index: row, blank: value("c\(row)_field").isEmpty,
                         fieldOptions: Self.options(fieldPairs, selected: form["c\(row)_field"], none: "Choose a field"),
                         opOptions: Self.options(opPairs, selected: form["c\(row)_op"] ?? "equals"), value: value("c\(row)_value"),
                         errors: Self.rowErrors(errors, prefix: "c\(row)_"))
        }
        let usedActions = (0..<RuleForm.actionRows).filter { !value("a\($0)_type").isEmpty }
        let actionIndexes = usedActions + (0..<RuleForm.actionRows).filter { !usedActions.contains($0) }.prefix(max(0, min(2, RuleForm.actionRows - usedActions.count)))
        let typePairs = RuleAction.Kind.allCases.map { ($0.rawValue, $0.label) }
        actions = actionIndexes.map { row in
            let key = { (name: String) in "a\(row)_\(name)" }
            return ActionRow(
                index: row, blank: value(key("type")).isEmpty, type: value(key("type")),
                typeOptions: Self.options(typePairs, selected: form[key("type")], none: "Choose an action"),
                recipients: RuleForm.recipientChoices.map { Check(name: key("r_\($0.0)"), label: $0.1, checked: form[key("r_\($0.0)")] != nil) },
                people: peoplePairs.map { Check(name: key("u_\($0.0)"), label: $0.1, checked: form[key("u_\($0.0)")] != nil) },
                message: value(key("message")),
                userOptions: Self.options(peoplePairs, selected: form[key("user")], none: "Nobody in particular"),
                teamOptions: Self.options(choices.teams.compactMap { team in team.id.map { ($0.uuidString.lowercased(), team.name) } },
                                          selected: form[key("team")], none: "No team"),
                stageOptions: Self.options(stagePairs, selected: form[key("stage")], none: "Choose a stage"),
                fieldOptions: Self.options(settable, selected: form[key("field")], none: "Choose a field"),
                value: value(key("value")), dueInDays: value(key("due_in_days")), url: value(key("url")),
                hasSecret: hasSecret(row, value(key("url"))),
                channelOptions: Self.options(choices.channels.map { ($0.id.uuidString.lowercased(), $0.name) }, selected: form[key("channel")],
                                             none: "Choose a channel"),
                errors: Self.rowErrors(errors, prefix: key("")))
        }
        placeholders = (RuleFacts.placeholders.map { "{{\($0)}}" } + choices.fields.map { "{{\($0.name)}}" }).joined(separator: " ")
        self.preview = preview
        previewNextRun = preview?.nextRunAt.map { BatonDate.long($0, timeZone: choices.viewerTimeZone) }
        self.previewError = previewError
        self.errors = errors
    }

    private static func rowErrors(_ errors: [String: String], prefix: String) -> [String: String] {
        Dictionary(errors.compactMap { key, message in key.hasPrefix(prefix) ? (String(key.dropFirst(prefix.count)), message) : nil }) { a, _ in a }
    }
}
