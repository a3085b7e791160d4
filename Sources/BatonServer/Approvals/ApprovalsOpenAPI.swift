import Foundation
import BatonCore

/// The approvals' part of the OpenAPI document.
enum ApprovalsOpenAPI: JSONSchemaBuilding {
    static let workspace = "/api/v1/workspaces/{workspace_id}"
    static let template = "/api/v1/approval-templates/{template_id}"
    static let request = "/api/v1/approval-requests/{request_id}"

    static var operations: [APIOperation] {
        let actions: [(String, String, String)] = [
            ("approve", "ApproveRequest", "Approve the open step (your part of it)"),
            ("reject", "RejectRequest", "Reject, with a comment; the request ends as soon as approval has become impossible"),
            ("request-changes", "RejectRequest", "Send it back to the requester for changes, with a comment"),
            ("withdraw", "ApproveRequest", "Withdraw (the requester)"),
            ("resubmit", "ResubmitRequest", "Resubmit after changes (the requester); new values take a new route"),
            ("transfer", "TransferRequest", "Hand your part of the open step to someone else, with a reason"),
            ("add-approver", "AddApproverRequest", "Add an approver before or after yourself"),
            ("return", "ReturnRequest", "Send the request back to an earlier step, with a comment"),
        ]
        return [
            .init(method: "get", path: workspace + "/approval-templates", summary: "Approval templates (admins also see turned-off ones)",
                  tag: "approvals", success: (200, "ApprovalTemplatePage")),
            .init(method: "post", path: workspace + "/approval-templates", summary: "Add a template: its form, flow, special cases and timeouts (admins)",
                  tag: "approvals", body: ("ApprovalTemplateRequest", ["name", "fields", "flow"]), success: (201, "ApprovalTemplate")),
            .init(method: "get", path: template, summary: "A template, with the editor's warnings", tag: "approvals", success: (200, "ApprovalTemplate")),
            .init(method: "patch", path: template, summary: "Change a template (admins); what the body names changes", tag: "approvals",
                  body: ("ApprovalTemplatePatch", []), success: (200, "ApprovalTemplate")),
            .init(method: "post", path: template + "/preview-route", summary: "The steps and people these values would go to now; creates nothing",
                  tag: "approvals", body: ("RoutePreviewRequest", []), success: (200, "RoutePreview")),
            .init(method: "post", path: template + "/requests", summary: "Submit a request; the route is computed from the values",
                  tag: "approvals", body: ("SubmitApprovalRequest", []), success: (201, "ApprovalRequest")),
            .init(method: "get", path: request, summary: "A request with its whole path (its people and admins; 404 for anyone else)",
                  tag: "approvals", success: (200, "ApprovalRequest")),
            .init(method: "get", path: workspace + "/approval-requests", summary: "Requests: to approve, mine, CC'd, or all (admins)",
                  tag: "approvals",
                  query: [("view", "string", "to_approve (default), mine, cc or all"), ("status", "string", "pending, approved, rejected, changes_requested or withdrawn"),
                          ("template_id", "string", "one template's"), ("requester_id", "string", "one requester's"),
                          ("after", "integer", "next_cursor of the previous page"), ("limit", "integer", "1–200, default 50")],
                  success: (200, "ApprovalRequestPage")),
            .init(method: "get", path: workspace + "/approval-waits", summary: "Average and p90 wait per step and per approver (admins)",
                  tag: "approvals", query: [("template_id", "string", "one template's"), ("days", "integer", "1–365, default 90")],
                  success: (200, "ApprovalWaits")),
            .init(method: "get", path: workspace + "/decision-rights", summary: "The decision-rights matrix: who decides alone, is consulted, approves",
                  tag: "approvals", success: (200, "DecisionRights")),
            .init(method: "put", path: workspace + "/decision-rights", summary: "Replace the matrix (admins); version guards against a lost edit",
                  tag: "approvals", body: ("DecisionRightsRequest", ["decisions"]), success: (200, "DecisionRights")),
            .init(method: "get", path: "/api/v1/me/out-of-office", summary: "Your absence and substitute, if one is set", tag: "approvals",
                  success: (200, "OutOfOffice")),
            .init(method: "put", path: "/api/v1/me/out-of-office", summary: "Name who approves for you from one date to another", tag: "approvals",
                  body: ("OutOfOfficeRequest", ["substitute_id", "from", "until"]), success: (200, "OutOfOffice")),
            .init(method: "delete", path: "/api/v1/me/out-of-office", summary: "Back in the office", tag: "approvals", success: (204, nil)),
        ] + actions.map { name, body, summary in
            .init(method: "post", path: request + "/" + name, summary: summary, tag: "approvals", body: (body, []), success: (200, "ApprovalRequest"))
        }
    }

