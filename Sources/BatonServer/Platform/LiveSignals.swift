import Foundation
import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// What open clients tell each other without writing anything: someone typing in a room, and
/// presence (online, away, gone). These never reach the event log; they go to this process's
/// sockets alone (a client on another node sees presence when it reloads).
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

    /// Handles a client's text frame; false when it is not a signal.
    func receive(_ text: String, from id: UUID, now: Date) -> Bool {
        guard text.utf8.count <= 512, let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let type = object["type"] as? String else { return false }
        switch type {
        case "typing":
            guard let room = (object["room_id"] as? String).flatMap(UUID.init(uuidString:)) else { return true }
            let sender: Subscriber? = subscribers.withLockedValue { subs in
                guard var sub = subs[id], sub.viewer.rooms.contains(room) else { return nil }
                if let last = sub.lastTyping, now.timeIntervalSince(last) < 2 { return nil }
                sub.lastTyping = now
                subs[id] = sub
                return sub
            }
            guard let sender else { return true }
            send(Signal(type: "typing", roomId: room, userId: sender.userID), to: { $0.workspaceID == sender.workspaceID && $0.userID != sender.userID
                && $0.viewer.rooms.contains(room) })
        case "presence":
            guard let status = (object["status"] as? String).flatMap(Presence.init), status != .offline else { return true }
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
            return false
        }
        return true
    }

    /// Online while any of their sockets is, away when all say so, offline with none.
    static func presence(of user: UUID, in workspace: UUID, _ subs: [UUID: Subscriber]) -> Presence {
        let mine = subs.values.filter { $0.userID == user && $0.workspaceID == workspace }
        if mine.isEmpty { return .offline }
        return mine.contains { !$0.away } ? .online : .away
    }

    /// Everyone not offline in a workspace, as this process knows them (one pass over the sockets).
    func presence(in workspace: UUID) -> [UUID: String] {
        subscribers.withLockedValue { subs in
            var result: [UUID: String] = [:]
            for sub in subs.values where sub.workspaceID == workspace {
                if !sub.away { result[sub.userID] = Presence.online.rawValue } else if result[sub.userID] == nil { result[sub.userID] = Presence.away.rawValue }
            }
            return result
        }
    }

    func announcePresence(_ user: UUID, in workspace: UUID) {
        let status = subscribers.withLockedValue { Self.presence(of: user, in: workspace, $0) }
        send(Signal(type: "presence", userId: user, status: status.rawValue), to: { $0.workspaceID == workspace && $0.userID != user
            && $0.viewer.role != .guest })
    }

    private func send(_ signal: Signal, to wanted: (Subscriber) -> Bool) {
        let targets = subscribers.withLockedValue { $0.values.filter(wanted).map(\.socket) }
        guard !targets.isEmpty, let data = try? JSONEncoder.baton.encode(signal) else { return }
        let text = String(decoding: data, as: UTF8.self)
        for socket in targets { socket.send(text, promise: nil) }
    }
}
