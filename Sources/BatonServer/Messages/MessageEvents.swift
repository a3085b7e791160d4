import Foundation
import BatonCore

/// What happens in channels. Every channel event names its channel as the room
/// (`EventVisibility.roomKey`), so it reaches the channel's members alone, admins included only
/// when they are in it; events carry ids and names, never a message's text (deleting a message
/// removes its words everywhere). What one person is told (a reminder, a scheduled message that
/// could not go) is a personal `message.told` event.
public enum MessageEvent: String, EventKinds {
    case channelCreated = "channel.created"
    case channelUpdated = "channel.updated"
    case channelArchived = "channel.archived"
    case channelUnarchived = "channel.unarchived"
    case memberAdded = "channel.member_added"
    case memberLeft = "channel.member_left"
    case pinned = "channel.pinned"
    case unpinned = "channel.unpinned"
    case webhookChanged = "channel.webhook_changed"
    case posted = "message.posted"
    case edited = "message.edited"
    case deleted = "message.deleted"
    case reacted = "message.reacted"
    case unreacted = "message.unreacted"
    /// Someone's read position moved (`seq`, or `thread_seq` in a thread): "read by" follows it.
    case read = "message.read"
    case acknowledged = "message.acknowledged"
    case scheduled = "message.scheduled"
    case scheduleChanged = "message.schedule_changed"
    case scheduleCancelled = "message.schedule_cancelled"
    /// One person told of something: `reason` acknowledgement_reminder or schedule_failed.
    case told = "message.told"

    public var audience: EventAudience {
        switch self {
        case .scheduled, .scheduleChanged, .scheduleCancelled, .told: .personal
        default: .room
        }
    }

    public func sentence(_ line: EventLine) -> String {
        let place = Self.place(line)
        switch self {
        case .channelCreated: return line.data["kind"] == "direct" ? "\(line.who) started a conversation" : "\(line.who) created \(place)"
        case .channelUpdated: return "\(line.who) changed \(place)"
        case .channelArchived: return "\(line.who) archived \(place)"
        case .channelUnarchived: return "\(line.who) brought back \(place)"
        case .memberAdded:
            return line.data["joined"] == "true" ? "\(line.who) joined \(place)" : "\(line.who) added \(line.person("user_id")) to \(place)"
        case .memberLeft:
            return line.data["removed"] == "true" ? "\(line.who) removed \(line.person("user_id")) from \(place)" : "\(line.who) left \(place)"
        case .pinned: return "\(line.who) pinned “\(line.data["title"] ?? "a link")” in \(place)"
        case .unpinned: return "\(line.who) unpinned “\(line.data["title"] ?? "a link")” in \(place)"
        case .webhookChanged: return "\(line.who) \(line.data["on"] == "true" ? "set up" : "turned off") the incoming webhook of \(place)"
        case .posted:
            if line.data["thread_root_id"] != nil { return "\(Self.author(line)) replied in a thread in \(place)" }
            return "\(Self.author(line)) wrote in \(place)"
        case .edited: return "\(line.who) edited a message in \(place)"
        case .deleted: return "\(line.who) deleted a message in \(place)"
        case .reacted: return "\(line.who) reacted \(line.data["emoji"] ?? "") in \(place)"
        case .unreacted: return "\(line.who) took back \(line.data["emoji"] ?? "a reaction") in \(place)"
        case .read: return "\(line.who) read \(place)"
        case .acknowledged: return "\(line.who) acknowledged a message in \(place)"
        case .scheduled: return "\(line.who) scheduled a message for \(line.date("send_at") ?? "later") in \(place)"
        case .scheduleChanged: return "\(line.who) rescheduled a message in \(place) for \(line.date("send_at") ?? "later")"
        case .scheduleCancelled: return "\(line.who) cancelled a scheduled message in \(place)"
        case .told:
            switch line.data["reason"] {
            case "acknowledgement_reminder": return "\(line.person("author_id")) asks you to acknowledge a message in \(place)"
            default: return "Your scheduled message in \(place) was not sent: \(line.data["why"] ?? "it could not be delivered")"
            }
        }
    }

    /// "#launch", or "a direct message".
    static func place(_ line: EventLine) -> String {
        line.data["kind"] == "direct" ? "a direct message" : placeName(line.data)
    }

    /// What an inbox entry calls the place: "#launch" or "Direct message".
    static func placeName(_ data: [String: String]) -> String {
        if data["kind"] == "direct" { return "Direct message" }
        return data["channel"].map { "#\($0)" } ?? "a channel"
    }

    private static func author(_ line: EventLine) -> String {
        switch line.data["via"] {
        case "webhook": "\(line.data["sender"] ?? "An integration") (webhook)"
        case "baton": "Baton"
        default: line.who
        }
    }
}