    static var schemas: [String: Any] {
        let number: [String: Any] = ["type": "number"]
        let value: [String: Any] = ["oneOf": [string, number, array(string)]]
        let values: [String: Any] = ["type": "object", "additionalProperties": value]
        let fieldType: [String: Any] = ["type": "string", "enum": ApprovalFieldType.allCases.map(\.rawValue)]
        let match: [String: Any] = ["type": "string", "enum": ["all", "any"]]
        let approver: [String: Any] = [
            "type": ["type": "string", "enum": ApproverSpec.Kind.allCases.map(\.rawValue)], "levels": integer, "role": string,
            "team_id": uuid, "people": array(uuid), "decision": string,
        ]
        let quorum: [String: Any] = ["type": ["type": "string", "enum": ApprovalQuorum.Kind.allCases.map(\.rawValue)], "count": nullable(integer)]
        let step: [String: Any] = [
            "name": string, "approvers": array(ref("ApproverSpec")), "quorum": ref("Quorum"), "parallel_group": nullable(integer), "merge": match,
        ]
        let condition: [String: Any] = [
            "field": string, "op": ["type": "string", "enum": ApprovalCondition.Operator.allCases.map(\.rawValue)], "value": nullable(string),
        ]
        let branch: [String: Any] = [
            "name": string, "match": match, "conditions": array(ref("ApprovalCondition")),
            "effect": ["type": "string", "enum": ["route", "add"]], "steps": array(ref("ApprovalStep")),
        ]
        let flow: [String: Any] = ["branches": array(ref("ApprovalBranch")), "default_steps": array(ref("ApprovalStep")), "cc": array(ref("ApproverSpec"))]
        let field: [String: Any] = [
            "key": string, "label": string, "type": fieldType, "required": boolean, "options": array(string), "currency": nullable(string),
        ]
        let policy: [String: Any] = [
            "requester_is_approver": ["type": "string", "enum": ApprovalPolicy.SelfApproval.allCases.map(\.rawValue)],
            "repeat_approver_auto_approves": boolean,
        ]
        let templateBody: [String: Any] = [
            "name": string, "description": string, "decision": nullable(string), "owner_id": uuid, "fields": array(ref("ApprovalField")),
            "flow": ref("ApprovalFlow"), "policy": ref("ApprovalPolicy"), "remind_after_hours": nullable(integer),
            "escalate_after_hours": nullable(integer), "escalate_to": nullable(string),
            "escalate_to_id": nullable(uuid), "active": boolean,
        ]
        let person = object(["user_id": uuid, "name": string], required: ["user_id", "name"])
        let holder: [String: Any] = ["type": ["type": "string", "enum": DecisionRights.Holder.Kind.allCases.map(\.rawValue)], "role": string,
                                     "team_id": uuid, "user_id": uuid]
        let entry: [String: Any] = [
            "holder": ref("RightHolder"), "right": ["type": "string", "enum": DecisionRights.Right.allCases.map(\.rawValue)],
            "up_to_amount": nullable(number), "up_to_tier": nullable(string), "up_to_risk": nullable(string), "for_team": nullable(uuid),
        ]
        let decision: [String: Any] = ["key": string, "label": string, "entries": array(ref("RightEntry"))]
        let comment: [String: Any] = ["comment": nullable(string)]
        return [
            "ApproverSpec": request(approver, required: ["type"]),
            "Quorum": request(quorum, required: ["type"]),
            "ApprovalStep": request(step, required: ["name", "approvers"]),
            "ApprovalCondition": request(condition, required: ["field", "op"]),
            "ApprovalBranch": request(branch, required: ["name", "conditions", "steps"]),
            "ApprovalFlow": request(flow),
            "ApprovalField": request(field, required: ["key", "label", "type"]),
            "ApprovalFieldList": array(ref("ApprovalField")),
            "ApprovalPolicy": request(policy),
            "ApprovalTemplateRequest": request(templateBody),
            "ApprovalTemplatePatch": request(templateBody.merging(["version": integer]) { $1 }),
            "ApprovalTemplate": object(templateBody.merging([
                "id": uuid, "workspace_id": uuid, "version": integer, "created_at": date, "updated_at": date,
                "warnings": array(object(["field": string, "message": string], required: ["field", "message"])),
            ]) { $1 }, required: ["id", "workspace_id", "name", "description", "owner_id", "fields", "flow", "policy", "active", "version",
                                  "created_at", "updated_at", "warnings"]),
            "ApprovalTemplatePage": page("ApprovalTemplate"),
            "RoutePreviewRequest": request(["values": values]),
            "RoutePreview": object([
                "branches": array(string), "summary": string, "cc": array(person),
                "steps": array(object([
                    "name": string, "quorum": ref("Quorum"), "parallel_group": nullable(integer),
                    "approvers": array(object(["user_id": uuid, "name": string, "acting_for": nullable(uuid), "acting_for_name": nullable(string),
                                               "note": nullable(string), "pre_approved": boolean], required: ["user_id", "name", "pre_approved"])),
                ], required: ["name", "quorum", "approvers"])),
            ], required: ["branches", "steps", "cc", "summary"]),
            "SubmitApprovalRequest": request(["title": string, "values": values, "task_id": nullable(uuid), "waiting_for_approval": boolean]),
            "ApproveRequest": request(comment),
            "RejectRequest": request(comment, required: ["comment"]),
            "ResubmitRequest": request(comment.merging(["values": values]) { $1 }),
            "TransferRequest": request(["to": uuid, "reason": string], required: ["to", "reason"]),
            "AddApproverRequest": request(["user_id": uuid, "position": ["type": "string", "enum": ["before", "after"]]], required: ["user_id"]),
            "ReturnRequest": request(["step": integer, "comment": string], required: ["step", "comment"]),
            "ApprovalRequest": object([
                "id": uuid, "workspace_id": uuid, "template_id": uuid, "template_name": string, "title": string, "requester_id": uuid,
                "requester_name": string, "values": values, "fields": array(ref("ApprovalField")), "branches": array(string),
                "status": ["type": "string", "enum": ApprovalProgress.Status.allCases.map(\.rawValue)],
                "steps": array(object([
                    "index": integer, "name": string, "quorum": ref("Quorum"), "parallel_group": nullable(integer),
                    "state": ["type": "string", "enum": ["done", "rejected", "open", "upcoming"]],
                    "approvers": array(object([
                        "user_id": uuid, "name": string, "acting_for": nullable(uuid), "acting_for_name": nullable(string), "note": nullable(string),
                        "decision": nullable(string), "automatic": boolean,
                    ], required: ["user_id", "name", "automatic"])),
                ], required: ["index", "name", "quorum", "state", "approvers"])),
                "waiting_on": array(person), "step_started_at": date, "cc": array(person), "task_id": nullable(uuid), "blocks_task": boolean,
                "path": array(object([
                    "kind": string, "step_index": nullable(integer), "step_name": nullable(string), "actor_id": nullable(uuid), "actor_name": string,
                    "acting_for": nullable(uuid), "acting_for_name": nullable(string), "target_id": nullable(uuid), "target_name": nullable(string),
                    "comment": nullable(string), "waited_seconds": nullable(number), "created_at": date,
                ], required: ["kind", "actor_name", "created_at"])),
                "can": array(string), "version": integer, "created_at": date, "updated_at": date, "decided_at": nullable(date),
            ], required: ["id", "workspace_id", "template_id", "template_name", "title", "requester_id", "requester_name", "values", "fields",
                          "branches", "status", "steps", "waiting_on", "step_started_at", "cc", "blocks_task", "path", "can", "version",
                          "created_at", "updated_at"]),
            "ApprovalRequestSummary": object([
                "id": uuid, "title": string, "template_id": uuid, "template_name": string, "requester_id": uuid, "requester_name": string,
                "status": string, "current_step": nullable(string), "waiting_on": array(person), "waiting_since": nullable(date),
                "created_at": date, "decided_at": nullable(date),
            ], required: ["id", "title", "template_id", "template_name", "requester_id", "requester_name", "status", "waiting_on", "created_at"]),
            "ApprovalRequestPage": page("ApprovalRequestSummary"),
            "ApprovalWaits": object([
                "steps": array(ref("WaitSummary")), "approvers": array(ref("WaitSummary")), "since": date,
            ], required: ["steps", "approvers", "since"]),
            "WaitSummary": object(["key": string, "label": string, "count": integer, "average_seconds": number, "p90_seconds": number],
                                  required: ["key", "label", "count", "average_seconds", "p90_seconds"]),
            "RightHolder": request(holder, required: ["type"]),
            "RightEntry": request(entry, required: ["holder", "right"]),
            "RightDecision": request(decision, required: ["key", "label", "entries"]),
            "DecisionRightsRequest": request(["decisions": array(ref("RightDecision")), "version": integer], required: ["decisions"]),
            "DecisionRights": object([
                "workspace_id": uuid, "decisions": array(ref("RightDecision")), "version": integer, "updated_at": nullable(date),
                "updated_by": nullable(uuid),
            ], required: ["workspace_id", "decisions", "version"]),
            "OutOfOfficeRequest": request(["substitute_id": uuid, "from": date, "until": date], required: ["substitute_id", "from", "until"]),
            "OutOfOffice": object(["substitute_id": uuid, "substitute_name": string, "from": date, "until": date],
                                  required: ["substitute_id", "substitute_name", "from", "until"]),
        ]
    }
}
