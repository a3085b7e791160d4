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
        if let route = request.route, let body = request.body.data, body.readableBytes > 0,
           let schema = RequestShape.schema(method: route.method, path: route.path),
           let value = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]),
           let unknown = RequestShape.unknownKey(in: value, schema: schema, path: "") {
            throw BatonError.validation(unknown, "Unknown field “\(unknown)”: this request does not take it.")
        }
        return try await next.respond(to: request)
    }
}

enum RequestShape {
    /// Read once; never changed after (hence the unchecked sendability of these dictionaries).
    nonisolated(unsafe) private static let components = APISchemas.all

    /// Request schemas by "METHOD /path/{}/…" (parameters blanked, as both the router and the document spell them).
    nonisolated(unsafe) private static let schemas: [String: [String: Any]] = {
        var byOperation: [String: [String: Any]] = [:]
        for operation in APIOperations.all {
            guard let name = operation.body?.schema, let schema = components[name] as? [String: Any] else { continue }
            byOperation["\(operation.method.uppercased()) \(blanked(operation.path.split(separator: "/").map(String.init)))"] = schema
        }
        return byOperation
    }()

    static func schema(method: HTTPMethod, path: [PathComponent]) -> [String: Any]? {
        let parts = path.map { component -> String in
            if case .constant(let text) = component { return text }
            return "{}"
        }
        return schemas["\(method.rawValue) \(blanked(parts))"]
    }

    private static func blanked(_ parts: [String]) -> String {
        "/" + parts.map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "{}" : $0 }.joined(separator: "/")
    }

    /// The dotted path of the first key `value` has that `schema` does not list, or nil.
    static func unknownKey(in value: Any, schema: [String: Any], path: String) -> String? {
        let schema = resolved(schema)
        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        if let object = value as? [String: Any], let properties = schema["properties"] as? [String: Any] {
            let closed = (schema["additionalProperties"] as? Bool) == false
            for key in object.keys.sorted() {
                guard let property = properties[key] as? [String: Any] else {
                    if closed { return name(key) }
                    continue
                }
                if let nested = unknownKey(in: object[key]!, schema: property, path: name(key)) { return nested }
            }
        } else if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() {
                if let nested = unknownKey(in: item, schema: items, path: name(String(index))) { return nested }
            }
        }
        return nil
    }

    private static func resolved(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last,
              let target = components[String(name)] as? [String: Any] else { return schema }
        return target
    }
}
