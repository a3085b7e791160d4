import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Live hub")
struct LiveHubTests {
    @Test("a socket receives its workspace's events right after commit, filtered by who may see them", arguments: TestDatabase.available)
    func delivery(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                // setup
                let org = try await Org.signUp(app)
                let (memberID, member) = try await org.addMember("Mia")
                let other = try await Org.signUp(app)
                let ownerSocket = try await LiveClient.connect(port: port, token: org.token)
                let memberSocket = try await LiveClient.connect(port: port, token: member.token!)
                let outsider = try await LiveClient.connect(port: port, token: other.token)
                // act
                _ = try await org.owner.post("\(org.base)/invitations", ["email": "secret@example.com"])
                _ = try await org.owner.post("\(org.base)/teams", ["name": "Platform"])
                _ = try await org.owner.patch("\(org.base)/members/\(memberID)", ["title": "Designer"])
                // check
                try await eventually { ownerSocket.eventKinds == ["member.invited", "team.created", "member.title_changed"] }
                try await eventually { memberSocket.eventKinds == ["team.created", "member.title_changed"] }
                #expect(outsider.eventKinds.isEmpty)
                #expect(app.metrics.render(liveSockets: app.store.hub.socketCount).contains("baton_live_sockets 3"))

                // a deactivated member's socket is closed at once
                _ = try await org.owner.post("\(org.base)/members/\(memberID)/deactivate")
                try await eventually { memberSocket.isClosed }
                for client in [ownerSocket, outsider] { await client.close() }
            }
        }
    }

    @Test("with PostgreSQL, events written by another server process reach this one's sockets")
    func crossProcess() async throws {
        guard TestDatabase.available.contains(.postgres) else { return }
        let scratch = try await ScratchDatabase.make(.postgres)
        // two complete servers on one database, each with its own hub and listener
        let writer = try await startApp(on: scratch, clock: nil, backgroundWork: true)
        let reader = try await startApp(on: scratch, clock: nil, backgroundWork: true)
        try await withRunningServer(reader) { port in
            let org = try await Org.signUp(writer)
            let socket = try await LiveClient.connect(port: port, token: org.token)
            try await Task.sleep(for: .milliseconds(500)) // the listener's LISTEN is in place
            _ = try await org.owner.post("\(org.base)/teams", ["name": "Across"])
            try await eventually { socket.eventKinds == ["team.created"] }
            await socket.close()
        }
        try await writer.asyncShutdown()
        try await reader.asyncShutdown()
        await scratch.drop()
    }
}
