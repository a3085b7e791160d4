import Fluent
import Vapor

/// Renders every error the same way: JSON under /api, a page elsewhere. Unknown errors are 500s
/// whose detail goes to the log, never to the client.
struct BatonErrorMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        do {
            let response = try await next.respond(to: request)
            try HeaderSafety.requireSafe(response.headers)
            return response
        } catch {
            let batonError = Self.classify(error)
            if batonError.status == .internalServerError {
                request.logger.report(error: error)
            }
            if Self.wantsJSON(request) {
                return Self.jsonResponse(batonError)
            }
            if batonError.status == .unauthorized {
                let next = request.url.path + (request.url.query.map { "?\($0)" } ?? "")
                return request.redirect(to: IdentityPaths.login.url() + "?next=" + (next.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"))
            }
            return try await PageRenderer.errorPage(batonError, for: request)
        }
    }

    static func wantsJSON(_ request: Request) -> Bool {
        request.url.path.hasPrefix("/api/") || request.headers.accept.mediaTypes.first == .json
    }

    static func jsonResponse(_ error: BatonError) -> Response {
        struct Body: Encodable {
            struct Detail: Encodable {
                let code: String
                let message: String
                let field: String?

                /// `field` is always present, `null` when the error is not about one field.
                func encode(to encoder: any Encoder) throws {
                    var container = encoder.container(keyedBy: CodingKeys.self)
                    try container.encode(code, forKey: .code)
                    try container.encode(message, forKey: .message)
                    try container.encode(field, forKey: .field)
                }
                enum CodingKeys: String, CodingKey { case code, message, field }
            }
            let error: Detail
        }
        var headers = error.headers
        headers.contentType = .json
        let body = Body(error: .init(code: error.code, message: error.message, field: error.field))
        let data = (try? JSONEncoder().encode(body)) ?? Data(#"{"error":{"code":"internal","message":"Error"}}"#.utf8)
        return Response(status: error.status, headers: headers, body: .init(data: data))
    }

    static func classify(_ error: any Error) -> BatonError {
        switch error {
        case let error as BatonError:
            return error
        case let error as DecodingError:
            return decoding(error)
        case let error as any DatabaseError where error.isConstraintFailure:
            // Two requests raced past a uniqueness check; the database kept the first.
            return .conflict(nil, "This conflicts with a record that already exists.")
        case let error as DirectSQLiteError where error.isBusy:
            // Another process (the CLI) held SQLite's write lock past the busy timeout.
            return BatonError(.serviceUnavailable, code: "busy", message: "The database is busy with another program's write. Try again in a moment.")
        case let error as any AbortError:
            return BatonError(error.status, code: code(for: error.status), message: error.reason)
        default:
            return BatonError(.internalServerError, code: "internal", message: "Something went wrong on our side.")
        }
    }

    /// Broken JSON is a 400; well-formed JSON with a missing or mistyped field is a 422 naming the field.
    private static func decoding(_ error: DecodingError) -> BatonError {
        func path(_ keys: [any CodingKey]) -> String? {
            let joined = keys.map { $0.intValue.map(String.init) ?? snakeCase($0.stringValue) }.joined(separator: ".")
            return joined.isEmpty ? nil : joined
        }
        switch error {
        case .keyNotFound(let key, let context):
            let field = path(context.codingPath + [key]) ?? snakeCase(key.stringValue)
            return .validation(field, "\(field) is required.")
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            guard let field = path(context.codingPath) else {
                return .badRequest("The request body must be a JSON object.")
            }
            return .validation(field, "\(field) has the wrong type.")
        case .dataCorrupted(let context):
            guard let field = path(context.codingPath) else {
                return .badRequest("The request body is not valid JSON.")
            }
            return .validation(field, "\(field) is not valid: \(context.debugDescription)")
        @unknown default:
            return .badRequest("The request body could not be read.")
        }
    }

    /// Request keys arrive in snake_case and are decoded as camelCase; errors name them as sent.
    static func snakeCase(_ key: String) -> String {
        var result = ""
        for character in key {
            if character.isUppercase {
                result += "_" + character.lowercased()
            } else {
                result.append(character)
            }
        }
        return result
    }

    static func code(for status: HTTPResponseStatus) -> String {
        switch status {
        case .badRequest: "bad_request"
        case .unauthorized: "unauthorized"
        case .forbidden: "forbidden"
        case .notFound: "not_found"
        case .methodNotAllowed: "method_not_allowed"
        case .conflict: "conflict"
        case .payloadTooLarge: "payload_too_large"
        case .unsupportedMediaType: "unsupported_media_type"
        case .unprocessableEntity: "validation_failed"
        case .tooManyRequests: "rate_limited"
        default: status.code >= 500 ? "internal" : "error"
        }
    }
}
