import Foundation

/// A kind of inbox entry ("assigned", "mentioned"), declared by the module that raises it, with
/// the words people choose it by on the preferences page and how it is delivered until they do.
public struct NoticeKind: Hashable, Sendable {
    public let rawValue: String
    public let label: String
    public let defaultDelivery: NoticeDelivery

    public init(_ rawValue: String, label: String, defaultDelivery: NoticeDelivery = .inApp) {
        self.rawValue = rawValue
        self.label = label
        self.defaultDelivery = defaultDelivery
    }
}

/// Where a kind of notice goes for one person.
public enum NoticeDelivery: String, CaseIterable, Sendable, Codable {
    case inApp = "in_app", email, both, none

    public var reachesInbox: Bool { self == .inApp || self == .both }
    public var sendsEmail: Bool { self == .email || self == .both }

    public var label: String {
        switch self {
        case .inApp: "In Baton"
        case .email: "Email"
        case .both: "Both"
        case .none: "Off"
        }
    }
}

/// One person to tell about one event, and why.
public struct Notice: Sendable, Equatable {
    public let eventID: Int
    public let workspaceID: UUID
    public let recipient: UUID
    public let actor: UUID?
    public let kind: String
    public let subjectType: String
    public let subjectID: UUID?
    /// What the subject is called when the notice is made ("Draft the Q3 budget").
    public let subjectTitle: String
    public let at: Date

    public init(eventID: Int, workspaceID: UUID, recipient: UUID, actor: UUID?, kind: String, subjectType: String,
                subjectID: UUID?, subjectTitle: String, at: Date) {
        self.eventID = eventID
        self.workspaceID = workspaceID
        self.recipient = recipient
        self.actor = actor
        self.kind = kind
        self.subjectType = subjectType
        self.subjectID = subjectID
        self.subjectTitle = subjectTitle
        self.at = at
    }
}

/// The rules every module's notices pass before anyone hears of them.
public enum NoticeFilter {
    /// Nobody hears of their own changes, and each person hears of an event once: when several
    /// reasons name them (mentioned in a comment on a task they own), the first one given wins,
    /// so a module lists the most specific reason first.
    public static func apply(_ notices: [Notice]) -> [Notice] {
        var seen = Set<String>()
        return notices.filter { notice in
            guard notice.actor != notice.recipient else { return false }
            return seen.insert("\(notice.eventID):\(notice.recipient)").inserted
        }
    }
}
