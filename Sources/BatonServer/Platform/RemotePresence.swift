import Foundation

/// What the other `baton serve` processes say of presence, kept by the hub: per process, the
/// people its sockets hold. Each process sends its whole picture every `LiveRelay.snapshotEvery`
/// (in chunks, the last replacing what was held), and changes as they happen in between; so a
/// lost notification is mended by the next picture, and a process that falls silent is forgotten.
struct RemotePresence: Sendable {
    struct Key: Hashable, Sendable { let workspace: UUID; let user: UUID }

    private struct Node: Sendable {
        var seen: Date
        var states: [Key: LiveHub.Presence] = [:]
        /// The picture being received, chunk by chunk, and its number.
        var generation = -1
        var incoming: [Key: LiveHub.Presence]? = nil
    }

    private var nodes: [String: Node] = [:]

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

    /// A change as it happened on `node` (also into a picture still arriving, which it post-dates).
    mutating func set(_ key: Key, _ status: LiveHub.Presence, from node: String, at now: Date) {
        var held = nodes[node] ?? Node(seen: now)
        held.seen = now
        held.states[key] = status == .offline ? nil : status
        if held.incoming != nil { held.incoming?[key] = status == .offline ? nil : status }
        nodes[node] = held
    }

    /// One chunk of `node`'s picture numbered `generation`; with `last`, the picture replaces
    /// what was held. Returns the people whose word from that node changed.
    mutating func picture(_ entries: [(Key, LiveHub.Presence)], generation: Int, last: Bool, from node: String, at now: Date) -> [Key] {
        var held = nodes[node] ?? Node(seen: now)
        held.seen = now
        defer { nodes[node] = held }
        guard generation >= held.generation else { return [] }
        if generation > held.generation {
            held.generation = generation
            held.incoming = [:]
        }
        for (key, status) in entries where status != .offline { held.incoming?[key] = status }
        guard last, let incoming = held.incoming else { return [] }
        let changed = Set(held.states.keys).union(incoming.keys).filter { held.states[$0] != incoming[$0] }
        held.states = incoming
        held.incoming = nil
        return Array(changed)
    }

    /// Drops the nodes silent since `cutoff`; returns the people they held.
    mutating func forget(silentSince cutoff: Date) -> [Key] {
        let gone = nodes.filter { $0.value.seen < cutoff }
        for node in gone.keys { nodes.removeValue(forKey: node) }
        return gone.values.flatMap { $0.states.keys }
    }

    /// A node that said goodbye.
    mutating func forget(node: String) -> [Key] {
        nodes.removeValue(forKey: node).map { Array($0.states.keys) } ?? []
    }
}

extension LiveHub.Presence {
    /// Online if anyone says so, else away if anyone says so, else offline.
    static func liveliest(_ all: [LiveHub.Presence]) -> LiveHub.Presence {
        if all.contains(.online) { return .online }
        return all.contains(.away) ? .away : .offline
    }
}
