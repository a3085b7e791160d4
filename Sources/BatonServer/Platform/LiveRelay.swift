import Foundation
import NIOConcurrencyHelpers
import Vapor

/// Typing and presence between `baton serve` processes on one PostgreSQL. Each process tells the
/// others (NOTIFY `baton_signals`) of the typing its sockets pass on and of each person's presence
/// as its own sockets see it; a person's presence is then the liveliest of what every process
/// says. A process that stops saying it is alive is forgotten, with everyone it held.
///
/// Nothing here is state that matters after a restart, so none of it touches the event log.
struct RelayedSignal: Codable, Sendable {
    enum Kind: String, Codable, Sendable {
        case typing, presence
        /// "I am here": sent on a timer; silence for `LiveRelay.forgetAfter` forgets the node.
        case alive
        /// A node just started: the others answer with `states`.
        case who
        case states
    }

    let node: String
    let type: Kind
    var workspaceId: UUID? = nil
    var roomId: UUID? = nil
    var userId: UUID? = nil
    var status: String? = nil
    /// For `states`: [workspace id, user id, status] for everyone the node holds.
    var states: [[String]]? = nil
}

/// What the other nodes say, kept by the hub.
struct RemotePresence: Sendable {
    struct Key: Hashable, Sendable { let workspace: UUID; let user: UUID }
    private var nodes: [String: (seen: Date, states: [Key: LiveHub.Presence])] = [:]

    func status(of key: Key) -> LiveHub.Presence {
        LiveHub.Presence.liveliest(nodes.values.map { $0.states[key] ?? .offline })
    }

    func everyone(in workspace: UUID) -> [Key: LiveHub.Presence] {
        var result: [Key: LiveHub.Presence] = [:]
        for node in nodes.values {
            for (key, status) in node.states where key.workspace == workspace {
                result[key] = .liveliest([result[key] ?? .offline, status])
            }
        }
        return result
    }

    mutating func seen(_ node: String, at now: Date) {
        nodes[node, default: (now, [:])].seen = now
    }

    mutating func set(_ key: Key, _ status: LiveHub.Presence, from node: String, at now: Date) {
        seen(node, at: now)
        nodes[node]?.states[key] = status == .offline ? nil : status
    }

    /// Drops the nodes silent since `cutoff`; returns the people they held.
    mutating func forget(silentSince cutoff: Date) -> [Key] {
        let gone = nodes.filter { $0.value.seen < cutoff }
        for node in gone.keys { nodes.removeValue(forKey: node) }
        return gone.values.flatMap { $0.states.keys }
    }
}

/// Sends and receives the relayed signals; the hub calls `publish`, the listener `receive`.
final class LiveRelay: Sendable {
    static let channel = "baton_signals"
    static let aliveEvery: Duration = .seconds(20)
    static let forgetAfter: TimeInterval = 65
    /// NOTIFY payloads stop at 8,000 bytes; a `states` answer is split well under that.
    static let statesPerPayload = 60

    let nodeID: String
    private let send: @Sendable (String) -> Void

    init(nodeID: String, send: @escaping @Sendable (String) -> Void) {
        self.nodeID = nodeID
        self.send = send
    }

    func publish(_ signal: RelayedSignal) {
        guard let data = try? JSONEncoder.baton.encode(signal) else { return }
        send(String(decoding: data, as: UTF8.self))
    }

    func decode(_ payload: String) -> RelayedSignal? {
        guard payload.utf8.count <= 8_000, let signal = try? JSONDecoder.baton.decode(RelayedSignal.self, from: Data(payload.utf8)),
              signal.node != nodeID else { return nil }
        return signal
    }
}

extension LiveHub.Presence {
    /// Online if anyone says so, else away if anyone says so, else offline.
    static func liveliest(_ all: [LiveHub.Presence]) -> LiveHub.Presence {
        if all.contains(.online) { return .online }
        return all.contains(.away) ? .away : .offline
    }
}
