import Foundation

/// JSON Schemas of the API's bodies, referenced from the OpenAPI document.
enum APISchemas {
    private static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    /// A request body: keys it does not list are refused (RequestShapeMiddleware).
    private static func request(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        object(properties, required: required).merging(["additionalProperties": false]) { $1 }
    }
    private static var string: [String: Any] { ["type": "string"] }
    private static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    private static var date: [String: Any] { ["type": "string", "format": "date-time"] }
    private static var role: [String: Any] { ["type": "string", "enum": ["owner", "admin", "member", "guest"]] }
    private static var category: [String: Any] { ["type": "string", "enum": ["todo", "in_progress", "blocked", "done"]] }
    private static var priority: [String: Any] { ["type": "string", "enum": ["urgent", "high", "normal", "low"]] }
    private static func nullable(_ schema: [String: Any]) -> [String: Any] {
        var copy = schema
        copy["type"] = [schema["type"] as? String ?? "string", "null"]
        return copy
    }
    private static var briefRequest: [String: Any] {
        request(["outcome": string, "constraints": string, "success_criteria": string,
                "risk_tolerance": ["type": ["string", "null"], "enum": ["low", "medium", "high", NSNull()]],
                "decision_rights": request(["decide_alone": ["type": "array", "items": string],
                                           "consult_first": ["type": "array", "items": string],
                                           "escalate": ["type": "array", "items": string]]),
                "delegation_level": ["type": ["integer", "null"], "minimum": 1, "maximum": 7], "stretch": ["type": "boolean"],
                "skills": ["type": "array", "items": string], "checklist": ["type": "array", "items": string],
                "checkpoints": ["type": "array", "items": request(["title": string, "due_at": date], required: ["title", "due_at"])]])
    }
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func page(_ item: String) -> [String: Any] {
        object(["data": ["type": "array", "items": ref(item)], "next_cursor": ["type": ["string", "null"]]], required: ["data", "next_cursor"])
    }

