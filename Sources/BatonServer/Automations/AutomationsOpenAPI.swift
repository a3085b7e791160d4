import Foundation
import BatonCore

/// The rules' part of the OpenAPI document.
enum AutomationsOpenAPI: JSONSchemaBuilding {
    static let project = "/api/v1/projects/{project_id}"
    static let rule = "/api/v1/rules/{rule_id}"

    static var operations: [APIOperation] { [
        .init(method: "get", path: project + "/rules", summary: "The project's automation rules", tag: "automations",
              success: (200, "RulePage")),
        .init(method: "post", path: project + "/rules", summary: "Add a rule (project leads and admins); from a template or spelled out",
              tag: "automations", body: ("RuleRequest", []), success: (201, "Rule")),
        .init(method: "post", path: project + "/rules/dry-run", summary: "Try a rule not saved yet on today's tasks; writes nothing",
              tag: "automations", body: ("RuleRequest", []), success: (200, "RuleDryRun")),
        .init(method: "get", path: "/api/v1/rule-templates", summary: "Rules one click away, the three defaults among them",
              tag: "automations", success: (200, "RuleTemplatePage")),
        .init(method: "get", path: rule, summary: "A rule (webhook secrets are never shown)", tag: "automations", success: (200, "Rule")),
        .init(method: "patch", path: rule, summary: "Change, turn on or off; what the body names changes", tag: "automations",
              body: ("RulePatch", []), success: (200, "Rule")),
        .init(method: "delete", path: rule, summary: "Delete a rule (its run history goes with it)", tag: "automations", success: (204, nil)),
        .init(method: "post", path: rule + "/dry-run", summary: "Which current tasks the rule (with the body's changes) would act on, and how; writes nothing",
              tag: "automations", body: ("RulePatch", []), success: (200, "RuleDryRun")),
        .init(method: "get", path: rule + "/runs", summary: "The rule's run history, newest first", tag: "automations",
              query: [("status", "string", "done, skipped or failed"), ("after", "integer", "next_cursor of the previous page"),
                      ("limit", "integer", "1–200, default 50")],
              success: (200, "RuleRunPage")),
    ] }

    static var schemas: [String: Any] {
        let triggerKind: [String: Any] = ["type": "string", "enum": RuleTrigger.Kind.allCases.map(\.rawValue)]
        let every: [String: Any] = ["type": "string", "enum": ScheduleEvery.allCases.map(\.rawValue)]
        let op: [String: Any] = ["type": "string", "enum": RuleCondition.Operator.allCases.map(\.rawValue)]
        let actionKind: [String: Any] = ["type": "string", "enum": RuleAction.Kind.allCases.map(\.rawValue)]
        let match: [String: Any] = ["type": "string", "enum": ConditionMatch.allCases.map(\.rawValue)]
        let trigger: [String: Any] = [
            "type": triggerKind, "from_stage": nullable(uuid), "to_stage": nullable(uuid), "field": nullable(string),
            "within_hours": nullable(integer), "unchanged_hours": nullable(integer), "view_id": nullable(uuid), "every": every,
            "weekday": nullable(integer), "at": nullable(string), "time_zone": nullable(string),
        ]
        let condition: [String: Any] = ["field": string, "op": op, "value": nullable(string)]
        let action: [String: Any] = [
            "type": actionKind, "recipients": array(string), "message": nullable(string), "user_id": nullable(uuid),
            "team_id": nullable(uuid), "stage_id": nullable(uuid), "field": nullable(string), "value": nullable(string),
            "due_in_days": nullable(integer), "url": nullable(string), "channel_id": nullable(uuid),
        ]
        let body: [String: Any] = [
            "name": string, "enabled": boolean, "match": match, "trigger": ref("RuleTriggerRequest"),
            "conditions": array(ref("RuleConditionRequest")), "actions": array(ref("RuleActionRequest")),
        ]
        return [
            "Rule": object([
                "id": uuid, "workspace_id": uuid, "project_id": uuid, "name": string, "enabled": boolean,
                "template_key": nullable(string), "trigger": object(trigger, required: ["type"]), "match": match,
                "conditions": array(object(condition, required: ["field", "op"])),
                "actions": array(object(action.merging(["has_secret": boolean]) { $1 }, required: ["type"])),
                "owner_id": nullable(uuid), "version": integer, "created_at": date, "updated_at": date, "next_run_at": nullable(date),
            ], required: ["id", "workspace_id", "project_id", "name", "enabled", "trigger", "match", "conditions", "actions",
                          "version", "created_at", "updated_at"]),
            "RulePage": page("Rule"),
            "RuleTriggerRequest": request(trigger, required: ["type"]),
            "RuleConditionRequest": request(condition, required: ["field"]),
            "RuleActionRequest": request(action.merging(["secret": nullable(string)]) { $1 }, required: ["type"]),
            "RuleRequest": request(body.merging(["template_key": string]) { $1 }),
            "RulePatch": request(body.merging(["version": integer]) { $1 }),
            "RuleDryRun": object([
                "explanation": string, "matching": integer, "examined": integer, "next_run_at": nullable(date),
                "tasks": array(object(["task_id": uuid, "title": string, "link": string, "actions": array(string), "already_done": boolean],
                                      required: ["task_id", "title", "link", "actions", "already_done"])),
            ], required: ["explanation", "matching", "examined", "tasks"]),
            "RuleRun": object([
                "id": uuid, "rule_id": uuid, "task_id": nullable(uuid), "task_title": nullable(string), "occasion": string,
                "depth": integer, "status": ["type": "string", "enum": ["done", "skipped", "failed"]], "summary": array(string),
                "error": nullable(string), "created_at": date,
            ], required: ["id", "rule_id", "occasion", "depth", "status", "summary", "created_at"]),
            "RuleRunPage": page("RuleRun"),
            "RuleTemplate": object(["key": string, "name": string, "summary": string, "is_default": boolean],
                                   required: ["key", "name", "summary", "is_default"]),
            "RuleTemplatePage": page("RuleTemplate"),
        ]
    }
}
