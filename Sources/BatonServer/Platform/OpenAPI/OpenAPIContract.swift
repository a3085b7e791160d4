import Foundation
import Vapor

/// The OpenAPI 3.1 document of `/api/v1`, assembled from the platform's and every installed
/// module's operations and schemas. Built once at start-up and never changed after (hence the
/// unchecked sendability of its dictionaries).
final class OpenAPIContract: @unchecked Sendable {
    let operations: [APIOperation]
    let components: [String: Any]
    let json: Data
    private let byRoute: [String: APIOperation]

    init(operations: [APIOperation], schemas: [String: Any]) {
        self.operations = operations
        components = schemas
        var byRoute: [String: APIOperation] = [:]
        var paths: [String: [String: Any]] = [:]
        for operation in operations {
            let key = Self.key(method: operation.method, parts: operation.path.split(separator: "/").map(String.init))
            precondition(byRoute[key] == nil, "operation \(key) is declared twice")
            byRoute[key] = operation
            paths[operation.path, default: [:]][operation.method] = operation.rendered
        }
        self.byRoute = byRoute
        let document: [String: Any] = [
            "openapi": "3.1.0",
            "info": ["title": "Baton API", "version": "1.0.0",
                     "description": "Self-hosted delegation workspace. JSON, snake_case, ISO-8601 UTC dates, cursor pagination."],
            "servers": [["url": "/"]],
            "security": [["bearer": [String]()]],
            "paths": paths,
            "components": ["securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]], "schemas": schemas],
        ]
        json = (try? JSONSerialization.data(withJSONObject: document, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    }

    /// The documented operation a route serves; parameters are blanked, as the router and the
    /// document spell them differently (`:taskID`, `{task_id}`).
    func operation(method: HTTPMethod, path: [PathComponent]) -> APIOperation? {
        let parts = path.map { component -> String in
            if case .constant(let text) = component { return text }
            return "{}"
        }
        return byRoute[Self.key(method: method.rawValue, parts: parts)]
    }

    /// The request body's schema of the operation a route serves.
    func requestSchema(method: HTTPMethod, path: [PathComponent]) -> [String: Any]? {
        operation(method: method, path: path)?.body.flatMap { components[$0.schema] as? [String: Any] }
    }

    private static func key(method: String, parts: [String]) -> String {
        method.uppercased() + " /" + parts.filter { !$0.isEmpty }
            .map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "{}" : $0 }.joined(separator: "/")
    }

    /// The dotted path of the first key `value` has that `schema` does not list, or nil.
    func unknownKey(in value: Any, schema: [String: Any], path: String) -> String? {
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

    /// A `$ref` replaced by the schema it names.
    func resolved(_ schema: [String: Any]) -> [String: Any] {
        guard let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last,
              let target = components[String(name)] as? [String: Any] else { return schema }
        return target
    }
}
