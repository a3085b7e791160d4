import Vapor
import BatonCore

/// What the `baton` executable may do to accounts; each call goes through the identity service.
public struct CLIActions: Sendable {
    let identity: IdentityService

    public struct CreatedUser: Sendable {
        public let id: UUID
        public let email: String
    }

    public func createUser(email: String, name: String, password: String, workspaceName: String,
                           role: Role) async throws -> CreatedUser {
        let user = try await identity.createUserFromCLI(email: email, name: name, password: password,
                                                        workspaceName: workspaceName, role: role)
        return CreatedUser(id: try user.requireID(), email: user.email)
    }

    public func resetPassword(email: String, password: String) async throws {
        try await identity.resetPassword(email: email, password: password)
    }

    /// The token's secret, shown once.
    public func createToken(email: String, name: String) async throws -> String {
        try await identity.createTokenFromCLI(email: email, name: name).secret
    }
}

extension Application {
    public var cli: CLIActions { CLIActions(identity: identity) }
}
