import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// Sends committed events to the WebSockets of the people who may see them, in commit order.
public final class LiveHub: Sendable {
    struct Subscriber: Sendable {
        let socket: WebSocket
        let workspaceID: UUID
        /// Who is looking; kept current as their role and (for guests) projects change.
        var viewer: EventVisibility.Viewer<UUID>
        var userID: UUID { viewer.id }
        /// The session or token the socket was opened with: when it ends, so does the socket.
        let tokenID: UUID
        let tokenKind: AuthToken.Kind
        /// The client said its page is hidden or idle.
        var away = false
        var lastTyping: Date?
        var lastPresence: Date?
        var state: Presence { away ? .away : .online }
    }

    let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    /// On PostgreSQL, how typing and presence reach the other processes, and what they say.
    let relay = NIOLockedValueBox<LiveRelay?>(nil)
    let remote = NIOLockedValueBox(RemotePresence())
    private let queue: AsyncStream<[LoggedEvent]>.Continuation
    private let stream: AsyncStream<[LoggedEvent]>
    private let encoder: JSONEncoder
    /// The installed modules' event kinds: who may see each.
    let events: EventCatalog

    init(events: EventCatalog) {
        self.events = events
        (stream, queue) = AsyncStream.makeStream(of: [LoggedEvent].self)
        encoder = JSONEncoder.baton
    }

    var socketCount: Int { subscribers.withLockedValue { $0.count } }

    func publish(_ events: [LoggedEvent]) {
        queue.yield(events)
    }

    /// Runs until `stop()`; started by the server at boot.
    func run() async {
        for await batch in stream {
            for event in batch { deliver(event) }
        }
    }

    func stop() {
        queue.finish()
        let sockets = subscribers.withLockedValue { subs in
            defer { subs.removeAll() }
            return subs.values.map(\.socket)
        }
        for socket in sockets { socket.close(promise: nil) }
    }

    /// More tabs than anyone works in: beyond this a person's new socket is refused.
    static let socketsPerPerson = 20

    /// Nil when the person has `socketsPerPerson` open already.
    func add(_ socket: WebSocket, principal: Principal, workspaceID: UUID, viewer: EventVisibility.Viewer<UUID>) -> UUID? {
        let id = UUID()
        let subscriber = Subscriber(socket: socket, workspaceID: workspaceID, viewer: viewer,
                                    tokenID: principal.tokenID, tokenKind: principal.tokenKind)
        let added: (first: Bool, ok: Bool) = subscribers.withLockedValue { subs in
            guard subs.values.filter({ $0.userID == principal.userID }).count < Self.socketsPerPerson else { return (false, false) }
            defer { subs[id] = subscriber }
            return (Self.presence(of: principal.userID, in: workspaceID, subs) == .offline, true)
        }
        guard added.ok else { return nil }
        if added.first { announcePresence(principal.userID, in: workspaceID) }
        return id
    }

    /// The credential a socket was opened with no longer works after this event: sign-out and
    /// token revocation end that token; a password change ends the person's other browser
    /// sessions, a reset all of them; deactivation ends their access to the workspace.
    static func ends(_ sub: Subscriber, _ event: LoggedEvent) -> Bool {
        switch event.kind {
        case IdentityEvent.signedOut.rawValue, IdentityEvent.tokenRevoked.rawValue:
            return event.subjectType == "token" && event.subjectId == sub.tokenID
        case IdentityEvent.passwordChanged.rawValue:
            return event.subjectId == sub.userID && sub.tokenKind == .session
                && event.data["kept_token_id"] != sub.tokenID.uuidString
        case IdentityEvent.passwordReset.rawValue:
            return event.subjectId == sub.userID && sub.tokenKind == .session
        case IdentityEvent.passwordResetByLink.rawValue:
            return event.subjectId == sub.userID
        case IdentityEvent.memberDeactivated.rawValue:
            return event.subjectId == sub.userID && event.workspaceId == sub.workspaceID
        default:
            return false
        }
    }

    func remove(_ id: UUID) {
        let gone = subscribers.withLockedValue { subs -> Subscriber? in
            guard let sub = subs.removeValue(forKey: id) else { return nil }
            return Self.presence(of: sub.userID, in: sub.workspaceID, subs) == .offline ? sub : nil
        }
        if let gone { announcePresence(gone.userID, in: gone.workspaceID) }
    }

    /// Role changes, a guest's project memberships and joining or leaving a room take effect on open sockets at once.
    /// Returns whether the viewer changed.
    static func follow(_ event: LoggedEvent, _ viewer: inout EventVisibility.Viewer<UUID>) -> Bool {
        if let room = event.data[EventVisibility.roomKey].flatMap(UUID.init(uuidString:)) {
            let me = viewer.id.uuidString
            if event.data[EventVisibility.joinsRoomKey] == me { return viewer.rooms.insert(room).inserted }
            if event.data[EventVisibility.leavesRoomKey] == me { return viewer.rooms.remove(room) != nil }
        }
        switch event.kind {
        case IdentityEvent.memberRoleChanged.rawValue where event.subjectId == viewer.id:
            guard let role = event.data["to"].flatMap(Role.init) else { return false }
            viewer.role = role
            return true
        case WorkEvent.projectMemberAdded.rawValue where event.data["user_id"] == viewer.id.uuidString:
            guard let project = event.projectId else { return false }
            return viewer.guestProjects.insert(project).inserted
        case WorkEvent.projectMemberRemoved.rawValue where event.data["user_id"] == viewer.id.uuidString:
            guard let project = event.projectId else { return false }
            return viewer.guestProjects.remove(project) != nil
        default:
            return false
        }
    }

    private func deliver(_ event: LoggedEvent) {
        var closing: [Subscriber] = []
        let targets: [WebSocket] = subscribers.withLockedValue { subs in
            var targets: [WebSocket] = []
            for (id, var sub) in subs {
                if Self.ends(sub, event) {
                    closing.append(sub)
                    subs.removeValue(forKey: id)
                    continue
                }
                if let workspace = event.workspaceId, workspace != sub.workspaceID { continue }
                if event.workspaceId != nil, Self.follow(event, &sub.viewer) { subs[id] = sub }
                if event.isVisible(to: sub.viewer, in: events) { targets.append(sub.socket) }
            }
            return targets
        }
        if !targets.isEmpty {
            struct Envelope: Encodable { let type = "event"; let event: LoggedEvent }
            if let data = try? encoder.encode(Envelope(event: event)) {
                let text = String(decoding: data, as: UTF8.self)
                for socket in targets { socket.send(text, promise: nil) }
            }
        }
        for sub in closing { sub.socket.close(code: .policyViolation, promise: nil) }
        // the socket's onClose finds it gone already, so its person's going is told here
        for person in Set(closing.map { RemotePresence.Key(workspace: $0.workspaceID, user: $0.userID) }) {
            announcePresence(person.user, in: person.workspace)
        }
    }
}
