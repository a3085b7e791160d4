import Foundation
import NIOConcurrencyHelpers
import SQLKit
import Vapor

/// Typing and presence between `baton serve` processes on one PostgreSQL. Each process tells the
/// others (NOTIFY `baton_signals`) of the typing its sockets pass on and of each person's presence
/// as its own sockets see it; a person's presence is then the liveliest of what every process
/// says (RemotePresence).
///
/// Nothing here is state that matters after a restart, so none of it touches the event log.
struct RelayedSignal: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        case typing, presence
        /// A chunk of the sender's whole picture of presence; doubles as "I am alive".
        case states
        /// A node just started: the others answer with their pictures.
        case who
        /// A node is shutting down: forget it now rather than when it falls silent.
        case bye
    }

    let node: String
    let type: Kind
    var workspaceId: UUID? = nil
    var roomId: UUID? = nil
    var userId: UUID? = nil
    var status: String? = nil
    /// For `states`: [workspace id, user id, status] for people the node holds, the picture's
    /// number and whether this chunk is its last.
    var states: [[String]]? = nil
    var generation: Int? = nil
    var last: Bool? = nil
}

/// Encodes and decodes the relayed signals; `send` queues a payload for the one sender.
final class LiveRelay: Sendable {
    static let channel = "baton_signals"
    static let snapshotEvery: Duration = .seconds(20)
    static let forgetAfter: TimeInterval = 65
    /// NOTIFY payloads stop at 8,000 bytes; a picture is split well under that.
    static let statesPerPayload = 60

    let nodeID: String
    private let send: @Sendable (String) -> Void
    private let generations = NIOLockedValueBox(0)

    init(nodeID: String, send: @escaping @Sendable (String) -> Void) {
        self.nodeID = nodeID
        self.send = send
    }

    func publish(_ signal: RelayedSignal) {
        if let payload = encode(signal) { send(payload) }
    }

    func encode(_ signal: RelayedSignal) -> String? {
        (try? JSONEncoder.baton.encode(signal)).map { String(decoding: $0, as: UTF8.self) }
    }

    func decode(_ payload: String) -> RelayedSignal? {
        guard payload.utf8.count <= 8_000, let signal = try? JSONDecoder.baton.decode(RelayedSignal.self, from: Data(payload.utf8)),
              signal.node != nodeID else { return nil }
        return signal
    }

    func nextGeneration() -> Int { generations.withLockedValue { $0 += 1; return $0 } }

    /// Sends a payload to every process listening (this one ignores its own).
    static func notify(_ payload: String, on sql: any SQLDatabase) async throws {
        try await sql.raw("SELECT pg_notify(\(bind: channel), \(bind: payload))").run()
    }
}

extension LiveHub {
    /// Starts relaying: asks the other processes for their pictures and sends this one's
    /// (again after a dropped connection, so what others missed meanwhile they hear now).
    func connect(_ relay: LiveRelay) {
        self.relay.withLockedValue { $0 = relay }
        relay.publish(RelayedSignal(node: relay.nodeID, type: .who))
        publishPicture(relay)
    }

    /// Everyone this process's sockets hold, in chunks (one, empty, when nobody); queued under the
    /// sockets' lock so no change can slip between the chunks.
    private func publishPicture(_ relay: LiveRelay) {
        let generation = relay.nextGeneration()
        subscribers.withLockedValue { subs in
            let mine = Self.held(subs).map { [$0.key.workspace.uuidString, $0.key.user.uuidString, $0.value.rawValue] }
            var start = 0
            repeat {
                let end = min(mine.count, start + LiveRelay.statesPerPayload)
                relay.publish(RelayedSignal(node: relay.nodeID, type: .states, states: Array(mine[start..<end]),
                                            generation: generation, last: end == mine.count))
                start = end
            } while start < mine.count
        }
    }

    /// A payload another process sent on the signals channel.
    func receiveRelayed(_ payload: String, now: Date) {
        guard let relay = relay.withLockedValue({ $0 }), let signal = relay.decode(payload) else { return }
        switch signal.type {
        case .typing:
            guard let workspace = signal.workspaceId, let room = signal.roomId, let user = signal.userId else { return }
            tellTyping(user, in: room, workspace: workspace)
        case .presence:
            guard let workspace = signal.workspaceId, let user = signal.userId, let status = signal.status.flatMap(Presence.init) else { return }
            let key = RemotePresence.Key(workspace: workspace, user: user)
            let local = subscribers.withLockedValue { Self.presence(of: user, in: workspace, $0) }
            let changed = remote.withLockedValue { remote -> Bool in
                let before = Presence.liveliest([local, remote.status(of: key)])
                remote.set(key, status, from: signal.node, at: now)
                return Presence.liveliest([local, remote.status(of: key)]) != before
            }
            if changed { tellPresence(user, in: workspace, local: local) }
        case .states:
            guard let generation = signal.generation else { return }
            let entries = (signal.states ?? []).compactMap { entry -> (RemotePresence.Key, Presence)? in
                guard entry.count == 3, let workspace = UUID(uuidString: entry[0]), let user = UUID(uuidString: entry[1]),
                      let status = Presence(rawValue: entry[2]) else { return nil }
                return (RemotePresence.Key(workspace: workspace, user: user), status)
            }
            let changed = remote.withLockedValue { $0.picture(entries, generation: generation, last: signal.last ?? true, from: signal.node, at: now) }
            for key in changed { tellPresence(key.user, in: key.workspace) }
        case .who:
            publishPicture(relay)
        case .bye:
            for key in remote.withLockedValue({ $0.forget(node: signal.node) }) { tellPresence(key.user, in: key.workspace) }
        }
    }

    /// Sends this process's picture (which says it is alive) and forgets the processes that stopped sending theirs.
    func keepRelayAlive(now: Date) {
        guard let relay = relay.withLockedValue({ $0 }) else { return }
        publishPicture(relay)
        let gone = remote.withLockedValue { $0.forget(silentSince: now.addingTimeInterval(-LiveRelay.forgetAfter)) }
        for key in gone { tellPresence(key.user, in: key.workspace) }
    }

    /// What this process says as it shuts down, for the caller to send itself (the sender is stopping).
    func goodbye() -> String? {
        relay.withLockedValue { $0 }.flatMap { $0.encode(RelayedSignal(node: $0.nodeID, type: .bye)) }
    }
}
