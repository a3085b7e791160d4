import Foundation
import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// What open clients tell each other without writing anything: someone typing in a room, and
/// presence (online, away, gone). These never reach the event log; on PostgreSQL they reach the
/// other `baton serve` processes' sockets through the relay (LiveRelay).
///
/// A client sends `{"type":"typing","room_id":"…"}` (at most one every 2 seconds counts) or
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
                if let last = sub.lastTyping, now.timeIntervalSince(last) < 2 { return nil }
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
                // one a second counts: a client flipping away and back cannot flood the workspace
                if let last = sub.lastPresence, now.timeIntervalSince(last) < 1 { return nil }
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

    /// Online while any of their sockets is, away when all say so, offline with none.
    static func presence(of user: UUID, in workspace: UUID, _ subs: [UUID: Subscriber]) -> Presence {
        let mine = subs.values.filter { $0.userID == user && $0.workspaceID == workspace }
        if mine.isEmpty { return .offline }
        return mine.contains { !$0.away } ? .online : .away
    }

    /// Everyone not offline in a workspace: this process's sockets and what the others say.
    func presence(in workspace: UUID) -> [UUID: String] {
        var result: [UUID: Presence] = [:]
        for (key, status) in remote.withLockedValue({ $0.everyone(in: workspace) }) { result[key.user] = status }
        subscribers.withLockedValue { subs in
            for sub in subs.values where sub.workspaceID == workspace {
                result[sub.userID] = .liveliest([result[sub.userID] ?? .offline, sub.away ? .away : .online])
            }
        }
        return result.mapValues(\.rawValue)
    }

    /// Tells this process's sockets, and the other processes, of a change in what this process sees.
    func announcePresence(_ user: UUID, in workspace: UUID) {
        let local = subscribers.withLockedValue { Self.presence(of: user, in: workspace, $0) }
        tellPresence(user, in: workspace, local: local)
        relay.withLockedValue { $0 }.map { $0.publish(RelayedSignal(node: $0.nodeID, type: .presence, workspaceId: workspace,
                                                                     userId: user, status: local.rawValue)) }
    }

    /// This process's sockets hear the person's presence, everywhere considered.
    private func tellPresence(_ user: UUID, in workspace: UUID, local: Presence? = nil) {
        let mine = local ?? subscribers.withLockedValue { Self.presence(of: user, in: workspace, $0) }
        let status = Presence.liveliest([mine, remote.withLockedValue { $0.status(of: .init(workspace: workspace, user: user)) }])
        send(Signal(type: "presence", userId: user, status: status.rawValue), to: { $0.workspaceID == workspace && $0.userID != user
            && $0.viewer.role != .guest })
    }

    private func tellTyping(_ user: UUID, in room: UUID, workspace: UUID) {
        send(Signal(type: "typing", roomId: room, userId: user), to: { $0.workspaceID == workspace && $0.userID != user
            && $0.viewer.rooms.contains(room) })
    }

    // MARK: from the other processes

    /// Starts relaying; asks the other processes who they hold.
    /// (Again after a dropped connection: what others missed meanwhile, they hear now.)
    func connect(_ relay: LiveRelay) {
        self.relay.withLockedValue { $0 = relay }
        relay.publish(RelayedSignal(node: relay.nodeID, type: .who))
        publishStates(relay)
    }

    /// Everyone this process's sockets hold, in payloads of a few dozen.
    private func publishStates(_ relay: LiveRelay) {
        let mine: [[String]] = subscribers.withLockedValue { subs in
            var seen = Set<RemotePresence.Key>()
            return subs.values.compactMap { sub in
                let key = RemotePresence.Key(workspace: sub.workspaceID, user: sub.userID)
                guard seen.insert(key).inserted else { return nil }
                return [key.workspace.uuidString, key.user.uuidString, Self.presence(of: key.user, in: key.workspace, subs).rawValue]
            }
        }
        for start in stride(from: 0, to: mine.count, by: LiveRelay.statesPerPayload) {
            relay.publish(RelayedSignal(node: relay.nodeID, type: .states,
                                        states: Array(mine[start..<min(mine.count, start + LiveRelay.statesPerPayload)])))
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
            heard([(RemotePresence.Key(workspace: workspace, user: user), status)], from: signal.node, now: now)
        case .states:
            let states = (signal.states ?? []).compactMap { entry -> (RemotePresence.Key, Presence)? in
                guard entry.count == 3, let workspace = UUID(uuidString: entry[0]), let user = UUID(uuidString: entry[1]),
                      let status = Presence(rawValue: entry[2]) else { return nil }
                return (RemotePresence.Key(workspace: workspace, user: user), status)
            }
            heard(states, from: signal.node, now: now)
        case .alive:
            remote.withLockedValue { $0.seen(signal.node, at: now) }
        case .who:
            remote.withLockedValue { $0.seen(signal.node, at: now) }
            publishStates(relay)
        }
    }

    /// Says this process is alive, and forgets the processes that stopped saying so.
    func keepRelayAlive(now: Date) {
        guard let relay = relay.withLockedValue({ $0 }) else { return }
        relay.publish(RelayedSignal(node: relay.nodeID, type: .alive))
        let gone = remote.withLockedValue { $0.forget(silentSince: now.addingTimeInterval(-LiveRelay.forgetAfter)) }
        for key in gone { tellPresence(key.user, in: key.workspace) }
    }

    private func heard(_ states: [(RemotePresence.Key, Presence)], from node: String, now: Date) {
        for (key, status) in states {
            let local = subscribers.withLockedValue { Self.presence(of: key.user, in: key.workspace, $0) }
            let changed = remote.withLockedValue { remote -> Bool in
                let before = Presence.liveliest([local, remote.status(of: key)])
                remote.set(key, status, from: node, at: now)
                return Presence.liveliest([local, remote.status(of: key)]) != before
            }
            if changed { tellPresence(key.user, in: key.workspace, local: local) }
        }
        if states.isEmpty { remote.withLockedValue { $0.seen(node, at: now) } }
    }

    private func send(_ signal: Signal, to wanted: (Subscriber) -> Bool) {
        let targets = subscribers.withLockedValue { $0.values.filter(wanted).map(\.socket) }
        guard !targets.isEmpty, let data = try? JSONEncoder.baton.encode(signal) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for socket in targets { socket.send(text, promise: nil) }
    }
}
