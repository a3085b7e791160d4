import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Holds every JSON answer a test receives from `/api/v1` to the OpenAPI document: the status must
/// be one the operation documents, and the body must match the schema given for that status.
/// Objects are closed unless their schema says otherwise, so a field the API sends but the
/// document does not list fails as surely as a documented field that is missing.
enum ResponseContract {
    static func check(method: HTTPMethod, path: String, status: HTTPResponseStatus, headers: HTTPHeaders, body: String,
                      contract: OpenAPIContract) {
        let parts = path.split(separator: "?").first.map { $0.split(separator: "/").map(String.init) } ?? []
        guard parts.first == "api", let operation = operation(for: method, parts: parts, in: contract) else { return }
        
        let where_ = "\(method) \(operation.path) → \(status.code)"
        guard let response = operation.responses[String(status.code)] else {
            Issue.record("\(where_): the document lists no such status")
            return
        }
        guard let schema = ((response["content"] as? [String: Any])?["application/json"] as? [String: Any])?["schema"] as? [String: Any] else {
            return
        }
        guard headers.contentType?.subType == "json", let value = try? JSONSerialization.jsonObject(with: Data(body.utf8), options: [.fragmentsAllowed]) else {
            Issue.record("\(where_): documented as JSON, got \(headers.contentType?.description ?? "no type"): \(body.prefix(200))")
            return
        }
        for problem in SchemaCheck(components: contract.components).problems(value, schema, at: "$").prefix(5) {
            Issue.record("\(where_): \(problem)")
        }
    }

    /// The operation a concrete path serves: constants must match, `{…}` takes any segment; of
    /// several, the one with the most constants wins (`stages/order` over `stages/{stage_id}`).
    private static func operation(for method: HTTPMethod, parts: [String], in contract: OpenAPIContract) -> APIOperation? {
        contract.operations.filter { $0.method.uppercased() == method.rawValue }
            .compactMap { operation -> (APIOperation, Int)? in
                let pattern = operation.path.split(separator: "/").map(String.init)
                guard pattern.count == parts.count else { return nil }
                var constants = 0
                for (want, got) in zip(pattern, parts) {
                    if want.hasPrefix("{") { continue }
                    guard want == got else { return nil }
                    constants += 1
                }
                return (operation, constants)
            }
            .max { $0.1 < $1.1 }?.0
    }
}

/// The part of JSON Schema the document uses: type (one or a list, with "null"), properties,
/// required, additionalProperties, items, enum, $ref, formats uuid and date-time, minimum/maximum.
struct SchemaCheck {
    let components: [String: Any]

    func problems(_ value: Any, _ given: [String: Any], at path: String) -> [String] {
        var schema = given
        if let ref = schema["$ref"] as? String, let name = ref.split(separator: "/").last {
            guard let target = components[String(name)] as? [String: Any] else { return ["\(path): unknown schema \(ref)"] }
            schema = target
        }
        let types: [String] = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? []
        if value is NSNull {
            return types.isEmpty || types.contains("null") ? [] : ["\(path): null, but the schema says \(types)"]
        }
        if !types.isEmpty, !types.contains(where: { Self.matches(value, type: $0) }) {
            return ["\(path): \(Self.describe(value)), but the schema says \(types)"]
        }
        if let allowed = schema["enum"] as? [Any], !allowed.contains(where: { ($0 as? NSObject)?.isEqual(value) == true }) {
            return ["\(path): \(value) is not one of \(allowed)"]
        }
        var found: [String] = []
        if let text = value as? String {
            if schema["format"] as? String == "uuid", UUID(uuidString: text) == nil { found.append("\(path): “\(text)” is not a uuid") }
            if schema["format"] as? String == "date-time", ISO8601DateFormatter().date(from: text) == nil,
               (try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text)) == nil {
                found.append("\(path): “\(text)” is not an ISO-8601 date-time")
            }
        }
        if let number = value as? NSNumber, !Self.isBool(number) {
            let number = number.doubleValue
            if let minimum = schema["minimum"] as? Double ?? (schema["minimum"] as? Int).map(Double.init), number < minimum {
                found.append("\(path): \(number) is below \(minimum)")
            }
            if let maximum = schema["maximum"] as? Double ?? (schema["maximum"] as? Int).map(Double.init), number > maximum {
                found.append("\(path): \(number) is above \(maximum)")
            }
        }
        if let object = value as? [String: Any] {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in (schema["required"] as? [String] ?? []) where object[key] == nil {
                found.append("\(path).\(key): required, but missing")
            }
            for (key, item) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    found += problems(item, property, at: "\(path).\(key)")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += problems(item, additional, at: "\(path).\(key)")
                } else if schema["properties"] != nil, schema["additionalProperties"] as? Bool != true {
                    found.append("\(path).\(key): sent, but the document does not list it")
                }
            }
        }
        if let array = value as? [Any], let items = schema["items"] as? [String: Any] {
            for (index, item) in array.enumerated() { found += problems(item, items, at: "\(path)[\(index)]") }
        }
        return found
    }

    private static func matches(_ value: Any, type: String) -> Bool {
        switch type {
        case "object": value is [String: Any]
        case "array": value is [Any]
        case "string": value is String
        case "boolean": (value as? NSNumber).map(isBool) ?? false
        case "integer": (value as? NSNumber).map { !isBool($0) && $0.doubleValue == $0.doubleValue.rounded() } ?? false
        case "number": (value as? NSNumber).map { !isBool($0) } ?? false
        case "null": value is NSNull
        default: false
        }
    }

    /// JSONSerialization hands booleans back as NSNumbers of type `c` (char).
    private static func isBool(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    private static func describe(_ value: Any) -> String {
        switch value {
        case is String: "a string"
        case is [Any]: "an array"
        case is [String: Any]: "an object"
        case let number as NSNumber: isBool(number) ? "a boolean" : "a number"
        default: "\(type(of: value))"
        }
    }
}
