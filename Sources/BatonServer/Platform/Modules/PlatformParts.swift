import Fluent
import Vapor

/// What the platform itself brings before any module: the event log and the job queue, their
/// daily purge, the live socket and the OpenAPI document.
enum PlatformMigrations {
    static let all: [any Migration] = [EventMigration(), CreateJobs(), AddEventProject(), CreateEventCursors()]
}

enum PlatformJobs {
    static var all: [JobDefinition] { [Purge.definition] }
}

enum PlatformAPI: JSONSchemaBuilding {
    static var operations: [APIOperation] { [
        .init(method: "get", path: "/api/v1/live", summary: "WebSocket of the workspace's events (upgrade)", tag: "live",
              query: [("workspace_id", "string", "Workspace to follow; default the first")], success: (101, nil)),
        .init(method: "get", path: "/api/v1/openapi.json", summary: "This document", tag: "meta", isPublic: true, success: (200, nil)),
    ] }

    static var schemas: [String: Any] {
        return [
            "Error": object(["error": object(["code": string, "message": string, "field": ["type": ["string", "null"]]],
                                             required: ["code", "message", "field"])], required: ["error"]),
        ]
    }

    static func register(_ routes: APIRoutes) throws {
        try routes.signedIn.register(collection: LiveRoute())
        routes.open.get("openapi.json") { req in
            Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: req.application.modules.contract.json))
        }
    }
}
