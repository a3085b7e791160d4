import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// A small organisation for approvals: Ana (member) reports to Maya (team lead), who reports to
/// Dana (department head), who reports to the owner; Finn is in the Finance team. The purchase
/// template routes by amount: < 1,000 → the manager; 1,000–10,000 → two levels up; > 10,000 or
/// high risk → the head, then Finance, both.
struct ApprovalOrgFixture: Sendable {
    let org: Org
    let ana: (id: UUID, api: APIClient)
    let maya: (id: UUID, api: APIClient)
    let dana: (id: UUID, api: APIClient)
    let finn: (id: UUID, api: APIClient)
    var owner: APIClient { org.owner }

    static func make(_ app: Application) async throws -> ApprovalOrgFixture {
        let org = try await Org.signUp(app)
        let dana = try await org.addMember("Dana Head")
        let maya = try await org.addMember("Maya Chen")
        let ana = try await org.addMember("Ana Lopez")
        let finn = try await org.addMember("Finn Ledger")
        for (person, manager) in [(dana.id, org.ownerID), (maya.id, dana.id), (ana.id, maya.id), (finn.id, org.ownerID)] {
            let reply = try await org.owner.patch("\(org.base)/members/\(person)", ["manager_id": manager.uuidString])
            try #require(reply.status == .ok, "\(reply.body)")
        }
        let team = try #require(try await org.owner.post("\(org.base)/teams", ["name": "Finance"]).json["id"].string)
        let joined = try await org.owner.post("\(org.base)/teams/\(team)/members", ["user_id": finn.id.uuidString])
        try #require(joined.status == .noContent, "\(joined.body)")
        return ApprovalOrgFixture(org: org, ana: ana, maya: maya, dana: dana, finn: finn)
    }

    static var purchaseFields: [[String: Any?]] { [
        ["key": "item", "label": "What", "type": "text", "required": true],
        ["key": "amount", "label": "Amount", "type": "money", "required": true, "currency": "EUR"],
        ["key": "risk", "label": "Risk", "type": "risk_category"],
    ] }

    static func step(_ name: String, _ approvers: [[String: Any?]], quorum: String = "any_one") -> [String: Any?] {
        ["name": name, "approvers": approvers, "quorum": ["type": quorum]]
    }

    static var purchaseFlow: [String: Any?] {
        [
            "branches": [
                ["name": "Small", "conditions": [["field": "amount", "op": "lt", "value": "1000"]],
                 "steps": [step("Manager", [["type": "requester_manager"]])]],
                ["name": "Large", "match": "any",
                 "conditions": [["field": "amount", "op": "gt", "value": "10000"], ["field": "risk", "op": "eq", "value": "high"]],
                 "steps": [step("Department head", [["type": "manager_up", "levels": 2]]), step("Finance", [["type": "role", "role": "Finance"]])]],
            ],
            "default_steps": [step("Department head", [["type": "manager_up", "levels": 2]])],
        ]
    }

    func template(_ extra: [String: Any?] = [:]) async throws -> JSON {
        var body: [String: Any?] = ["name": "Purchase", "description": "Buying something", "fields": Self.purchaseFields, "flow": Self.purchaseFlow]
        body.merge(extra) { $1 }
        let reply = try await owner.post("\(org.base)/approval-templates", body)
        try #require(reply.status == .created, "\(reply.body)")
        return reply.json
    }

    func submit(_ templateID: String, _ values: [String: Any?], as client: APIClient? = nil, extra: [String: Any?] = [:]) async throws -> JSON {
        var body: [String: Any?] = ["values": values]
        body.merge(extra) { $1 }
        let reply = try await (client ?? ana.api).post("/api/v1/approval-templates/\(templateID)/requests", body)
        try #require(reply.status == .created, "\(reply.body)")
        return reply.json
    }

    func act(_ requestID: String, _ action: String, _ body: [String: Any?] = [:], as client: APIClient) async throws -> Reply {
        try await client.post("/api/v1/approval-requests/\(requestID)/\(action)", body)
    }

    /// Who waits on the request now, by id.
    func waiting(_ request: JSON) -> [String] { request["waiting_on"].array.compactMap { $0["user_id"].string } }
}

extension Org {
    /// One purchase template and one request on it by `requester`, for tests that need a record of each.
    func approvalRecords(requester: APIClient) async throws -> (templateID: String, requestID: String) {
        let template = try await owner.post("\(base)/approval-templates", [
            "name": "Purchase", "fields": ApprovalOrgFixture.purchaseFields, "flow": ApprovalOrgFixture.purchaseFlow,
        ])
        let templateID = try #require(template.json["id"].string, "\(template.body)")
        let request = try await requester.post("/api/v1/approval-templates/\(templateID)/requests", ["values": ["item": "Laptop", "amount": 1200]])
        return (templateID, try #require(request.json["id"].string, "\(request.body)"))
    }
}
