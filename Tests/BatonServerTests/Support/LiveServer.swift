import Foundation
import NIOConcurrencyHelpers
import Testing
import Vapor
@testable import BatonServer

/// Runs the real HTTP server on a free loopback port, for tests that need sockets.
func withRunningServer<T>(_ app: Application, _ body: (Int) async throws -> T) async throws -> T {
    app.http.server.configuration.hostname = "127.0.0.1"
    app.http.server.configuration.port = 0
    try await app.server.start(address: .hostname("127.0.0.1", port: 0))
    let port = try #require(app.http.server.shared.localAddress?.port)
    do {
        let result = try await body(port)
        await app.server.shutdown()
        return result
    } catch {
        await app.server.shutdown()
        throw error
    }
}

/// A WebSocket client that keeps every text message it receives.
final class LiveClient: Sendable {
    let messages = NIOLockedValueBox<[JSON]>([])
    private let socket = NIOLockedValueBox<WebSocket?>(nil)

    static func connect(port: Int, token: String, workspaceID: UUID? = nil) async throws -> LiveClient {
        let client = LiveClient()
        var headers = HTTPHeaders()
        headers.bearerAuthorization = BearerAuthorization(token: token)
        let query = workspaceID.map { "?workspace_id=\($0)" } ?? ""
        try await WebSocket.connect(to: "ws://127.0.0.1:\(port)/api/v1/live\(query)", headers: headers,
                                    on: MultiThreadedEventLoopGroup.singleton) { socket in
            client.socket.withLockedValue { $0 = socket }
            socket.onText { _, text in
                client.messages.withLockedValue { $0.append(JSON(data: Data(text.utf8))) }
            }
        }.get()
        let refused = { client.socket.withLockedValue { $0?.isClosed ?? false } }
        try await eventually { refused() || client.messages.withLockedValue { $0.contains { $0["type"].string == "hello" } } }
        if refused() { throw Refused() }
        return client
    }

    /// The server closed the socket before it said hello.
    struct Refused: Error {}

    var eventKinds: [String] {
        messages.withLockedValue { $0.filter { $0["type"].string == "event" }.compactMap { $0["event"]["kind"].string } }
    }

    var isClosed: Bool { socket.withLockedValue { $0?.isClosed ?? true } }

    func send(_ text: String) async throws {
        let socket = self.socket.withLockedValue { $0 }
        try await socket?.send(text)
    }

    /// The signals (typing, presence) received, as `type:user_id[:status]`.
    var signals: [String] {
        messages.withLockedValue { all in
            all.filter { ["typing", "presence"].contains($0["type"].string ?? "") }
                .map { [$0["type"].string, $0["user_id"].string, $0["status"].string].compactMap { $0 }.joined(separator: ":") }
        }
    }

    func close() async {
        let socket = self.socket.withLockedValue { $0 }
        try? await socket?.close()
    }
}
