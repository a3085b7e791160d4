import Foundation

/// One documented `/api/v1` operation, as a module declares it.
struct APIOperation {
    let method: String
    let path: String
    let summary: String
    let tag: String
    var isPublic = false
    var body: (schema: String, required: [String])? = nil
    var query: [(name: String, type: String, description: String)] = []
    var success: (status: Int, schema: String?)
    /// Another success the operation may answer with the same schema (200 for "it exists already").
    var alsoSucceeds: (status: Int, description: String)? = nil

    var rendered: [String: Any] {
        var operation: [String: Any] = [
            "summary": summary, "tags": [tag],
            "operationId": method + path.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: ""),
        ]
        if isPublic { operation["security"] = [[String: Any]]() }
        var parameters: [[String: Any]] = path.split(separator: "/").filter { $0.hasPrefix("{") }.map {
            ["name": String($0.dropFirst().dropLast()), "in": "path", "required": true,
             "schema": ["type": "string"]]
        }
        for item in query {
            parameters.append(["name": item.name, "in": "query", "required": false, "description": item.description,
                               "schema": ["type": item.type]])
        }
        if !parameters.isEmpty { operation["parameters"] = parameters }
        if let body {
            operation["requestBody"] = ["required": true, "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(body.schema)"]]]]
        }
        operation["responses"] = responses
        return operation
    }

    /// By status: the documented success, and the errors every operation may answer.
    var responses: [String: [String: Any]] {
        var responses: [String: [String: Any]] = [:]
        if let schema = success.schema {
            responses[String(success.status)] = ["description": "Success",
                                                 "content": ["application/json": ["schema": ["$ref": "#/components/schemas/\(schema)"]]]]
        } else {
            responses[String(success.status)] = ["description": "Success"]
        }
        if let also = alsoSucceeds, let documented = responses[String(success.status)] {
            responses[String(also.status)] = documented.merging(["description": also.description]) { $1 }
        }
        let error: [String: Any] = ["content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]]]
        let errors: [(Int, String)] = [(400, "Malformed request"), (401, "Missing or invalid credentials"), (403, "Not allowed for your role"),
                                       (404, "Not found, or in a workspace you are not in"), (409, "Conflict"), (410, "Gone"),
                                       (413, "Body over 1 MiB"), (415, "The body is not JSON"),
                                       (422, "Validation failed; `field` names the field"),
                                       (429, "Too many attempts")]
        for (status, description) in errors {
            responses[String(status)] = error.merging(["description": description]) { $1 }
        }
        return responses
    }
}
