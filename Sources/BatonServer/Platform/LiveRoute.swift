import Fluent
import Vapor
import BatonCore

/// `GET /api/v1/live[?workspace_id=]`: a WebSocket that receives the workspace's events the caller
/// may see. The first message says which workspace and the last event id, so a client that
/// reconnects can catch up with `GET .../events?after=`.
struct LiveRoute: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.grouped(RequirePrincipal()).webSocket("live", maxFrameSize: .init(integerLiteral: 1 << 16)) { req, socket in
            await Self.attach(req: req, socket: socket)
        }
    }

    /// Authentication and tenancy are checked before the upgrade, so a bad request gets a JSON error.
    struct RequirePrincipal: AsyncMiddleware {
        func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
            let principal = try request.principal()
            // A cookie-authenticated socket must come from our own pages (no cross-site hijacking).
            if request.headers.bearerAuthorization == nil, let origin = request.headers.first(name: .origin),
               !LiveRoute.isSameHost(origin: origin, host: request.headers.first(name: .host)) {
                throw BatonError.forbidden("Live updates from another site are not allowed.")
            }
            let workspaces = try await IdentityQueries.workspaces(of: principal.userID, on: request.reader)
            let requested = request.queryText("workspace_id")
            let chosen: WorkspaceDTO?
            if let requested {
                chosen = workspaces.first { $0.id.uuidString.lowercased() == requested.lowercased() }
            } else {
                chosen = workspaces.first
            }
            guard let chosen, let role = chosen.role else { throw BatonError.notFound("Workspace") }
            let access = WorkspaceAccess(workspaceID: chosen.id, workspaceName: chosen.name, userID: principal.userID, role: role)
            // Who may connect is settled first; a plain GET would then get a 101 with nothing behind it.
            guard request.headers.first(name: .upgrade)?.lowercased() == "websocket" else {
                throw BatonError.badRequest("This is a WebSocket: connect with an Upgrade: websocket request.")
            }
            request.storage[LiveTarget.self] = LiveTarget(workspaceID: chosen.id, viewer: try await request.application.modules.viewer(access, on: request.reader),
                                                          principal: principal)
            return try await next.respond(to: request)
        }
    }

    static func isSameHost(origin: String, host: String?) -> Bool {
        guard let components = URLComponents(string: origin), let name = components.host, let host else { return false }
        return host.lowercased() == (name + (components.port.map { ":\($0)" } ?? "")).lowercased()
    }

    struct LiveTarget: StorageKey {
        typealias Value = LiveTarget
        let workspaceID: UUID
        let viewer: EventVisibility.Viewer<UUID>
        let principal: Principal
    }

    static func attach(req: Request, socket: WebSocket) async {
        guard let target = req.storage[LiveTarget.self] else { try? await socket.close(); return }
        let hub = req.store.hub
        guard let id = hub.add(socket, principal: target.principal, workspaceID: target.workspaceID, viewer: target.viewer) else {
            try? await socket.close(code: .policyViolation)
            return
        }
        socket.onClose.whenComplete { _ in hub.remove(id) }
        let workspaceID: UUID? = target.workspaceID
        let last = try? await EventRecord.query(on: req.reader).filter(\.$workspaceID == workspaceID)
            .sort(\.$id, .descending).first()
        struct Hello: Encodable { let type = "hello"; let workspaceId: UUID; let lastEventId: Int }
        if let data = try? JSONEncoder.baton.encode(Hello(workspaceId: target.workspaceID, lastEventId: last?.id ?? 0)) {
            try? await socket.send(String(decoding: data, as: UTF8.self))
        }
        let clock = req.application.clock
        socket.onText { socket, text in
            if text == "ping" { try? await socket.send("pong"); return }
            hub.receive(text, from: id, now: clock.now())
        }
    }
}
