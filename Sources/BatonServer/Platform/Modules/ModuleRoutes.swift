import Vapor

/// Where a module puts its JSON routes. Every builder sits under `/api/v1` and checks the request
/// body against the document's schema; a route is signed-in unless it is put on `open` on purpose.
struct APIRoutes {
    /// No credential needed (signing up, previewing an invitation).
    let open: any RoutesBuilder
    /// 401 without a valid session or token.
    let signedIn: any RoutesBuilder
    /// `/api/v1/workspaces/:workspaceID/…`: signed in, and 404 unless the caller is an active member.
    let workspace: any RoutesBuilder

    /// The request-shape check comes after sign-in and tenancy: an outsider hears 401 or 404,
    /// never which keys a route takes.
    init(_ api: any RoutesBuilder) {
        open = api.grouped(RequestShapeMiddleware())
        let signedInRoot = api.grouped(SignedInMiddleware())
        signedIn = signedInRoot.grouped(RequestShapeMiddleware())
        workspace = signedInRoot.grouped("workspaces", ":workspaceID").grouped(TenancyMiddleware()).grouped(RequestShapeMiddleware())
    }
}

/// Where a module puts its HTML pages. Every builder checks the CSRF token of anything but a GET,
/// so a form post cannot be registered without it.
struct PageRoutes {
    /// No session needed (signing in, an invitation).
    let open: any RoutesBuilder
    /// Sends the visitor to sign in first.
    let signedIn: any RoutesBuilder
    /// `/w/:workspaceID/…`: signed in, and 404 unless the caller is an active member.
    let workspace: any RoutesBuilder

    init(_ root: any RoutesBuilder) {
        open = root.grouped(CSRFMiddleware())
        signedIn = open.grouped(SignedInMiddleware())
        workspace = signedIn.grouped("w", ":workspaceID").grouped(TenancyMiddleware())
    }
}

/// 401 (a page: the sign-in redirect) unless the request carries a working credential.
struct SignedInMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = try request.principal()
        return try await next.respond(to: request)
    }
}

/// Resolves the caller's access to the workspace in the path before the handler runs: 404 for a
/// workspace they are not in. Handlers read it with `req.workspaceAccess()`.
struct TenancyMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        _ = try await request.workspaceAccess()
        return try await next.respond(to: request)
    }
}
