/// Every event kind the installed modules declare, looked up by its stored name.
public struct EventCatalog: Sendable {
    struct Entry: Sendable {
        let audience: EventAudience
        let summarizesBulk: Bool
        let sentence: @Sendable (EventLine) -> String
    }

    private let entries: [String: Entry]

    /// Two modules declaring the same kind is a programming error, caught when the app starts.
    public init(_ sets: [any EventKinds.Type]) {
        var entries: [String: Entry] = [:]
        for set in sets { Self.add(set, to: &entries) }
        self.entries = entries
    }

    private static func add<K: EventKinds>(_ set: K.Type, to entries: inout [String: Entry]) {
        for kind in K.allCases {
            precondition(entries[kind.rawValue] == nil, "event kind \(kind.rawValue) is declared twice")
            entries[kind.rawValue] = Entry(audience: kind.audience, summarizesBulk: kind.summarizesBulk, sentence: { kind.sentence($0) })
        }
    }

    public var kinds: [String] { entries.keys.sorted() }

    public func audience(of kind: String) -> EventAudience? { entries[kind]?.audience }

    /// Whether the live socket and the feed announce this event (a bulk operation's rows: no).
    public func isAnnounced(kind: String, data: [String: String]) -> Bool {
        EventVisibility.isAnnounced(data: data, isSummary: entries[kind]?.summarizesBulk == true)
    }

    /// One line of the activity feed, e.g. "Maya Chen changed Tom Becker’s role from member to admin".
    /// `name` turns a user id (as a string) into a display name.
    public func describe(kind: String, actor: String?, subject: String?, data: [String: String], timeZone: String? = nil,
                         name: @escaping (String) -> String) -> String {
        let who = actor.map(name) ?? "Baton"
        guard let entry = entries[kind] else { return "\(who) did \(kind)" }
        return entry.sentence(EventLine(who: who, person: subject.map(name) ?? "someone", data: data, name: name, timeZone: timeZone))
    }
}
