import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// Sends committed events to the WebSockets of the people who may see them, in commit order.
public final class LiveHub: Sendable {
    struct Subscriber: Sendable {
        let socket: WebSocket
        let userID: UUID
        let workspaceID: UUID
        var role: Role
    }

    private let subscribers = NIOLockedValueBox<[UUID: Subscriber]>([:])
    private let queue: AsyncStream<[LoggedEvent]>.Continuation
    private let stream: AsyncStream<[LoggedEvent]>
    private let encoder: JSONEncoder

    init() {
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

    func add(_ socket: WebSocket, userID: UUID, workspaceID: UUID, role: Role) -> UUID {
        let id = UUID()
        subscribers.withLockedValue { $0[id] = Subscriber(socket: socket, userID: userID, workspaceID: workspaceID, role: role) }
        return id
    }

    func remove(_ id: UUID) {
        _ = subscribers.withLockedValue { $0.removeValue(forKey: id) }
    }

    private func deliver(_ event: LoggedEvent) {
        var closing: [WebSocket] = []
        let targets: [WebSocket] = subscribers.withLockedValue { subs in
            var targets: [WebSocket] = []
            for (id, var sub) in subs {
                if event.workspaceId == nil {
                    if event.actorId == sub.userID { targets.append(sub.socket) }
                    continue
                }
                guard event.workspaceId == sub.workspaceID else { continue }
                if event.subjectId == sub.userID {
                    // A deactivated member's sockets close at once; a role change takes effect at once.
                    if event.kind == EventKind.memberDeactivated.rawValue {
                        closing.append(sub.socket)
                        subs.removeValue(forKey: id)
                        continue
                    }
                    if event.kind == EventKind.memberRoleChanged.rawValue, let role = event.data["to"].flatMap(Role.init) {
                        sub.role = role
                        subs[id] = sub
                    }
                }
                if EventVisibility.canSee(kind: event.kind, actor: event.actorId, subject: event.subjectId,
                                          viewer: sub.userID, role: sub.role) {
                    targets.append(sub.socket)
                }
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
        for socket in closing { socket.close(code: .policyViolation, promise: nil) }
    }
}

extension JSONEncoder {
    /// snake_case keys and ISO-8601 dates: the API's conventions.
    static var baton: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = .sortedKeys
        return encoder
    }
}

extension JSONDecoder {
    static var baton: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
