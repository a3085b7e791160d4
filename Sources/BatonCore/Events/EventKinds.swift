/// Who may see an event of a workspace, besides its admins and the people it involves (its actor
/// and its subject), who always may.
public enum EventAudience: Sendable, Equatable {
    /// No one else: invitations, profiles, tokens, sign-ins.
    case involved
    /// Every member (not guests): the shape of the team.
    case team
    /// Members, and guests of the event's project: work happens in the open.
    case project
    /// Its actor and its subject alone, not even admins: a person's inbox.
    case personal
    /// Its actor and the members of the room named in its data (`EventVisibility.roomKey`): a
    /// channel's messages. Not admins who are not in it: a private channel stays private.
    case room
}

/// What an activity line may use: the display names of the actor and the subject, the event's
/// data and a lookup from a user id (as a string) to a name.
public struct EventLine {
    public let who: String
    public let person: String
    public let data: [String: String]
    public let name: (String) -> String
    /// The reader's, for dates: "Dec 8, 17:00", never `2026-12-08T17:00:00Z`.
    public let timeZone: String?

    public init(who: String, person: String, data: [String: String], name: @escaping (String) -> String, timeZone: String? = nil) {
        self.who = who
        self.person = person
        self.data = data
        self.name = name
        self.timeZone = timeZone
    }

    /// The ISO-8601 date under `key` as the reader reads it, or nil when there is none.
    public func date(_ key: String) -> String? {
        guard let text = data[key], let date = BatonDate.parseISO(text) else { return nil }
        return BatonDate.format(date, "MMM d, HH:mm", timeZone: timeZone)
    }

    /// "Maya Chen’s", "Lars’".
    public var owner: String { person.hasSuffix("s") ? "\(person)’" : "\(person)’s" }

    /// The name of the user whose id is under `key`, or "nobody".
    public func person(_ key: String) -> String {
        guard let id = data[key], !id.isEmpty else { return "nobody" }
        return name(id)
    }
}

/// The event kinds of one module: an enum whose raw values are stored in the log ("task.created").
/// Each case must say who sees it and how it reads, so the switch makes both exhaustive.
public protocol EventKinds: CaseIterable, RawRepresentable, Hashable, Sendable where RawValue == String {
    var audience: EventAudience { get }
    func sentence(_ line: EventLine) -> String
    /// The one event that stands for a bulk operation's quiet rows (`EventVisibility.bulkKey`).
    var summarizesBulk: Bool { get }
}

extension EventKinds {
    public var summarizesBulk: Bool { false }
}
