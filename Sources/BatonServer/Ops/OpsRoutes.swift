import SQLKit
import Vapor

/// Liveness, readiness and Prometheus metrics.
struct OpsRoutes: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get("healthz") { _ in ["status": "ok"] }
        routes.get("readyz", use: ready)
        routes.get("metrics", use: metrics)
    }

    func ready(req: Request) async throws -> Response {
        do {
            try await req.store.sql.raw("SELECT 1").run()
            return try await ["status": "ready"].encodeResponse(for: req)
        } catch {
            req.logger.error("readiness check failed: \(String(describing: error))")
            throw BatonError(.serviceUnavailable, code: "database_unreachable", message: "The database is not reachable.")
        }
    }

    /// Only for this machine (a Prometheus beside it), or for whoever holds `BATON_METRICS_TOKEN`.
    /// Route names and counts tell an outsider more than they should.
    func metrics(req: Request) async throws -> Response {
        let token = req.application.batonConfig.metricsToken
        let bearer = req.headers.bearerAuthorization?.token
        let allowed = req.isLoopback || (token != nil && bearer.map { Secret.constantTimeEqual($0, token!) } == true)
        guard allowed else { throw BatonError.notFound("Page") }
        var text = req.application.metrics.render(liveSockets: req.store.hub.socketCount)
        if req.store.dialect == .sqlite {
            let counts = req.store.groupCommit.counts
            text += """
            # HELP baton_sqlite_write_transactions_total SQLite write transactions (each may carry several writes).
            # TYPE baton_sqlite_write_transactions_total counter
            baton_sqlite_write_transactions_total \(counts.transactions)
            # HELP baton_sqlite_writes_total Writes committed or refused through the SQLite writer.
            # TYPE baton_sqlite_writes_total counter
            baton_sqlite_writes_total \(counts.writes)

            """
        }
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
