import Foundation

/// Who may see which event of their workspace (activity feed, live socket).
public enum EventVisibility {
    /// Who is looking: their role in the workspace and, for a guest, the projects they were added to.
    public struct Viewer<ID: Hashable & Sendable>: Sendable {
        public let id: ID
        public var role: Role
        public var guestProjects: Set<ID>
        /// The rooms (channels) they are in: what `.room` events they see.
        public var rooms: Set<ID>

        public init(id: ID, role: Role, guestProjects: Set<ID> = [], rooms: Set<ID> = []) {
            self.id = id
            self.role = role
            self.guestProjects = guestProjects
            self.rooms = rooms
        }
    }

    /// The rows of a bulk operation carry its id and are not announced one by one: the operation's
    /// summary event is, so open boards refresh once, not 50,000 times.
    public static let bulkKey = "import_id"

    /// The data key naming a `.room` event's room, and the keys of the events that put someone
    /// into or take them out of one (the live socket follows these as they happen).
    public static let roomKey = "room_id"
    public static let joinsRoomKey = "joins_room"
    public static let leavesRoomKey = "leaves_room"

    public static func isAnnounced(data: [String: String], isSummary: Bool) -> Bool {
        data[bulkKey] == nil || isSummary
    }

    /// The one rule for the live socket and the catch-up feed alike. An event outside any
    /// workspace (a sign-in, a token) is its actor's alone; admins see all of their workspace's;
    /// everyone sees what involves them; beyond that the kind's audience decides (an unknown kind:
    /// no one).
    public static func canSee<ID: Hashable & Sendable>(
        audience: EventAudience?, inWorkspace: Bool, actor: ID?, subject: ID?, project: ID?, room: ID? = nil, viewer: Viewer<ID>
    ) -> Bool {
        guard inWorkspace else { return actor == viewer.id }
        if audience == .personal { return actor == viewer.id || subject == viewer.id }
        if audience == .room { return actor == viewer.id || subject == viewer.id || room.map(viewer.rooms.contains) == true }
        if viewer.role.canAdminister { return true }
        if actor == viewer.id || subject == viewer.id { return true }
        switch audience {
        case .team: return viewer.role != .guest
        case .project: return viewer.role != .guest || project.map(viewer.guestProjects.contains) == true
        case .involved, .personal, .room, nil: return false
        }
    }
}
