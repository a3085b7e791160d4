import Foundation

/// The OpenAPI 3.1 contract for `/api/v1`. A test fails when it and the router disagree.
enum OpenAPIDocument {
    static let json: Data = {
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Baton API", "version": "1.0.0",
                     "description": "Self-hosted delegation workspace. JSON, snake_case, ISO-8601 UTC dates, cursor pagination."],
            "servers": [["url": "/"]],
            "security": [["bearer": [String]()]],
            "paths": paths(),
            "components": [
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
                "schemas": APISchemas.all,
            ],
        ]
        return (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }()

    /// Every documented operation as "METHOD /path/{param}", for the contract test.
    static var operations: [String] {
        APIOperations.all.map { "\($0.method.uppercased()) \($0.path)" }
    }

    private static func paths() -> [String: Any] {
        var paths: [String: [String: Any]] = [:]
        for operation in APIOperations.all {
            paths[operation.path, default: [:]][operation.method] = operation.rendered
        }
        return paths
    }
}

struct APIOperation {
    let method: String
    let path: String
    let summary: String
    let tag: String
    var isPublic = false
    var body: (schema: String, required: [String])? = nil
    var query: [(name: String, type: String, description: String)] = []
    var success: (status: Int, schema: String?)

    var rendered: [String: Any] {
        var operation: [String: Any] = [
            "summary": summary, "tags": [tag],
            "operationId": method + path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""),
        ]
        if isPublic { operation["security"] = [[String: Any]]() }
        var parameters: [[String: Any]] = path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
            ["name": String($0.dropFirst().dropLast()), "in": "path", "required": true,
             "schema": ["type": "string"]]
        }
        for item in query {
            parameters.append(["name": item.name, "in": "query", "required": false, "description": item.description,
                               "schema": ["type": item.type]])
        }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(body.schema)"]]]]
        }
        var responses: [String: Any] = [:]
        if let schema = success.schema {
            responses[String(success.status)] = ["description": "Success",
                                                 "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]]
        } else {
            responses[String(success.status)] = ["description": "Success"]
        }
        let error: [String: Any] = ["content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        let errors: [(Int, String)] = [(400, "Malformed request"), (401, "Missing or invalid credentials"), (403, "Not allowed for your role"),
                                       (404, "Not found, or in a workspace you are not in"), (409, "Conflict"), (410, "Gone"),
                                       (413, "Body over 1 MiB"), (415, "The body is not JSON"),
                                       (422, "Validation failed; `field` names the field"),
                                       (429, "Too many attempts")]
        for (status, description) in errors {
            responses[String(status)] = error.merging(["description": description]) { $1 }
        }
        operation["responses"] = responses
        return operation
    }
}

