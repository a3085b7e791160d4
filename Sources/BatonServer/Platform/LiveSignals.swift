import Foundation
import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// What open clients tell each other without writing anything: someone typing in a room, and
/// presence (online, away, gone). These never reach the event log; on PostgreSQL they reach the
/// other `baton serve` processes' sockets through the relay (LiveRelay).
///
/// A client sends `{"type":"typing","room_id":"…"}` (one a person every 2 seconds counts) or
/// `{"type":"presence","status":"away"|"online"}`; others receive
/// `{"type":"typing","room_id","user_id"}` (people in the room) and
/// `{"type":"presence","user_id","status"}` (members of the workspace, not guests).
extension LiveHub {
    struct Signal: Encodable {
        let type: String
        var roomId: UUID? = nil
        let userId: UUID
        var status: String? = nil
    }

    enum Presence: String { case online, away, offline }

    /// Handles a client's text frame (anything but a signal is ignored).
    func receive(_ text: String, from id: UUID, now: Date) {
        guard text.utf8.count <= 512, let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let type = object["type"] as? String else { return }
        switch type {
        case "typing":
            guard let room = (object["room_id"] as? String).flatMap(UUID.init(uuidString:)) else { return }
            let sender: Subscriber? = subscribers.withLockedValue { subs in
                guard var sub = subs[id], sub.viewer.rooms.contains(room) else { return nil }
                // one a person every 2 seconds, however many sockets they open
                if Self.sockets(of: sub, subs).contains(where: { $0.lastTyping.map { now.timeIntervalSince($0) < 2 } ?? false }) { return nil }
                sub.lastTyping = now
                subs[id] = sub
                return sub
            }
            guard let sender else { return }
            tellTyping(sender.userID, in: room, workspace: sender.workspaceID)
            relay.withLockedValue { $0 }.map { $0.publish(RelayedSignal(node: $0.nodeID, type: .typing, workspaceId: sender.workspaceID,
                                                                         roomId: room, userId: sender.userID)) }
        case "presence":
            guard let status = (object["status"] as? String).flatMap(Presence.init), status != .offline else { return }
            let changed: Subscriber? = subscribers.withLockedValue { subs in
                guard var sub = subs[id] else { return nil }
                // one a second a person counts: a client flipping away and back cannot flood the workspace
                if Self.sockets(of: sub, subs).contains(where: { $0.lastPresence.map { now.timeIntervalSince($0) < 1 } ?? false }) { return nil }
                sub.lastPresence = now
                let before = Self.presence(of: sub.userID, in: sub.workspaceID, subs)
                sub.away = status == .away
                subs[id] = sub
                return Self.presence(of: sub.userID, in: sub.workspaceID, subs) == before ? nil : sub
            }
            if let changed { announcePresence(changed.userID, in: changed.workspaceID) }
        default:
            return
        }
    }

    /// The person's sockets in that workspace (the given one among them).
    static func sockets(of sub: Subscriber, _ subs: [UUID: Subscriber]) -> [Subscriber] {
        sockets(of: sub.userID, in: sub.workspaceID, subs)
    }

    static func sockets(of user: UUID, in workspace: UUID, _ subs: [UUID: Subscriber]) -> [Subscriber] {
        subs.values.filter { $0.userID == user && $0.workspaceID == workspace }
    }

    /// Online while any of their sockets is, away when all say so, offline with none.
    static func presence(of user: UUID, in workspace: UUID, _ subs: [UUID: Subscriber]) -> Presence {
        .liveliest(sockets(of: user, in: workspace, subs).map(\.state))
    }

    /// Everyone these sockets hold (in one workspace, or all), by the same rule, in one pass.
    static func held(_ subs: [UUID: Subscriber], in workspace: UUID? = nil) -> [RemotePresence.Key: Presence] {
        var held: [RemotePresence.Key: Presence] = [:]
        for sub in subs.values where workspace == nil || sub.workspaceID == workspace {
            let key = RemotePresence.Key(workspace: sub.workspaceID, user: sub.userID)
            held[key] = .liveliest([held[key] ?? .offline, sub.state])
        }
        return held
    }

    /// Everyone not offline in a workspace: this process's sockets and what the others say.
    func presence(in workspace: UUID) -> [UUID: String] {
        let local = subscribers.withLockedValue { Self.held($0, in: workspace) }
        let all = remote.withLockedValue { $0.everyone(in: workspace) }.merging(local) { Presence.liveliest([$0, $1]) }
        return Dictionary(uniqueKeysWithValues: all.map { ($0.key.user, $0.value.rawValue) })
    }

    /// Tells this process's sockets, and the other processes, of a change in what this process sees.
    func announcePresence(_ user: UUID, in workspace: UUID) {
        let relay = relay.withLockedValue { $0 }
        // queued under the sockets' lock: two changes for one person leave in the order they happened
        let local = subscribers.withLockedValue { subs in
            let local = Self.presence(of: user, in: workspace, subs)
            if let relay { relay.publish(RelayedSignal(node: relay.nodeID, type: .presence, workspaceId: workspace, userId: user, status: local.rawValue)) }
            return local
        }
        tellPresence(user, in: workspace, local: local)
    }

    /// This process's sockets hear the person's presence, everywhere considered.
    func tellPresence(_ user: UUID, in workspace: UUID, local: Presence? = nil) {
        let mine = local ?? subscribers.withLockedValue { Self.presence(of: user, in: workspace, $0) }
        let status = Presence.liveliest([mine, remote.withLockedValue { $0.status(of: .init(workspace: workspace, user: user)) }])
        send(Signal(type: "presence", userId: user, status: status.rawValue), to: { $0.workspaceID == workspace && $0.userID != user
            && $0.viewer.role != .guest })
    }

    func tellTyping(_ user: UUID, in room: UUID, workspace: UUID) {
        send(Signal(type: "typing", roomId: room, userId: user), to: { $0.workspaceID == workspace && $0.userID != user
            && $0.viewer.rooms.contains(room) })
    }

    private func send(_ signal: Signal, to wanted: (Subscriber) -> Bool) {
        let targets = subscribers.withLockedValue { $0.values.filter(wanted).map(\.socket) }
        guard !targets.isEmpty, let data = try? JSONEncoder.baton.encode(signal) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for socket in targets { socket.send(text, promise: nil) }
    }
}
