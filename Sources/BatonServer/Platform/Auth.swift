import Fluent
import Vapor
import BatonCore

/// Secrets handed to a person once (session cookies, API tokens, invitation links). Only their
/// SHA-256 is stored, so a database leak does not leak working credentials.
enum Secret {
    static func generate() -> String {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Compares without stopping at the first difference, so timing tells nothing about the secret.
    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    static func hash(_ secret: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(secret.utf8)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

/// Bcrypt runs on the thread pool, never on an event loop and never inside a write transaction.
struct PasswordHasher: Sendable {
    let cost: Int
    let threadPool: NIOThreadPool

    func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await threadPool.runIfActive { try Bcrypt.hash(password, cost: cost) }
    }

    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await threadPool.runIfActive { try Bcrypt.verify(password, created: hash) }
    }
}

extension Application {
    var passwords: PasswordHasher { PasswordHasher(cost: batonConfig.bcryptCost, threadPool: threadPool) }
}

/// Who is calling: the user and the credential they used.
struct Principal: Sendable {
    let userID: UUID
    let name: String
    let email: String
    let timeZone: String
    let createdAt: Date
    let tokenID: UUID
    let tokenKind: AuthToken.Kind
}

enum SessionCookie {
    static let name = "baton_session"

    static func set(_ secret: String, on response: Response, for req: Request) {
        response.cookies[name] = BatonCookie.value(secret, maxAge: Int(req.application.batonConfig.sessionLifetime), for: req)
    }

    static func clear(on response: Response, for req: Request) {
        response.cookies[name] = BatonCookie.expired(for: req)
    }
}

/// Reads a bearer token or the session cookie on every request; routes that need a caller ask for
/// `req.principal()` and get a 401 otherwise.
struct PrincipalMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let bearer = request.headers.bearerAuthorization?.token
        let secret = bearer ?? request.cookies[SessionCookie.name]?.string
        if bearer == nil, secret != nil, request.url.path.hasPrefix("/api/"), ![.GET, .HEAD].contains(request.method) {
            // A browser session writing through the API must prove it came from our own pages.
            try CSRF.verify(request)
        }
        if let secret, !secret.isEmpty {
            let reader = request.pointReader
            let tokenHash = Secret.hash(secret)
            request.storage[PrincipalKey.self] = try await request.store.principals.principal(
                tokenHash: tokenHash, now: request.application.clock.now()
            ) { try await Self.lookup(tokenHash: tokenHash, on: reader) }
        }
        return try await next.respond(to: request)
    }

    /// One query: the unrevoked token joined with its user. Expiry is the caller's to check.
    static func lookup(tokenHash: String, on db: any Database) async throws -> (Principal, expiresAt: Date?)? {
        guard let token = try await AuthToken.query(on: db)
            .join(User.self, on: \AuthToken.$user.$id == \User.$id)
            .filter(\.$tokenHash == tokenHash)
            .filter(\.$revokedAt == nil)
            .first()
        else { return nil }
        let user = try token.joined(User.self)
        let principal = Principal(userID: try user.requireID(), name: user.name, email: user.email, timeZone: user.timeZone,
                                  createdAt: user.createdAt, tokenID: try token.requireID(), tokenKind: token.kind)
        return (principal, token.expiresAt)
    }
}

private struct PrincipalKey: StorageKey { typealias Value = Principal }
private struct WorkspaceAccessKey: StorageKey { typealias Value = WorkspaceAccess }

extension Request {
    var optionalPrincipal: Principal? { storage[PrincipalKey.self] }

    func principal() throws -> Principal {
        guard let principal = storage[PrincipalKey.self] else { throw BatonError.unauthorized }
        return principal
    }

    /// The caller's access to the workspace in the path parameter `name`; 401 or 404 otherwise.
    /// Read once per request (`TenancyMiddleware` reads it before the handler).
    func workspaceAccess(_ name: String = "workspaceID") async throws -> WorkspaceAccess {
        let principal = try principal()
        guard let id = parameters.get(name, as: UUID.self) else { throw BatonError.notFound("Workspace") }
        if let known = storage[WorkspaceAccessKey.self], known.workspaceID == id, known.userID == principal.userID { return known }
        let access = try await Tenancy.access(id, for: principal.userID, on: db)
        storage[WorkspaceAccessKey.self] = access
        return access
    }

    func uuidParameter(_ name: String, label: String) throws -> UUID {
        guard let id = parameters.get(name, as: UUID.self) else { throw BatonError.notFound(label) }
        return id
    }
}
