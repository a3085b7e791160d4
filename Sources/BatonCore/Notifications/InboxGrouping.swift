import Foundation

/// Several changes to one subject by one person in a short time are one inbox entry that lists
/// them, not one entry each: the burst rule.
public enum InboxGrouping {
    /// Changes within this long of an entry's first change join it.
    public static let window: TimeInterval = 120
    /// An entry lists at most this many changes; the next starts a new entry.
    public static let maximumLines = 20

    /// What the rule needs to know of an inbox entry that is still open to more changes.
    public struct Entry: Sendable, Equatable {
        public let id: UUID
        public let recipient: UUID
        public let actor: UUID?
        public let kind: String
        public let subjectType: String
        public let subjectID: UUID?
        public let firstAt: Date
        public var lines: Int
        public var isRead: Bool
        public var isArchived: Bool

        public init(id: UUID, recipient: UUID, actor: UUID?, kind: String, subjectType: String, subjectID: UUID?,
                    firstAt: Date, lines: Int, isRead: Bool = false, isArchived: Bool = false) {
            self.id = id
            self.recipient = recipient
            self.actor = actor
            self.kind = kind
            self.subjectType = subjectType
            self.subjectID = subjectID
            self.firstAt = firstAt
            self.lines = lines
            self.isRead = isRead
            self.isArchived = isArchived
        }
    }

    /// Whether `notice` becomes another line of `entry`. Only changes by a person (not Baton's
    /// own), to the same subject, of the same kind, for the same reader, while the entry is
    /// unread and in the inbox, within the window of its first change.
    public static func joins(_ notice: Notice, _ entry: Entry) -> Bool {
        guard let actor = notice.actor, entry.actor == actor, entry.recipient == notice.recipient,
              entry.kind == notice.kind, entry.subjectType == notice.subjectType, entry.subjectID != nil,
              entry.subjectID == notice.subjectID, !entry.isRead, !entry.isArchived, entry.lines < maximumLines else { return false }
        let elapsed = notice.at.timeIntervalSince(entry.firstAt)
        return elapsed >= 0 && elapsed <= window
    }

    /// Where each notice goes, in order: onto an open entry (given, or started earlier in this
    /// list) or into a new entry. `newID` names new entries.
    public enum Placement: Sendable, Equatable {
        case join(entry: UUID, notice: Notice)
        case start(entry: UUID, notice: Notice)
    }

    public static func place(_ notices: [Notice], open: [Entry], newID: () -> UUID = UUID.init) -> [Placement] {
        var open = open
        var placements: [Placement] = []
        for notice in notices {
            if let index = open.lastIndex(where: { joins(notice, $0) }) {
                open[index].lines += 1
                placements.append(.join(entry: open[index].id, notice: notice))
            } else {
                let id = newID()
                open.append(Entry(id: id, recipient: notice.recipient, actor: notice.actor, kind: notice.kind,
                                  subjectType: notice.subjectType, subjectID: notice.subjectID, firstAt: notice.at, lines: 1))
                placements.append(.start(entry: id, notice: notice))
            }
        }
        return placements
    }
}
