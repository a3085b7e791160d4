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

    @Test("the liveliest word wins; a node that falls silent is forgotten with everyone it held")
    func remotePresence() {
        var remote = RemotePresence()
        let key = RemotePresence.Key(workspace: workspace, user: ana)
        let start = Date(timeIntervalSince1970: 1_000)
        remote.set(key, .away, from: "n1", at: start)
        #expect(remote.status(of: key) == .away)
        remote.set(key, .online, from: "n2", at: start)
        #expect(remote.status(of: key) == .online, "online on any node is online")
        remote.set(key, .offline, from: "n2", at: start)
        #expect(remote.status(of: key) == .away)
        remote.seen("n1", at: start.addingTimeInterval(30))
        #expect(remote.forget(silentSince: start.addingTimeInterval(10)).isEmpty, "n1 spoke since; n2 holds nobody")
        #expect(remote.forget(silentSince: start.addingTimeInterval(40)) == [key])
        #expect(remote.status(of: key) == .offline)
        #expect(LiveHub.Presence.liveliest([]) == .offline)
    }

    @Test("a hub connects with a question, takes others' states, ignores its own and what does not parse, and forgets the silent")
    func hubTakesOthersWord() throws {
        let hub = LiveHub(events: EventCatalog([]))
        let sent = NIOLockedValueBox<[String]>([])
        let relay = LiveRelay(nodeID: "mine", send: { payload in sent.withLockedValue { $0.append(payload) } })
        hub.connect(relay)
        let first = try JSONDecoder.baton.decode(RelayedSignal.self, from: Data(try #require(sent.withLockedValue { $0.first }).utf8))
        #expect(first.type == .who && first.node == "mine")

        let now = Date()
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .states,
                                                 states: [[workspace.uuidString, ana.uuidString, "online"], ["junk"]])), now: now)
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .presence, workspaceId: workspace, userId: ben, status: "away")), now: now)
        #expect(hub.presence(in: workspace) == [ana: "online", ben: "away"])
        #expect(hub.presence(in: UUID()).isEmpty)
        // one's own echo and oversized or broken payloads change nothing
        hub.receiveRelayed(relayed(RelayedSignal(node: "mine", type: .presence, workspaceId: workspace, userId: ana, status: "offline")), now: now)
        hub.receiveRelayed("{not json", now: now)
        hub.receiveRelayed(String(repeating: " ", count: 9_000) + relayed(RelayedSignal(node: "other", type: .presence, workspaceId: workspace,
                                                                                          userId: ana, status: "offline")), now: now)
        #expect(hub.presence(in: workspace) == [ana: "online", ben: "away"])
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .presence, workspaceId: workspace, userId: ana, status: "offline")), now: now)
        #expect(hub.presence(in: workspace) == [ben: "away"])

        // "who" is answered (this hub holds no sockets, so with nothing), "alive" keeps a node
        let before = sent.withLockedValue { $0.count }
        hub.receiveRelayed(relayed(RelayedSignal(node: "third", type: .who)), now: now)
        #expect(sent.withLockedValue { $0.count } == before)
        hub.receiveRelayed(relayed(RelayedSignal(node: "other", type: .alive)), now: now.addingTimeInterval(50))
        hub.keepRelayAlive(now: now.addingTimeInterval(100))
        #expect(hub.presence(in: workspace) == [ben: "away"], "heard from 50 s before: kept")
        hub.keepRelayAlive(now: now.addingTimeInterval(50 + LiveRelay.forgetAfter + 1))
        #expect(hub.presence(in: workspace).isEmpty)
        #expect(sent.withLockedValue { $0.last }?.contains("\"alive\"") == true)
    }
}
