import Foundation

/// Building blocks for the JSON Schemas of the OpenAPI document: a type that declares schemas
/// conforms and calls them unqualified.
protocol JSONSchemaBuilding {}

enum JSONSchema: JSONSchemaBuilding {}

extension JSONSchemaBuilding {
    static func object(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        ["type": "object", "properties": properties, "required": required]
    }
    /// A request body: keys it does not list are refused (RequestShapeMiddleware).
    static func request(_ properties: [String: Any], required: [String] = []) -> [String: Any] {
        object(properties, required: required).merging(["additionalProperties": false]) { $1 }
    }
    static var string: [String: Any] { ["type": "string"] }
    static var integer: [String: Any] { ["type": "integer"] }
    static var boolean: [String: Any] { ["type": "boolean"] }
    static var uuid: [String: Any] { ["type": "string", "format": "uuid"] }
    static var date: [String: Any] { ["type": "string", "format": "date-time"] }
    static func array(_ items: [String: Any]) -> [String: Any] { ["type": "array", "items": items] }
    static func nullable(_ schema: [String: Any]) -> [String: Any] {
        var copy = schema
        copy["type"] = [schema["type"] as? String ?? "string", "null"]
        return copy
    }
    static func ref(_ name: String) -> [String: Any] { ["$ref": "#/components/schemas/\(name)"] }
    static func page(_ item: String) -> [String: Any] {
        object(["data": array(ref(item)), "next_cursor": ["type": ["string", "null"]]], required: ["data", "next_cursor"])
    }
}
