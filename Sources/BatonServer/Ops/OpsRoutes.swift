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

    func metrics(req: Request) async throws -> Response {
        let text = req.application.metrics.render(liveSockets: req.store.hub.socketCount)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
        return Response(status: .ok, headers: headers, body: .init(string: text))
    }
}
