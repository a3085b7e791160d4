import Foundation
import BatonCore

/// The messages' part of the OpenAPI document.
enum MessagesOpenAPI: JSONSchemaBuilding {
    static let channel = "/api/v1/channels/{channel_id}"
    static let message = "/api/v1/messages/{message_id}"

    static var operations: [APIOperation] {
        let paging: [(String, String, String)] = [("limit", "integer", "1–200, default 50")]
        return [
            .init(method: "get", path: "/api/v1/workspaces/{workspace_id}/channels", summary: "Your channels (view=all adds the open ones you could join; archived the archived)",
                  tag: "messages", query: [("view", "string", "mine (default), all or archived")], success: (200, "ChannelPage")),
            .init(method: "post", path: "/api/v1/workspaces/{workspace_id}/channels",
                  summary: "Start a channel (public, private, a project's) or a direct conversation of 2–8 people (an existing one is returned, 200)",
                  tag: "messages", body: ("ChannelRequest", []), success: (201, "Channel"),
                  alsoSucceeds: (200, "The direct conversation with these people, which exists already")),
            .init(method: "get", path: channel, summary: "A channel with its people and tabs", tag: "messages", success: (200, "Channel")),
            .init(method: "patch", path: channel, summary: "Rename, change the topic, archive or set up a channel; version (or If-Match) guards against a lost edit",
                  tag: "messages", body: ("ChannelPatch", []), success: (200, "Channel")),
            .init(method: "post", path: channel + "/members", summary: "Join (your own id) or add people", tag: "messages",
                  body: ("ChannelMembersRequest", []), success: (200, "Channel")),
            .init(method: "patch", path: channel + "/members/me", summary: "Your notification level (all, mentions, none) and mute for the channel",
                  tag: "messages", body: ("MembershipPatch", []), success: (200, "ChannelMembership")),
            .init(method: "delete", path: channel + "/members/{user_id}", summary: "Leave (your id) or take someone out (who manages the channel)",
                  tag: "messages", success: (204, nil)),
            .init(method: "get", path: channel + "/messages", summary: "Messages in order of position: the latest, before a message or after one",
                  tag: "messages",
                  query: [("after", "string", "a message id: the ones after it"), ("before", "string", "a message id: the ones before it")] + paging,
                  success: (200, "ChatMessagePage")),
            .init(method: "post", path: channel + "/messages", summary: "Post a message (markdown, @mentions, #task references); it may ask people to acknowledge it",
                  tag: "messages", body: ("MessageRequest", ["body"]), success: (201, "ChatMessage")),
            .init(method: "post", path: channel + "/read", summary: "Mark read up to a message (a reply: in its thread); without one, all of it",
                  tag: "messages", body: ("ReadRequest", []), success: (200, "ChannelMembership")),
            .init(method: "post", path: channel + "/unread", summary: "Mark unread from a message on", tag: "messages",
                  body: ("ReadRequest", ["message_id"]), success: (200, "ChannelMembership")),
            .init(method: "get", path: message, summary: "A message", tag: "messages", success: (200, "ChatMessage")),
            .init(method: "patch", path: message, summary: "Edit your message (it is marked edited and keeps its history)", tag: "messages",
                  body: ("MessageEdit", ["body"]), success: (200, "ChatMessage")),
            .init(method: "delete", path: message, summary: "Delete a message: a tombstone keeps its place", tag: "messages", success: (204, nil)),
            .init(method: "get", path: message + "/revisions", summary: "A message's earlier texts", tag: "messages", success: (200, "MessageRevisionPage")),
            .init(method: "get", path: message + "/replies", summary: "The thread's replies in order", tag: "messages",
                  query: [("after", "string", "a reply's id: the ones after it")] + paging, success: (200, "ChatMessagePage")),
            .init(method: "post", path: message + "/replies", summary: "Reply in the thread, and if asked also in the channel", tag: "messages",
                  body: ("ReplyRequest", ["body"]), success: (201, "ChatMessage")),
            .init(method: "post", path: message + "/reactions", summary: "React (or take a reaction back with remove: true)", tag: "messages",
                  body: ("ReactionRequest", ["emoji"]), success: (200, "ChatMessage")),
            .init(method: "get", path: message + "/reads", summary: "Who in the channel has read the message and who has not", tag: "messages",
                  success: (200, "MessageReads")),
            .init(method: "post", path: message + "/acknowledge", summary: "Acknowledge a message that asked you to", tag: "messages",
                  success: (200, "ChatMessage")),
            .init(method: "get", path: "/api/v1/me/unread", summary: "Unread counts per channel and followed thread", tag: "messages",
                  query: [("workspace_id", "string", "one workspace's")], success: (200, "Unread")),
            .init(method: "get", path: "/api/v1/workspaces/{workspace_id}/messages/search",
                  summary: "Messages you can see with every word of q, newest first", tag: "messages",
                  query: [("q", "string", "the words to find"), ("channel_id", "string", "one channel's"), ("author_id", "string", "one author's"),
                          ("after", "integer", "next_cursor of the previous page")] + paging,
                  success: (200, "MessageSearchPage")),
            .init(method: "post", path: channel + "/pins", summary: "Pin a tab: a message of the channel, or a page of the workspace (task, document, dashboard, approval request, goal)",
                  tag: "messages", body: ("PinRequest", ["kind"]), success: (201, "ChannelPin")),
            .init(method: "delete", path: channel + "/pins/{pin_id}", summary: "Unpin a tab", tag: "messages", success: (204, nil)),
            .init(method: "post", path: channel + "/webhook", summary: "A new secret address for the channel's incoming webhook (shown once; the old one stops)",
                  tag: "messages", success: (201, "ChannelWebhook")),
            .init(method: "delete", path: channel + "/webhook", summary: "Turn the incoming webhook off", tag: "messages", success: (204, nil)),
            .init(method: "post", path: "/api/v1/hooks/messages/{secret}", summary: "Post into a channel from another system, through its secret address",
                  tag: "messages", isPublic: true, body: ("WebhookMessage", ["text"]), success: (201, "WebhookPosted")),
            .init(method: "get", path: "/api/v1/workspaces/{workspace_id}/presence", summary: "Who is online or away, by user id (members only)",
                  tag: "messages", success: (200, "Presence")),
            .init(method: "post", path: "/api/v1/tasks/{task_id}/thread",
                  summary: "The task's work-updates thread in its project's channel (opened if it has none): post replies to it", tag: "messages",
                  success: (200, "ChatMessage")),
            .init(method: "post", path: channel + "/scheduled-messages",
                  summary: "Schedule a message: at send_at, at the start of the recipient's working day, or weekly; at most 120 days ahead",
                  tag: "messages", body: ("ScheduleRequest", ["body"]), success: (201, "ScheduledMessage")),
            .init(method: "get", path: "/api/v1/me/scheduled-messages", summary: "Your scheduled messages", tag: "messages",
                  query: [("status", "string", "pending (default), sent, cancelled, failed or all"), ("workspace_id", "string", "one workspace's")] + paging,
                  success: (200, "ScheduledMessagePage")),
            .init(method: "patch", path: "/api/v1/scheduled-messages/{scheduled_id}", summary: "Edit or reschedule a pending message", tag: "messages",
                  body: ("SchedulePatch", []), success: (200, "ScheduledMessage")),
            .init(method: "delete", path: "/api/v1/scheduled-messages/{scheduled_id}", summary: "Cancel a pending message", tag: "messages",
                  success: (204, nil)),
            .init(method: "post", path: "/api/v1/scheduled-messages/{scheduled_id}/send-now", summary: "Send it now (a weekly one then waits for next week)",
                  tag: "messages", success: (200, "ScheduledMessage")),
        ]
    }

