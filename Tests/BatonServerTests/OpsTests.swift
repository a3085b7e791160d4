import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Operations endpoints")
struct OpsTests {
    @Test("healthz, readyz and Prometheus metrics", arguments: TestDatabase.available)
    func endpoints(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let api = APIClient(app: app)
            #expect(try await api.get("/healthz").status == .ok)
            let ready = try await api.get("/readyz")
            #expect(ready.status == .ok)
            #expect(ready.json["status"].string == "ready")
            _ = try await api.get("/api/v1/me")
            let org = try await Org.signUp(app)
            _ = try await org.owner.get("\(org.base)/members")
            // read from this machine, as a Prometheus beside the server would
            let metrics = try await withRunningServer(app) { port in
                let response = try await app.client.get("http://127.0.0.1:\(port)/metrics")
                return Reply(status: response.status, headers: response.headers, body: response.body.map { String(buffer: $0) } ?? "")
            }
            #expect(metrics.status == .ok)
            #expect(metrics.headers.contentType?.subType == "plain")
            #expect(metrics.body.contains(#"baton_http_requests_total{method="GET",route="/api/v1/me",status="401"} 1"#))
            #expect(metrics.body.contains(#"route="/api/v1/workspaces/:workspaceID/members",status="200"} 1"#))
            #expect(metrics.body.contains("baton_http_request_duration_seconds_bucket{le=\"+Inf\"}"))
            #expect(metrics.body.contains("baton_live_sockets 0"))
        }
    }

    @Test("an unreachable database fails start-up with a clear error")
    func unreachableDatabase() async throws {
        let app = try await Application.make(.testing)
        app.logger.logLevel = .critical
        await #expect(throws: (any Error).self) {
            try await configure(app, config: BatonConfig(database: .postgres(url: "postgres://nobody@127.0.0.1:1/none")))
        }
        try await app.asyncShutdown()
    }
}