    static var all: [String: Any] { [
        "Error": object(["error": object(["code": string, "message": string, "field": ["type": ["string", "null"]]],
                                         required: ["code", "message", "field"])], required: ["error"]),
        "SignupRequest": request(["email": string, "password": ["type": "string", "minLength": 10], "name": string, "workspace_name": string],
                                required: ["email", "password", "name", "workspace_name"]),
        "LoginRequest": request(["email": string, "password": string], required: ["email", "password"]),
        "ProfileRequest": request(["name": string, "time_zone": string]),
        "PasswordRequest": request(["current_password": string, "new_password": ["type": "string", "minLength": 10]],
                                  required: ["current_password", "new_password"]),
        "NameRequest": request(["name": string], required: ["name"]),
        "MemberPatch": request(["role": role, "manager_id": ["type": ["string", "null"], "format": "uuid"], "title": string]),
        "InvitationRequest": request(["email": string, "role": role], required: ["email"]),
        "TeamMemberRequest": request(["user_id": uuid], required: ["user_id"]),
        "AcceptRequest": request(["name": string, "password": string]),
        "TokenResponse": object(["token": string], required: ["token"]),
        "User": object(["id": uuid, "email": string, "name": string, "time_zone": string, "created_at": date],
                       required: ["id", "email", "name", "time_zone", "created_at"]),
        "Workspace": object(["id": uuid, "name": string, "role": role, "created_at": date], required: ["id", "name", "created_at"]),
        "SignupResponse": object(["user": ref("User"), "workspace": ref("Workspace"), "token": string], required: ["user", "workspace", "token"]),
        "Me": object(["user": ref("User"), "workspaces": ["type": "array", "items": ref("Workspace")]], required: ["user", "workspaces"]),
        "Member": object(["user_id": uuid, "name": string, "email": string, "role": role, "title": string,
                          "manager_id": ["type": ["string", "null"], "format": "uuid"], "team_ids": ["type": "array", "items": uuid],
                          "joined_at": date, "active": ["type": "boolean"]],
                         required: ["user_id", "name", "email", "role", "title", "team_ids", "joined_at", "active"]),
        "Invitation": object(["id": uuid, "email": string, "role": role,
                              "state": ["type": "string", "enum": ["pending", "accepted", "revoked", "expired"]],
                              "invited_by": uuid, "created_at": date, "expires_at": date, "accept_url": string],
                             required: ["id", "email", "role", "state", "invited_by", "created_at", "expires_at"]),
        "InvitationPreview": object(["email": string, "role": role, "workspace_name": string, "expires_at": date],
                                    required: ["email", "role", "workspace_name", "expires_at"]),
        "AcceptResponse": object(["token": ["type": ["string", "null"]], "user": ref("User"), "workspace_id": uuid],
                                 required: ["token", "user", "workspace_id"]),
        "Team": object(["id": uuid, "name": string, "member_ids": ["type": "array", "items": uuid], "created_at": date],
                       required: ["id", "name", "member_ids", "created_at"]),
        "Token": object(["id": uuid, "name": string, "created_at": date, "token": string], required: ["id", "name", "created_at"]),
        "Event": object(["id": ["type": "integer"], "workspace_id": ["type": ["string", "null"]], "actor_id": ["type": ["string", "null"]],
                         "kind": string, "subject_type": string, "subject_id": ["type": ["string", "null"]],
                         "project_id": ["type": ["string", "null"]],
                         "data": ["type": "object", "additionalProperties": string], "created_at": date],
                        required: ["id", "kind", "subject_type", "data", "created_at"]),
        "ProjectRequest": request(["name": string, "description": string, "lead_id": uuid, "member_ids": ["type": "array", "items": uuid]]),
        "StageRequest": request(["name": string, "color": ["type": "string", "pattern": "^#[0-9a-fA-F]{6}$"], "category": category]),
        "StageOrderRequest": request(["stage_ids": ["type": "array", "items": uuid]], required: ["stage_ids"]),
        "FieldRequest": request(["name": string, "type": ["type": "string", "enum": ["text", "number", "money", "date", "single_select",
                                                                                   "multi_select", "person", "checkbox", "url"]],
                                "options": ["type": "array", "items": string], "currency": string], required: ["name", "type"]),
        "TaskRequest": request(["title": string, "description": string, "assignee_id": nullable(uuid), "stage_id": uuid,
                               "priority": priority, "start_at": nullable(date), "due_at": nullable(date), "time_zone": string,
                               "blocked": ["type": "boolean"], "blocked_reason": string, "estimate": ["type": ["number", "null"]],
                               "tags": ["type": "array", "items": string], "parent_id": nullable(uuid),
                               "watcher_ids": ["type": "array", "items": uuid], "custom_fields": ["type": "object"],
                               "brief": briefRequest, "version": ["type": "integer"]]),
        "BulkRequest": request(["task_ids": ["type": "array", "items": uuid],
                               "changes": request(["stage_id": uuid, "assignee_id": nullable(uuid), "due_at": nullable(date)])],
                              required: ["task_ids", "changes"]),
        "QuestionRequest": request(["question": string], required: ["question"]),
        "TextRequest": request(["text": string], required: ["text"]),
        "ChecklistChange": request(["checked": ["type": "boolean"], "waived_reason": string]),
        "CheckpointRequest": request(["title": string, "due_at": date], required: ["title", "due_at"]),
        "ReviewRequest": request(["status": ["type": "string", "enum": ["on_track", "at_risk", "off_track"]], "note": string], required: ["status"]),
        "CommentRequest": request(["body": string], required: ["body"]),
        "Stage": object(["id": uuid, "name": string, "color": string, "category": category, "position": ["type": "integer"]],
                        required: ["id", "name", "color", "category", "position"]),
        "Field": object(["id": uuid, "name": string, "type": string, "options": ["type": "array", "items": string],
                         "currency": ["type": ["string", "null"]]], required: ["id", "name", "type", "options"]),
        "Project": object(["id": uuid, "workspace_id": uuid, "name": string, "description": string, "lead_id": nullable(uuid),
                           "member_ids": ["type": "array", "items": uuid], "stages": ["type": "array", "items": ref("Stage")],
                           "fields": ["type": "array", "items": ref("Field")], "created_at": date],
                          required: ["id", "workspace_id", "name", "stages", "fields"]),
        "Task": object(["id": uuid, "project_id": uuid, "title": string, "description": string, "delegator_id": nullable(uuid),
                        "assignee_id": nullable(uuid), "stage_id": uuid, "stage_category": category, "priority": priority,
                        "start_at": nullable(date), "due_at": nullable(date), "time_zone": string, "blocked": ["type": "boolean"],
                        "blocked_reason": ["type": ["string", "null"]], "estimate": ["type": ["number", "null"]],
                        "tags": ["type": "array", "items": string], "parent_id": nullable(uuid), "version": ["type": "integer"],
                        "created_by": uuid, "created_at": date, "updated_at": date, "completed_at": nullable(date),
                        "handoff_state": ["type": "string", "enum": ["unassigned", "pending", "accepted", "clarification_requested"]],
                        "custom_fields": ["type": "object", "additionalProperties": string]],
                       required: ["id", "project_id", "title", "stage_id", "stage_category", "priority", "version", "handoff_state"]),
        "ChecklistItem": object(["id": uuid, "text": string, "checked": ["type": "boolean"], "checked_by": nullable(uuid),
                                 "waived_reason": ["type": ["string", "null"]]], required: ["id", "text", "checked"]),
        "Checkpoint": object(["id": uuid, "title": string, "due_at": date,
                              "status": ["type": ["string", "null"], "enum": ["on_track", "at_risk", "off_track", NSNull()]],
                              "note": string, "reviewed_at": nullable(date)], required: ["id", "title", "due_at", "note"]),
        "TaskDetail": object(["task": ref("Task"), "brief": ["type": "object"], "watcher_ids": ["type": "array", "items": uuid],
                              "subtask_ids": ["type": "array", "items": uuid]], required: ["task", "brief", "watcher_ids", "subtask_ids"]),
        "Comment": object(["id": uuid, "author_id": uuid, "body": string, "mention_ids": ["type": "array", "items": uuid], "created_at": date],
                          required: ["id", "author_id", "body", "mention_ids", "created_at"]),
        "HistoryEntry": object(["id": ["type": "integer"], "kind": string, "actor_id": nullable(uuid), "sentence": string,
                                "data": ["type": "object", "additionalProperties": string], "created_at": date],
                               required: ["id", "kind", "sentence", "data", "created_at"]),
        "Dashboard": object(["scope": ["type": "object"], "counts": ["type": "object", "additionalProperties": ["type": "integer"]],
                             "overdue": ["type": "array"], "due_soon_without_progress": ["type": "array"], "blocked": ["type": "array"],
                             "checkpoints_at_risk": ["type": "array"], "workload": ["type": "array"],
                             "completed_this_week": ["type": "integer"], "burn_up": ["type": "array"], "burn_up_svg": string,
                             "generated_at": date],
                            required: ["scope", "counts", "overdue", "due_soon_without_progress", "blocked", "workload",
                                       "completed_this_week", "burn_up", "burn_up_svg"]),
        "ImportResult": object(["dry_run": ["type": "boolean"], "valid_rows": ["type": "integer"], "created": ["type": "integer"],
                                "problems": ["type": "array", "items": object(["line": ["type": "integer"], "reason": string],
                                                                               required: ["line", "reason"])]],
                               required: ["dry_run", "valid_rows", "problems", "created"]),
        "ProjectPage": page("Project"), "TaskPage": page("Task"), "CommentPage": page("Comment"), "HistoryPage": page("HistoryEntry"),
        "MemberPage": page("Member"), "InvitationPage": page("Invitation"), "TeamPage": page("Team"),
        "TokenPage": page("Token"), "EventPage": page("Event"),
    ] }
}
