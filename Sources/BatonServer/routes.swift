import Vapor

func routes(_ app: Application) throws {
    // MARK: API
    let api = app.grouped("api", "v1").grouped(RequestShapeMiddleware())
    try api.register(collection: IdentityAPI())
    try api.register(collection: WorkAPI())
    try api.register(collection: LiveRoute())
    api.get("openapi.json") { req in
        Response(status: .ok, headers: ["Content-Type": "application/json"], body: .init(data: OpenAPIDocument.json))
    }

    // MARK: operations
    try app.register(collection: OpsRoutes())

    // MARK: web pages
    try app.register(collection: IdentityPages())
}
