import Vapor

/// Serves `Public/` (stylesheet, script) without asking the file system about every request:
/// Vapor's FileMiddleware looks each path up on a thread pool first, an extra thread hop for
/// every API call and page. Only GETs of a file name outside `/api/` can be a public file.
struct StaticFilesMiddleware: AsyncMiddleware {
    let files: FileMiddleware

    init(publicDirectory: String) {
        files = FileMiddleware(publicDirectory: publicDirectory, defaultFile: nil)
    }

    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let path = request.url.path
        guard request.method == .GET || request.method == .HEAD, !path.hasPrefix("/api/"),
              path.split(separator: "/").last?.contains(".") == true
        else { return try await next.respond(to: request) }
        return try await files.respond(to: request, chainingTo: next)
    }
}
