import Foundation
import Testing
import Vapor
import VaporTesting
@testable import BatonServer

/// A parsed JSON value with forgiving accessors, for reading responses in tests.
struct JSON: Sendable, CustomStringConvertible {
    nonisolated(unsafe) let value: Any?

    init(_ value: Any?) { self.value = value }
    init(data: Data) { value = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }

    subscript(key: String) -> JSON { JSON((value as? [String: Any])?[key]) }
    subscript(index: Int) -> JSON {
        guard let array = value as? [Any], array.indices.contains(index) else { return JSON(nil) }
        return JSON(array[index])
    }
    var string: String? { value as? String }
    var int: Int? { value as? Int }
    var bool: Bool? { value as? Bool }
    var double: Double? { (value as? NSNumber)?.doubleValue }
    var array: [JSON] { (value as? [Any])?.map(JSON.init) ?? [] }
    var uuid: UUID? { string.flatMap(UUID.init(uuidString:)) }
    var isNull: Bool { value == nil || value is NSNull }
    var description: String {
        guard let value, let data = try? JSONSerialization.data(withJSONObject: value, options: [.fragmentsAllowed, .sortedKeys]) else { return "nil" }
        return String(decoding: data, as: UTF8.self)
    }
}

struct Reply: Sendable {
    let status: HTTPResponseStatus
    let headers: HTTPHeaders
    let body: String
    var json: JSON { JSON(data: Data(body.utf8)) }
    /// The error code and field of an error reply.
    var errorCode: String? { json["error"]["code"].string }
    var errorField: String? { json["error"]["field"].string }
}

/// Sends requests to the real application in memory, as a given user.
struct APIClient: Sendable {
    let app: Application
    var token: String?

    func authed(_ token: String?) -> APIClient { APIClient(app: app, token: token) }

    @discardableResult
    func send(_ method: HTTPMethod, _ path: String, _ body: [String: Any?]? = nil, raw: String? = nil,
              headers extra: HTTPHeaders = [:]) async throws -> Reply {
        var headers = extra
        if let token { headers.bearerAuthorization = BearerAuthorization(token: token) }
        var buffer: ByteBuffer?
        if let body {
            let object = body.mapValues { $0 ?? NSNull() }
            buffer = ByteBuffer(data: try JSONSerialization.data(withJSONObject: object))
            headers.contentType = .json
        } else if let raw {
            buffer = ByteBuffer(string: raw)
            if headers.contentType == nil { headers.contentType = .json }
        }
        let response = try await app.testing().sendRequest(method, path, headers: headers, body: buffer)
        let reply = Reply(status: response.status, headers: response.headers, body: response.body.string)
        ResponseContract.check(method: method, path: path, status: reply.status, headers: reply.headers, body: reply.body,
                               contract: app.modules.contract)
        return reply
    }

    func get(_ path: String) async throws -> Reply { try await send(.GET, path) }
    func post(_ path: String, _ body: [String: Any?] = [:]) async throws -> Reply { try await send(.POST, path, body) }
    func patch(_ path: String, _ body: [String: Any?]) async throws -> Reply { try await send(.PATCH, path, body) }
    func delete(_ path: String) async throws -> Reply { try await send(.DELETE, path) }
}

/// A signed-up owner with a workspace, the starting point of most tests.
struct Org: Sendable {
    let api: APIClient
    let ownerID: UUID
    let workspaceID: UUID
    let token: String
    var owner: APIClient { api.authed(token) }
    var base: String { "/api/v1/workspaces/\(workspaceID)" }

    static func signUp(_ app: Application, email: String = "owner-\(UUID().uuidString.prefix(6))@example.com",
                       workspace: String = "Acme") async throws -> Org {
        let api = APIClient(app: app)
        let reply = try await api.post("/api/v1/auth/signup", [
            "email": email, "password": "correct horse battery", "name": "Olive Owner", "workspace_name": workspace,
        ])
        try #require(reply.status == .created, "signup failed: \(reply.body)")
        return Org(api: api, ownerID: try #require(reply.json["user"]["id"].uuid),
                    workspaceID: try #require(reply.json["workspace"]["id"].uuid),
                    token: try #require(reply.json["token"].string))
    }

    /// Invites and accepts a new person; returns their user id and token.
    func addMember(_ name: String, role: String = "member") async throws -> (id: UUID, api: APIClient) {
        let email = "\(name.lowercased().replacingOccurrences(of: " ", with: "."))-\(UUID().uuidString.prefix(6))@example.com"
        let invite = try await owner.post("\(base)/invitations", ["email": email, "role": role])
        try #require(invite.status == .created, "invite failed: \(invite.body)")
        let secret = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
        let accepted = try await api.post("/api/v1/invitations/\(secret)/accept", ["name": name, "password": "another good password"])
        try #require(accepted.status == .created, "accept failed: \(accepted.body)")
        let token: String = try #require(accepted.json["token"].string)
        return (try #require(accepted.json["user"]["id"].uuid), api.authed(token))
    }

    func eventKinds() async throws -> [String] {
        let reply = try await owner.get("\(base)/events?limit=200")
        return reply.json["data"].array.compactMap { $0["kind"].string }
    }
}
