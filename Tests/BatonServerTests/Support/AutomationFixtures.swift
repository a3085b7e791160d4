import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// Follows the log and runs due jobs until nothing is left: what a running server does between requests.
func settleJobs(_ app: Application) async throws {
    for _ in 0..<20 {
        try await EventConsumers.catchUp(app)
        if try await app.jobs.runDue(app: app, limit: 50) == 0 { return }
    }
    Issue.record("jobs kept coming after 20 rounds")
}

extension WorkFixture {
    func settle(_ app: Application) async throws { try await settleJobs(app) }

    /// The project's rules by template key (the three defaults start there).
    func rules() async throws -> [JSON] {
        let reply = try await owner.get("\(projectBase)/rules")
        try #require(reply.status == .ok, "\(reply.body)")
        return reply.json["data"].array
    }

    func rule(_ templateKey: String) async throws -> JSON {
        try #require(try await rules().first { $0["template_key"].string == templateKey })
    }

    func addRule(_ body: [String: Any?]) async throws -> JSON {
        let reply = try await owner.post("\(projectBase)/rules", body)
        try #require(reply.status == .created, "\(reply.body)")
        return reply.json
    }

    /// Changes a task as `client`, sending the version it has now.
    @discardableResult
    func change(_ taskID: String, _ body: [String: Any?], as client: APIClient? = nil) async throws -> JSON {
        let version = try await owner.get("/api/v1/tasks/\(taskID)").json["task"]["version"].int
        var body = body
        body["version"] = version
        let reply = try await (client ?? owner).patch("/api/v1/tasks/\(taskID)", body)
        try #require(reply.status == .ok, "\(reply.body)")
        return reply.json
    }

    func runs(_ ruleID: String) async throws -> [JSON] {
        let reply = try await owner.get("/api/v1/rules/\(ruleID)/runs")
        try #require(reply.status == .ok, "\(reply.body)")
        return reply.json["data"].array
    }

    /// Inbox entries from rules, newest first.
    static func alerts(_ client: APIClient) async throws -> [JSON] {
        try await client.get("/api/v1/me/notifications").json["data"].array.filter { $0["kind"].string == "rule" }
    }
}
