import Foundation

/// The inbox's part of the OpenAPI document.
enum NotificationsOpenAPI: JSONSchemaBuilding {
    static let me = "/api/v1/me"

    static var operations: [APIOperation] { [
        .init(method: "get", path: me + "/notifications", summary: "Your inbox, newest first, across your workspaces", tag: "notifications",
              query: [("unread", "boolean", "true: only unread; false: only read"), ("archived", "boolean", "true: the archived entries instead"),
                      ("workspace_id", "string", "Keep to one workspace"), ("after", "integer", "next_cursor of the previous page"),
                      ("limit", "integer", "1–200, default 50")],
              success: (200, "NotificationPage")),
        .init(method: "get", path: me + "/notifications/unread-count", summary: "How many unread entries you have", tag: "notifications",
              query: [("workspace_id", "string", "Keep to one workspace")], success: (200, "UnreadCount")),
        .init(method: "post", path: me + "/notifications/read", summary: "Mark entries read: {ids} or {all: true}", tag: "notifications",
              body: ("NotificationSelection", []), success: (200, "UnreadCount")),
        .init(method: "post", path: me + "/notifications/archive", summary: "Archive entries: {ids} or {all: true}", tag: "notifications",
              body: ("NotificationSelection", []), success: (200, "UnreadCount")),
        .init(method: "get", path: me + "/notification-preferences", summary: "Where each kind of notification goes, digest, quiet hours",
              tag: "notifications", success: (200, "NotificationPreferences")),
        .init(method: "put", path: me + "/notification-preferences", summary: "Replace your notification settings", tag: "notifications",
              body: ("NotificationPreferencesRequest", []), success: (200, "NotificationPreferences")),
    ] }

    static var schemas: [String: Any] {
        let delivery: [String: Any] = ["type": "string", "enum": ["in_app", "email", "both", "none"]]
        let clock: [String: Any] = ["type": "string", "pattern": "^([01]?[0-9]|2[0-3]):[0-5][0-9]$"]
        return [
            "Notification": object([
                "id": uuid, "workspace_id": uuid, "kind": string, "kind_label": string, "actor_id": nullable(uuid), "actor_name": string,
                "subject_type": string, "subject_id": nullable(uuid), "subject_title": string, "link": nullable(string),
                "lines": array(string), "count": integer, "position": integer, "created_at": date, "updated_at": date,
                "read_at": nullable(date), "archived_at": nullable(date),
            ], required: ["id", "workspace_id", "kind", "kind_label", "actor_name", "subject_type", "subject_title", "lines", "count",
                          "position", "created_at", "updated_at"]),
            "NotificationPage": page("Notification"),
            "UnreadCount": object(["unread": integer], required: ["unread"]),
            "NotificationSelection": request(["ids": array(uuid), "all": boolean, "workspace_id": uuid]),
            "NotificationPreferences": object([
                "kinds": array(object(["kind": string, "label": string, "delivery": delivery, "default_delivery": delivery],
                                      required: ["kind", "label", "delivery", "default_delivery"])),
                "digest": boolean,
                "quiet_hours": ["type": ["object", "null"], "properties": ["start": string, "end": string], "required": ["start", "end"]],
                "time_zone": string,
            ], required: ["kinds", "digest", "time_zone"]),
            "NotificationPreferencesRequest": request([
                "deliveries": ["type": "object", "additionalProperties": delivery],
                "digest": boolean,
                "quiet_hours": ["type": ["object", "null"], "properties": ["start": clock, "end": clock], "required": ["start", "end"],
                                "additionalProperties": false],
            ]),
        ]
    }
}

extension NotificationsOpenAPI {
    static var reminderOperations: [APIOperation] { [
        .init(method: "post", path: "/api/v1/tasks/{task_id}/reminders", summary: "Remind me about this task at a time, with a note",
              tag: "reminders", body: ("ReminderRequest", ["remind_at"]), success: (201, "Reminder")),
        .init(method: "get", path: me + "/reminders", summary: "Your reminders, soonest first", tag: "reminders",
              query: [("status", "string", "pending (default), delivered or all"), ("task_id", "string", "Only this task's"),
                      ("after", "integer", "next_cursor of the previous page"), ("limit", "integer", "1–200, default 50")],
              success: (200, "ReminderPage")),
        .init(method: "patch", path: "/api/v1/reminders/{reminder_id}", summary: "Move a reminder or change its note (a new time re-arms it)",
              tag: "reminders", body: ("ReminderPatch", []), success: (200, "Reminder")),
        .init(method: "delete", path: "/api/v1/reminders/{reminder_id}", summary: "Cancel a reminder", tag: "reminders", success: (204, nil)),
    ] }

    static var reminderSchemas: [String: Any] { [
        "Reminder": object([
            "id": uuid, "workspace_id": uuid, "subject_type": string, "subject_id": uuid, "subject_title": string, "remind_at": date,
            "note": string, "status": ["type": "string", "enum": ["pending", "delivered", "cancelled"]], "created_at": date,
            "delivered_at": nullable(date),
        ], required: ["id", "workspace_id", "subject_type", "subject_id", "subject_title", "remind_at", "note", "status", "created_at"]),
        "ReminderPage": page("Reminder"),
        "ReminderRequest": request(["remind_at": date, "note": string], required: ["remind_at"]),
        "ReminderPatch": request(["remind_at": date, "note": string]),
    ] }
}
