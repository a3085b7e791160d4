import Foundation
import NIOConcurrencyHelpers
import Testing
import BatonCore
@testable import BatonServer

/// What one process makes of the typing and presence the others relay (the PostgreSQL transport
/// itself is exercised with two real servers in tests/e2e/test_scheduled_delivery.py).
@Suite("Live relay: presence across server processes")
struct LiveRelayTests {
    let workspace = UUID()
    let ana = UUID()
    let ben = UUID()

    func relayed(_ signal: RelayedSignal) -> String {
        String(decoding: try! JSONEncoder.baton.encode(signal), as: UTF8.self)
    }

    func signals(_ sent: NIOLockedValueBox<[String]>) -> [RelayedSignal] {
        sent.withLockedValue { $0 }.compactMap { try? JSONDecoder.baton.decode(RelayedSignal.self, from: Data($0.utf8)) }
    }

    @Test("the liveliest word wins; a picture replaces what a node said, chunk by chunk, never an older one; silence and goodbye forget")
    func remotePresence() {
        var remote = RemotePresence()
        let anaKey = RemotePresence.Key(workspace: workspace, user: ana)
        let benKey = RemotePresence.Key(workspace: workspace, user: ben)
        let start = Date(timeIntervalSince1970: 1_000)
        remote.set(anaKey, .away, from: "n1", at: start)
        #expect(remote.status(of: anaKey) == .away)
        remote.set(anaKey, .online, from: "n2", at: start)
        #expect(remote.status(of: anaKey) == .online, "online on any node is online")
        remote.set(anaKey, .offline, from: "n2", at: start)
        #expect(remote.status(of: anaKey) == .away)

        // n1's picture in two chunks: nothing changes until the last; then Ana (missing from it) is gone
        #expect(remote.picture([(benKey, .online)], generation: 1, last: false, from: "n1", at: start).isEmpty)
        #expect(remote.status(of: anaKey) == .away && remote.status(of: benKey) == .offline)
        remote.set(anaKey, .online, from: "n1", at: start)  // a change after the picture was taken
        #expect(Set(remote.picture([], generation: 1, last: true, from: "n1", at: start)) == [benKey])
        #expect(remote.status(of: benKey) == .online && remote.status(of: anaKey) == .online, "the later change survives the picture")
        #expect(remote.picture([], generation: 0, last: true, from: "n1", at: start).isEmpty, "an older picture is ignored")
        #expect(Set(remote.picture([(benKey, .away)], generation: 2, last: true, from: "n1", at: start.addingTimeInterval(30))) == [anaKey, benKey])
        #expect(remote.everyone(in: workspace) == [benKey: .away])

        #expect(remote.forget(silentSince: start.addingTimeInterval(10)).isEmpty, "n1 spoke since; n2 holds nobody")
        #expect(remote.forget(silentSince: start.addingTimeInterval(40)) == [benKey])
        #expect(remote.status(of: benKey) == .offline)
        remote.set(anaKey, .online, from: "n3", at: start)
        #expect(remote.forget(node: "n3") == [anaKey] && remote.status(of: anaKey) == .offline)
        #expect(LiveHub.Presence.liveliest([]) == .offline)
    }

    @Test("a hub asks and tells when it connects, takes others' word, ignores its own echo and what does not parse, and forgets on goodbye and silence")
    func hubTakesOthersWord() throws {
        let hub = LiveHub(events: EventCatalog([]))
        let sent = NIOLockedValueBox<[String]>([])
        let relay = LiveRelay(nodeID: "mine", send: { payload in sent.withLockedValue { $0.append(payload) } })
        hub.connect(relay)
        let opening = signals(sent)
        #expect(opening.map(\.type) == [.who, .states] && opening.allSatisfy { $0.node == "mine" })
        #expect(opening[1].states == [] && opening[1].last == true, "nobody here: one empty, last chunk")

        let now = Date()
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .states, states: [[workspace.uuidString, ana.uuidString, "online"], ["junk"]],
                                                 generation: 1, last: true)), now: now)
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .presence, workspaceId: workspace, userId: ben, status: "away")), now: now)
        #expect(hub.presence(in: workspace) == [ana: "online", ben: "away"])
        #expect(hub.presence(in: UUID()).isEmpty)
        // one's own echo and oversized or broken payloads change nothing
        hub.receiveRelayed(relayed(RelayedSignal(node: "mine", type: .bye)), now: now)
        hub.receiveRelayed("{not json", now: now)
        hub.receiveRelayed(String(repeating: " ", count: 9_000) + relayed(RelayedSignal(node: "other", type: .bye)), now: now)
        #expect(hub.presence(in: workspace) == [ana: "online", ben: "away"])
        // a later picture without Ana: she is gone (a lost "offline" mends itself)
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .states, states: [[workspace.uuidString, ben.uuidString, "away"]],
                                                 generation: 2, last: true)), now: now)
        #expect(hub.presence(in: workspace) == [ben: "away"])
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .bye)), now: now)
        #expect(hub.presence(in: workspace).isEmpty, "goodbye forgets at once")

        // "who" is answered with this hub's picture; a node silent too long is forgotten
        let before = sent.withLockedValue { $0.count }
        hub.receiveRelayed(relayed(RelayedSignal(node: "third", type: .who)), now: now)
        #expect(signals(sent).dropFirst(before).map(\.type) == [.states])
        hub.receiveRelayed(relayed(RelayedSignal(node: "third", type: .presence, workspaceId: workspace, userId: ana, status: "online")), now: now)
        hub.keepRelayAlive(now: now.addingTimeInterval(LiveRelay.forgetAfter - 1))
        #expect(hub.presence(in: workspace) == [ana: "online"])
        hub.keepRelayAlive(now: now.addingTimeInterval(LiveRelay.forgetAfter + 1))
        #expect(hub.presence(in: workspace).isEmpty)
        #expect(signals(sent).last?.type == .states, "keeping alive is sending one's picture")
        #expect(hub.goodbye().flatMap { try? JSONDecoder.baton.decode(RelayedSignal.self, from: Data($0.utf8)) }?.type == .bye)
    }
}
