import Foundation
import Testing
import Vapor
@testable import BatonServer

/// A workspace with a project, for Work tests.
struct WorkFixture: Sendable {
    let org: Org
    let projectID: UUID
    let stages: [String: UUID]
    let memberID: UUID
    let member: APIClient

    var owner: APIClient { org.owner }
    var projectBase: String { "/api/v1/projects/\(projectID)" }

    static func make(_ app: Application) async throws -> WorkFixture {
        let org = try await Org.signUp(app)
        let (memberID, member) = try await org.addMember("Tom Becker")
        let project = try await org.owner.post("\(org.base)/projects", ["name": "Launch", "description": "Q3 launch"])
        try #require(project.status == .created, "\(project.body)")
        var stages: [String: UUID] = [:]
        for stage in project.json["stages"].array { stages[stage["name"].string!] = stage["id"].uuid! }
        return WorkFixture(org: org, projectID: try #require(project.json["id"].uuid), stages: stages, memberID: memberID, member: member)
    }

    /// Creates a task and returns its JSON.
    func task(_ body: [String: Any?]) async throws -> JSON {
        let reply = try await owner.post("\(projectBase)/tasks", body)
        try #require(reply.status == .created, "\(reply.body)")
        return reply.json
    }
}
