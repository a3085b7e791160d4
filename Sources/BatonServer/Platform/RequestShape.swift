import Foundation
import Vapor

/// Refuses a JSON body with a key its operation does not know, before the handler runs: a client
/// that sends `brief.acceptance_checklist` for `brief.checklist` must hear of it, not lose its
/// checklist without a word. What an operation knows is what the OpenAPI document says its
/// request schema holds (`additionalProperties: false`), so the document cannot drift from
/// what is enforced. Objects without listed properties (custom fields by name) stay open.
struct RequestShapeMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // Whatever the Content-Type says: the JSON handlers read the body as JSON regardless.
        let contract = request.application.modules.contract
        if let route = request.route, let body = request.body.data, body.readableBytes > 0,
           let schema = contract.requestSchema(method: route.method, path: route.path),
           let value = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]),
           let unknown = contract.unknownKey(in: value, schema: schema, path: "") {
            throw BatonError.validation(unknown, "Unknown field “\(unknown)”: this request does not take it.")
        }
        return try await next.respond(to: request)
    }
}
