import Vapor

/// Routes that take a larger body than the default (file uploads), and collecting a body
/// early so that a middleware can read it.
extension Route {
    static let uploadLimitKey = "baton.upload_limit"
}

extension Request {
    /// Reads the whole body now, up to what the route accepts, so that a middleware can check it.
    func collectBody() async throws {
        guard body.data == nil, method != .GET, method != .HEAD else { return }
        let limit = route?.userInfo[Route.uploadLimitKey] as? Int ?? application.routes.defaultMaxBodySize.value
        _ = try await body.collect(max: limit).get()
    }
}

extension RoutesBuilder {
    /// A POST that takes a body of up to `bytes` (a file upload): the route collects that much,
    /// and says so to the CSRF middleware, which must read the body before the route does.
    @discardableResult
    func upload<Response: AsyncResponseEncodable>(_ path: PathComponent..., upTo bytes: Int,
                                                  use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        upload(path, upTo: bytes, use: closure)
    }

    @discardableResult
    func upload<Response: AsyncResponseEncodable>(_ path: [PathComponent], upTo bytes: Int,
                                                  use closure: @escaping @Sendable (Request) async throws -> Response) -> Route {
        let route = on(.POST, path, body: .collect(maxSize: ByteCount(value: bytes)), use: closure)
        route.userInfo[Route.uploadLimitKey] = bytes
        return route
    }
}