    static var schemas: [String: Any] {
        let person = object(["user_id": uuid, "name": string], required: ["user_id", "name"])
        let kind: [String: Any] = ["type": "string", "enum": MessageChannel.Kind.allCases.map(\.rawValue)]
        let level: [String: Any] = ["type": "string", "enum": ChannelMember.Level.allCases.map(\.rawValue)]
        let pin = object(["id": uuid, "kind": string, "title": string, "target_id": nullable(uuid), "url": string, "pinned_by": uuid, "created_at": date],
                         required: ["id", "kind", "title", "url", "pinned_by", "created_at"])
        let channelFields: [String: Any] = [
            "id": uuid, "workspace_id": uuid, "kind": kind, "name": string, "title": string, "topic": string, "project_id": nullable(uuid),
            "created_by": uuid, "posts_work_updates": boolean, "has_webhook": boolean, "archived": boolean, "member_count": integer,
            "is_member": boolean, "unread": integer, "mentions": integer, "notify_level": nullable(string), "muted": boolean,
            "last_read_seq": nullable(integer), "last_seq": integer, "last_message_at": nullable(date), "version": integer, "created_at": date,
            "members": array(person), "pins": array(pin),
        ]
        let reaction = object(["emoji": string, "count": integer, "user_ids": array(uuid), "mine": boolean], required: ["emoji", "count", "user_ids", "mine"])
        let acknowledgement = object([
            "asked": integer, "acknowledged": integer, "mine": nullable(string),
            "people": array(object(["user_id": uuid, "name": string, "acknowledged_at": nullable(date)], required: ["user_id", "name"])),
        ], required: ["asked", "acknowledged"])
        let messageFields: [String: Any] = [
            "id": uuid, "channel_id": uuid, "seq": nullable(integer), "thread_root_id": nullable(uuid), "thread_seq": nullable(integer),
            "author_id": nullable(uuid), "author_name": string, "via": string, "body": string, "created_at": date, "edited_at": nullable(date),
            "edit_count": integer, "deleted": boolean, "task_id": nullable(uuid), "reply_count": integer, "last_reply_at": nullable(date),
            "reply_user_ids": array(uuid), "reactions": array(reaction), "mentions": array(uuid), "mentions_channel": boolean,
            "acknowledgement": ["oneOf": [acknowledgement, ["type": "null"]]],
        ]
        let ack = request(["user_ids": array(uuid), "everyone": boolean])
        let recurrence = request(["weekday": integer, "at": string, "time_zone": string], required: ["weekday", "at"])
        let timing: [String: Any] = ["send_at": date, "at_start_of_day": boolean, "recurrence": ref("Recurrence"), "recipient_id": uuid,
                                     "ask_acknowledgement": boolean]
        return [
            "ChannelRequest": request(["kind": kind, "name": string, "topic": string, "member_ids": array(uuid), "project_id": uuid,
                                       "posts_work_updates": boolean]),
            "ChannelPatch": request(["name": string, "topic": string, "archived": boolean, "posts_work_updates": boolean, "version": integer]),
            "ChannelMembersRequest": request(["user_ids": array(uuid), "user_id": uuid]),
            "MembershipPatch": request(["notify_level": level, "muted": boolean]),
            "ChannelMembership": object(["channel_id": uuid, "user_id": uuid, "notify_level": level, "muted": boolean, "last_read_seq": integer],
                                        required: ["channel_id", "user_id", "notify_level", "muted", "last_read_seq"]),
            "Channel": object(channelFields, required: ["id", "workspace_id", "kind", "name", "title", "topic", "created_by", "archived",
                                                        "member_count", "is_member", "unread", "mentions", "muted", "last_seq", "version", "created_at"]),
            "ChannelPage": page("Channel"),
            "MessageAcknowledgementRequest": ack,
            "MessageRequest": request(["body": string, "acknowledgement": ref("MessageAcknowledgementRequest")], required: ["body"]),
            "ReplyRequest": request(["body": string, "also_send_to_channel": boolean, "acknowledgement": ref("MessageAcknowledgementRequest")],
                                    required: ["body"]),
            "MessageEdit": request(["body": string], required: ["body"]),
            "ReactionRequest": request(["emoji": ["type": "string", "enum": MessageText.reactions], "remove": boolean], required: ["emoji"]),
            "ReadRequest": request(["message_id": uuid]),
            "ChatMessage": object(messageFields, required: ["id", "channel_id", "author_name", "via", "body", "created_at", "edit_count", "deleted",
                                                        "reply_count", "reply_user_ids", "reactions", "mentions", "mentions_channel"]),
            "ChatMessagePage": page("ChatMessage"),
            "MessageRevision": object(["number": integer, "body": string, "written_at": date, "replaced_at": date],
                                      required: ["number", "body", "written_at", "replaced_at"]),
            "MessageRevisionPage": page("MessageRevision"),
            "Recurrence": recurrence,
            "Presence": object(["data": ["type": "object", "additionalProperties": ["type": "string", "enum": ["online", "away"]]]], required: ["data"]),
            "MessageSearchPage": object(["data": array(object(["message": ref("ChatMessage"), "channel_name": string, "channel_kind": kind],
                                                              required: ["message", "channel_name", "channel_kind"])),
                                         "next_cursor": ["type": ["string", "null"]]], required: ["data", "next_cursor"]),
            "PinRequest": request(["kind": ["type": "string", "enum": ChannelPin.Kind.allCases.map(\.rawValue)], "title": string, "message_id": uuid,
                                   "url": string], required: ["kind"]),
            "ChannelPin": pin,
            "ChannelWebhook": object(["url": string, "secret": string], required: ["url", "secret"]),
            "WebhookMessage": request(["text": string, "sender": string], required: ["text"]),
            "WebhookPosted": object(["id": uuid], required: ["id"]),
            "ScheduleRequest": request(timing.merging(["body": string]) { $1 }, required: ["body"]),
            "SchedulePatch": request(timing.merging(["body": string, "version": integer]) { $1 }),
            "ScheduledMessage": object([
                "id": uuid, "workspace_id": uuid, "channel_id": uuid, "channel_title": string, "body": string, "send_at": date,
                "at_start_of_day": boolean, "recipient_id": nullable(uuid), "recipient_name": nullable(string),
                "recurrence": ["oneOf": [object(["weekday": integer, "at": string, "time_zone": string], required: ["weekday", "at", "time_zone"]),
                                         ["type": "null"]]],
                "ask_acknowledgement": boolean, "status": ["type": "string", "enum": ScheduledMessage.Status.allCases.map(\.rawValue)],
                "failure": nullable(string), "sent_count": integer, "last_message_id": nullable(uuid), "last_sent_at": nullable(date),
                "version": integer, "created_at": date, "updated_at": date,
            ], required: ["id", "workspace_id", "channel_id", "channel_title", "body", "send_at", "at_start_of_day", "ask_acknowledgement", "status",
                          "sent_count", "version", "created_at", "updated_at"]),
            "ScheduledMessagePage": page("ScheduledMessage"),
            "MessageReads": object(["message_id": uuid, "read": array(person), "unread": array(person)], required: ["message_id", "read", "unread"]),
            "Unread": object([
                "channels": array(object(["channel_id": uuid, "workspace_id": uuid, "name": string, "kind": kind, "unread": integer, "mentions": integer,
                                          "muted": boolean], required: ["channel_id", "workspace_id", "name", "kind", "unread", "mentions", "muted"])),
                "threads": array(object(["root_id": uuid, "channel_id": uuid, "unread": integer], required: ["root_id", "channel_id", "unread"])),
                "total": integer, "mentions": integer,
            ], required: ["channels", "threads", "total", "mentions"]),
        ]
    }
}