enum APIOperations {
    static let ws = "/api/v1/workspaces/{workspace_id}"
    static let project = "/api/v1/projects/{project_id}"
    static let task = "/api/v1/tasks/{task_id}"
    /// What TaskListQuery reads, for the list and the export alike.
    static let taskFilters: [(name: String, type: String, description: String)] = [
        ("assignee", "string", "User id, me or none"), ("delegator", "string", "User id or me"), ("stage", "string", "Stage id"),
        ("category", "string", "todo, in_progress, blocked, done"), ("priority", "string", "urgent, high, normal, low"),
        ("tag", "string", "Tag"), ("due_before", "string", "ISO-8601"), ("due_after", "string", "ISO-8601"),
        ("field", "string", "Custom field name or id"), ("field_value", "string", "Value of that field (multi-select: one choice)"),
        ("sort", "string", "created, updated, due, priority or title; prefix - for descending"),
    ]
    static var all: [APIOperation] { [
        .init(method: "post", path: "/api/v1/auth/signup", summary: "Create an account and its workspace", tag: "auth", isPublic: true,
              body: ("SignupRequest", ["email", "password", "name", "workspace_name"]), success: (201, "SignupResponse")),
        .init(method: "post", path: "/api/v1/auth/login", summary: "Sign in; returns a session token", tag: "auth", isPublic: true,
              body: ("LoginRequest", ["email", "password"]), success: (200, "TokenResponse")),
        .init(method: "post", path: "/api/v1/auth/logout", summary: "Revoke the token used for this request", tag: "auth", success: (204, nil)),
        .init(method: "get", path: "/api/v1/me", summary: "The caller and their workspaces", tag: "me", success: (200, "Me")),
        .init(method: "patch", path: "/api/v1/me", summary: "Edit name and time zone", tag: "me",
              body: ("ProfileRequest", []), success: (200, "User")),
        .init(method: "post", path: "/api/v1/me/password", summary: "Change password (signs out other sessions)", tag: "me",
              body: ("PasswordRequest", ["current_password", "new_password"]), success: (204, nil)),
        .init(method: "get", path: "/api/v1/me/tokens", summary: "Personal API tokens", tag: "tokens", success: (200, "TokenPage")),
        .init(method: "post", path: "/api/v1/me/tokens", summary: "Create a personal API token (secret shown once)", tag: "tokens",
              body: ("NameRequest", ["name"]), success: (201, "Token")),
        .init(method: "delete", path: "/api/v1/me/tokens/{token_id}", summary: "Revoke a personal API token", tag: "tokens", success: (204, nil)),
        .init(method: "post", path: "/api/v1/workspaces", summary: "Create another workspace", tag: "workspaces",
              body: ("NameRequest", ["name"]), success: (201, "Workspace")),
        .init(method: "get", path: ws, summary: "A workspace", tag: "workspaces", success: (200, "Workspace")),
        .init(method: "get", path: ws + "/members", summary: "Members with roles, managers and teams", tag: "members", success: (200, "MemberPage")),
        .init(method: "patch", path: ws + "/members/{user_id}", summary: "Change role, manager (null clears) or title", tag: "members",
              body: ("MemberPatch", []), success: (200, "Member")),
        .init(method: "post", path: ws + "/members/{user_id}/deactivate", summary: "Deactivate a member (access ends at once)", tag: "members",
              success: (200, "Member")),
        .init(method: "post", path: ws + "/members/{user_id}/reactivate", summary: "Reactivate a member", tag: "members", success: (200, "Member")),
        .init(method: "get", path: ws + "/invitations", summary: "Invitations (admins)", tag: "invitations", success: (200, "InvitationPage")),
        .init(method: "post", path: ws + "/invitations", summary: "Invite by email; returns the accept_url", tag: "invitations",
              body: ("InvitationRequest", ["email"]), success: (201, "Invitation")),
        .init(method: "delete", path: ws + "/invitations/{invitation_id}", summary: "Revoke a pending invitation", tag: "invitations", success: (204, nil)),
        .init(method: "get", path: ws + "/teams", summary: "Teams", tag: "teams", success: (200, "TeamPage")),
        .init(method: "post", path: ws + "/teams", summary: "Create a team", tag: "teams", body: ("NameRequest", ["name"]), success: (201, "Team")),
        .init(method: "post", path: ws + "/teams/{team_id}/members", summary: "Add a member to a team", tag: "teams",
              body: ("TeamMemberRequest", ["user_id"]), success: (204, nil)),
        .init(method: "delete", path: ws + "/teams/{team_id}/members/{user_id}", summary: "Remove a member from a team", tag: "teams", success: (204, nil)),
        .init(method: "get", path: ws + "/events", summary: "Events you may see (what your live socket gets), oldest first after the cursor", tag: "events",
              query: [("after", "integer", "Event id to continue after"), ("limit", "integer", "1–200, default 50")], success: (200, "EventPage")),
        .init(method: "get", path: "/api/v1/invitations/{secret}", summary: "Preview an invitation", tag: "invitations", isPublic: true,
              success: (200, "InvitationPreview")),
        .init(method: "post", path: "/api/v1/invitations/{secret}/accept", summary: "Accept an invitation", tag: "invitations", isPublic: true,
              body: ("AcceptRequest", []), success: (201, "AcceptResponse")),
        .init(method: "get", path: "/api/v1/live", summary: "WebSocket of the workspace's events (upgrade)", tag: "live",
              query: [("workspace_id", "string", "Workspace to follow; default the first")], success: (101, nil)),
        .init(method: "get", path: ws + "/projects", summary: "Projects you can see", tag: "projects", success: (200, "ProjectPage")),
        .init(method: "post", path: ws + "/projects", summary: "Create a project (starts with five stages)", tag: "projects",
              body: ("ProjectRequest", ["name"]), success: (201, "Project")),
        .init(method: "get", path: project, summary: "A project with its stages and fields", tag: "projects", success: (200, "Project")),
        .init(method: "patch", path: project, summary: "Rename, describe, change lead", tag: "projects", body: ("ProjectRequest", []),
              success: (200, "Project")),
        .init(method: "post", path: project + "/members", summary: "Add a project member", tag: "projects",
              body: ("TeamMemberRequest", ["user_id"]), success: (200, "Project")),
        .init(method: "post", path: project + "/stages", summary: "Add a stage", tag: "stages", body: ("StageRequest", ["name"]),
              success: (201, "Stage")),
        .init(method: "put", path: project + "/stages/order", summary: "Reorder stages", tag: "stages",
              body: ("StageOrderRequest", ["stage_ids"]), success: (200, "Project")),
        .init(method: "patch", path: project + "/stages/{stage_id}", summary: "Rename, recolour or recategorise a stage", tag: "stages",
              body: ("StageRequest", []), success: (200, "Stage")),
        .init(method: "delete", path: project + "/stages/{stage_id}", summary: "Remove a stage, moving its tasks to move_to", tag: "stages",
              query: [("move_to", "string", "Stage that receives the tasks")], success: (204, nil)),
        .init(method: "post", path: project + "/fields", summary: "Define a custom field", tag: "fields", body: ("FieldRequest", ["name", "type"]),
              success: (201, "Field")),
        .init(method: "get", path: project + "/tasks", summary: "Tasks, filtered and sorted (newest first by default)", tag: "tasks",
              query: taskFilters + [("after", "string", "Cursor"), ("limit", "integer", "1–200")], success: (200, "TaskPage")),
        .init(method: "post", path: project + "/tasks", summary: "Create a task (with its handoff brief)", tag: "tasks",
              body: ("TaskRequest", ["title"]), success: (201, "TaskDetail")),
        .init(method: "post", path: project + "/tasks/bulk", summary: "Change stage, assignee or due date of many tasks at once", tag: "tasks",
              body: ("BulkRequest", ["task_ids", "changes"]), success: (200, "TaskPage")),
        .init(method: "post", path: project + "/tasks/import", summary: "Import tasks from CSV (body: the file); ?dry_run=true reports bad rows",
              tag: "tasks", query: [("dry_run", "boolean", "Check only, write nothing")], success: (201, "ImportResult")),
        .init(method: "get", path: project + "/tasks/export.csv", summary: "Export the filtered task list as CSV (re-imports cleanly)",
              tag: "tasks", query: taskFilters, success: (200, nil)),
        .init(method: "get", path: task, summary: "A task with brief, checklist, checkpoints, watchers", tag: "tasks", success: (200, "TaskDetail")),
        .init(method: "patch", path: task, summary: "Change a task; send the version you read (409 if stale)", tag: "tasks",
              body: ("TaskRequest", ["version"]), success: (200, "TaskDetail")),
        .init(method: "post", path: task + "/accept", summary: "Assignee accepts the handoff", tag: "handoff", success: (200, "TaskDetail")),
        .init(method: "post", path: task + "/clarification", summary: "Assignee asks the delegator a question", tag: "handoff",
              body: ("QuestionRequest", ["question"]), success: (200, "TaskDetail")),
        .init(method: "post", path: task + "/checklist", summary: "Add an acceptance item", tag: "handoff", body: ("TextRequest", ["text"]),
              success: (201, "ChecklistItem")),
        .init(method: "patch", path: task + "/checklist/{item_id}", summary: "Check, uncheck or waive (with reason) an item", tag: "handoff",
              body: ("ChecklistChange", []), success: (200, "ChecklistItem")),
        .init(method: "post", path: task + "/checkpoints", summary: "Add a dated checkpoint", tag: "handoff",
              body: ("CheckpointRequest", ["title", "due_at"]), success: (201, "Checkpoint")),
        .init(method: "post", path: task + "/checkpoints/{checkpoint_id}/review", summary: "Review a checkpoint", tag: "handoff",
              body: ("ReviewRequest", ["status"]), success: (200, "Checkpoint")),
        .init(method: "get", path: task + "/comments", summary: "Comments, oldest first", tag: "comments", success: (200, "CommentPage")),
        .init(method: "post", path: task + "/comments", summary: "Comment (markdown, @mentions)", tag: "comments",
              body: ("CommentRequest", ["body"]), success: (201, "Comment")),
        .init(method: "get", path: task + "/history", summary: "Every change to the task, from the event log", tag: "tasks",
              success: (200, "HistoryPage")),
        .init(method: "get", path: "/api/v1/dashboards/manager/{user_id}", summary: "Manager dashboard over a manager's direct reports",
              tag: "dashboards", query: [("workspace_id", "string", "Workspace; default the first you share")], success: (200, "Dashboard")),
        .init(method: "get", path: "/api/v1/dashboards/projects/{project_id}", summary: "Dashboard of one project", tag: "dashboards",
              success: (200, "Dashboard")),
        .init(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta", isPublic: true, success: (200, nil)),
    ] }
}
