import Vapor

/// The one error type every route throws. Rendered as `{"error": {"code", "message", "field"}}`.
public struct BatonError: Error, Sendable {
    public var status: HTTPResponseStatus
    public var code: String
    public var message: String
    public var field: String?
    public var headers: HTTPHeaders = [:]

    public init(_ status: HTTPResponseStatus, code: String, message: String, field: String? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
    }

    public static func validation(_ field: String, _ message: String) -> BatonError {
        .init(.unprocessableEntity, code: "validation_failed", message: message, field: field)
    }

    public static func notFound(_ what: String = "Resource") -> BatonError {
        .init(.notFound, code: "not_found", message: "\(what) not found.")
    }

    public static let unauthorized = BatonError(.unauthorized, code: "unauthorized", message: "Sign in or send a valid bearer token.")

    public static func forbidden(_ message: String) -> BatonError {
        .init(.forbidden, code: "forbidden", message: message)
    }

    public static func conflict(_ field: String?, _ message: String) -> BatonError {
        .init(.conflict, code: "conflict", message: message, field: field)
    }

    public static func badRequest(_ message: String, field: String? = nil) -> BatonError {
        .init(.badRequest, code: "bad_request", message: message, field: field)
    }

    public static func tooManyRequests(retryAfter seconds: Int) -> BatonError {
        var error = BatonError(.tooManyRequests, code: "rate_limited",
                               message: "Too many failed attempts. Try again in \(seconds) seconds.")
        error.headers.replaceOrAdd(name: .retryAfter, value: String(seconds))
        return error
    }
}

/// Turns a `DisplayText`-style `Result` into a validation error on `field`.
extension Result where Failure == BatonCore.DisplayText.TextProblem {
    func orFail(field: String) throws -> Success {
        switch self {
        case .success(let value): return value
        case .failure(let problem): throw BatonError.validation(field, problem.message)
        }
    }
}

import BatonCore
