import Vapor
enum PageRenderer {
    static func errorPage(_ error: BatonError, for req: Request) async throws -> Response {
        Response(status: error.status, body: .init(string: error.message))
    }
}
