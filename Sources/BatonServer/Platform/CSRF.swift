import Vapor

/// Double-submit CSRF protection for form posts: a random token in an HttpOnly SameSite cookie,
/// repeated in every form as `_csrf`. A post whose field does not match is refused.
enum CSRF {
    static let cookie = "baton_csrf"
    static let field = "_csrf"
    private struct Key: StorageKey { typealias Value = (token: String, isNew: Bool) }

    static func token(for req: Request) -> String {
        if let existing = req.storage[Key.self] { return existing.token }
        if let cookie = req.cookies[cookie]?.string, cookie.count >= 32 {
            req.storage[Key.self] = (cookie, false)
            return cookie
        }
        let fresh = Secret.generate()
        req.storage[Key.self] = (fresh, true)
        return fresh
    }

    static func attachCookie(to response: Response, for req: Request) {
        guard let entry = req.storage[Key.self], entry.isNew else { return }
        response.cookies[cookie] = BatonCookie.value(entry.token, for: req)
    }

    /// The token comes from the `X-CSRF-Token` header or the form body, never from the URL: a URL
    /// ends up in logs, history and Referer headers.
    static func verify(_ req: Request) throws {
        guard let expected = req.cookies[cookie]?.string, expected.count >= 32,
              let sent = req.headers.first(name: "X-CSRF-Token")
                ?? (req.body.data != nil ? try? req.content.get(String.self, at: field) : nil),
              Secret.constantTimeEqual(sent, expected)
        else {
            throw BatonError(.forbidden, code: "csrf_failed", message: "This form has expired. Reload the page and try again.")
        }
    }
}

/// Guards every page route: anything but a GET or HEAD must carry the CSRF token. A route that collects a body larger
/// than the default (a file upload) is declared with `RoutesBuilder.upload`; its body is
/// collected here, before the check, so the token can travel inside the form like any other.
struct CSRFMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        if request.method != .GET && request.method != .HEAD {
            try await request.collectBody()
            try CSRF.verify(request)
        }
        return try await next.respond(to: request)
    }
}
