/// JSON Schemas of the API's bodies, referenced from the OpenAPI document.
enum APISchemas {
    private static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    private static var string: [String: Any] { ["type": "string"] }
    private static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    private static var date: [String: Any] { ["type": "string", "format": "date-time"] }
    private static var role: [String: Any] { ["type": "string", "enum": ["owner", "admin", "member", "guest"]] }
    private static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    private static func page(_ item: String) -> [String: Any] {
        object(["data": ["type": "array", "items": ref(item)], "next_cursor": ["type": ["string", "null"]]], required: ["data", "next_cursor"])
    }

    static var all: [String: Any] { [
        "Error": object(["error": object(["code": string, "message": string, "field": ["type": ["string", "null"]]],
                                         required: ["code", "message", "field"])], required: ["error"]),
        "SignupRequest": object(["email": string, "password": ["type": "string", "minLength": 10], "name": string, "workspace_name": string],
                                required: ["email", "password", "name", "workspace_name"]),
        "LoginRequest": object(["email": string, "password": string], required: ["email", "password"]),
        "ProfileRequest": object(["name": string, "time_zone": string]),
        "PasswordRequest": object(["current_password": string, "new_password": ["type": "string", "minLength": 10]],
                                  required: ["current_password", "new_password"]),
        "NameRequest": object(["name": string], required: ["name"]),
        "MemberPatch": object(["role": role, "manager_id": ["type": ["string", "null"], "format": "uuid"], "title": string]),
        "InvitationRequest": object(["email": string, "role": role], required: ["email"]),
        "TeamMemberRequest": object(["user_id": uuid], required: ["user_id"]),
        "AcceptRequest": object(["name": string, "password": string]),
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
        "InvitationPreview": object(["email": string, "role": role, "workspace_name": string, "expires_at": date, "has_account": ["type": "boolean"]],
                                    required: ["email", "role", "workspace_name", "expires_at", "has_account"]),
        "AcceptResponse": object(["token": string, "user": ref("User"), "workspace_id": uuid], required: ["token", "user", "workspace_id"]),
        "Team": object(["id": uuid, "name": string, "member_ids": ["type": "array", "items": uuid], "created_at": date],
                       required: ["id", "name", "member_ids", "created_at"]),
        "Token": object(["id": uuid, "name": string, "created_at": date, "token": string], required: ["id", "name", "created_at"]),
        "Event": object(["id": ["type": "integer"], "workspace_id": ["type": ["string", "null"]], "actor_id": ["type": ["string", "null"]],
                         "kind": string, "subject_type": string, "subject_id": ["type": ["string", "null"]],
                         "data": ["type": "object", "additionalProperties": string], "created_at": date],
                        required: ["id", "kind", "subject_type", "data", "created_at"]),
        "MemberPage": page("Member"), "InvitationPage": page("Invitation"), "TeamPage": page("Team"),
        "TokenPage": page("Token"), "EventPage": page("Event"),
    ] }
}
