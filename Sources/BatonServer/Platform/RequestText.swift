import BatonCore
import Foundation
import Vapor

/// Refuses a request whose text holds a control character other than tab and line breaks, in its
/// path, query, JSON body or form body. NUL ends C strings and PostgreSQL's text type refuses it;
/// the others break headers, CSV cells and terminals. Checked here, once, so that no handler can
/// forget; what a value must be beyond that (one line, a length) is its service's DisplayText rule.
struct RequestTextMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        // A file upload's body is the file, checked by what parses it; collecting it here, before
        // authentication, would let anyone make the server hold megabytes.
        if request.route?.userInfo[Route.uploadLimitKey] == nil { try await request.collectBody() }
        if let problem = RequestText.problem(in: request) {
            throw BatonError(.unprocessableEntity, code: "validation_failed", message: problem.message, field: problem.field)
        }
        return try await next.respond(to: request)
    }
}

enum RequestText {
    struct Problem: Equatable {
        let field: String?
        let message: String
    }

    static func problem(in request: Request) -> Problem? {
        if let bad = problem(in: request.url.path.removingPercentEncoding ?? request.url.path) {
            return Problem(field: nil, message: "The address \(bad).")
        }
        if let query = request.url.query, let problem = problem(inForm: query) { return problem }
        guard let body = request.body.data, body.readableBytes > 0 else { return nil }
        if request.headers.contentType == .urlEncodedForm {
            return problem(inForm: String(decoding: body.readableBytesView, as: UTF8.self))
        }
        // The API reads every body as JSON whatever its Content-Type (see RequestShapeMiddleware).
        guard request.url.path.hasPrefix("/api/"), request.headers.contentType != .formData,
              let value = try? JSONSerialization.jsonObject(with: Data(buffer: body), options: [.fragmentsAllowed]) else { return nil }
        return problem(inJSON: value, path: "")
    }

    /// `a=1&b=2`, percent-decoded (a `+` is a space, which is never the problem).
    static func problem(inForm text: String) -> Problem? {
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in String(part).removingPercentEncoding ?? String(part) }
            let key = decode(parts[0])
            for part in [key] + (parts.count > 1 ? [decode(parts[1])] : []) {
                if let bad = problem(in: part) { return Problem(field: key, message: "“\(key)” \(bad).") }
            }
        }
        return nil
    }

    static func problem(inJSON value: Any, path: String) -> Problem? {
        func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
        switch value {
        case let text as String:
            return problem(in: text).map { Problem(field: path.isEmpty ? nil : path, message: "\(path.isEmpty ? "The body" : "“\(path)”") \($0).") }
        case let object as [String: Any]:
            for key in object.keys.sorted() {
                if let bad = problem(in: key) { return Problem(field: name(key), message: "The key “\(name(key))” \(bad).") }
                if let found = problem(inJSON: object[key]!, path: name(key)) { return found }
            }
        case let array as [Any]:
            for (index, item) in array.enumerated() {
                if let found = problem(inJSON: item, path: name(String(index))) { return found }
            }
        default:
            break
        }
        return nil
    }

    private static func problem(in text: String) -> String? {
        DisplayText.problem(in: text, lines: true)
    }
}
