import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    @Test("the document and the router list exactly the same /api/v1 operations")
    func routerMatchesDocument() async throws {
        try await withBaton(.sqlite) { app in
            // setup
            let served = try await APIClient(app: app).get("/api/v1/openapi.json")
            #expect(served.status == .ok)
            #expect(served.json["openapi"].string == "3.1.0")
            let paths = try #require(served.json["paths"].value as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(normalize(path))" } })
            // act
            let routed = Set(app.routes.all
                .map { route in (route.method.rawValue, "/" + route.path.map(\.description).joined(separator: "/")) }
                .filter { $0.1.hasPrefix("/api/v1/") }
                .map { "\($0.0) \(normalize($0.1))" })
            // check
            #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            #expect(routed.count > 20)
        }
    }

    /// `{workspace_id}` and `:workspaceID` are the same parameter slot.
    private func normalize(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") ? "{}" : String($0) }.joined(separator: "/")
    }
}

@Suite("OpenAPI response shapes")
struct ResponseShapeTests {
    @Test("the schema check finds a missing, a mistyped and an undocumented field")
    func checkerFindsDrift() async throws {
        try await withBaton(.sqlite) { app in
            let check = SchemaCheck(components: app.modules.contract.components)
            let user: [String: Any] = ["id": UUID().uuidString, "email": "a@b.co", "name": "A", "time_zone": "UTC",
                                       "created_at": "2026-12-01T00:00:00Z"]
            #expect(check.problems(user, JSONSchema.ref("User"), at: "$").isEmpty)
            var drifted = user
            drifted["name"] = nil
            drifted["time_zone"] = 3
            drifted["nickname"] = "Al"
            drifted["id"] = "not-a-uuid"
            #expect(Set(check.problems(drifted, JSONSchema.ref("User"), at: "$")) == [
                "$.name: required, but missing", "$.time_zone: a number, but the schema says [\"string\"]",
                "$.nickname: sent, but the document does not list it", "$.id: “not-a-uuid” is not a uuid",
            ])
            #expect(check.problems(["error": ["code": "x", "message": "y", "field": NSNull()]], JSONSchema.ref("Error"), at: "$").isEmpty)
            #expect(!check.problems(["error": ["code": "x"]], JSONSchema.ref("Error"), at: "$").isEmpty)
        }
    }
}

@Suite("OpenAPI request fields")
struct RequestFieldTests {
    @Test("every documented request field is read by its handler, and every field a handler reads is documented")
    func requestFieldsMatchHandlers() async throws {
        try await withBaton(.sqlite) { app in
            // setup: one of everything, and a complete, valid body for every operation
            let log = BodyFieldLog()
            app.bodyFieldLog = log
            let org = try await Org.signUp(app)
            let (memberID, member) = try await org.addMember("Ann")
            let project = try await org.owner.post("\(org.base)/projects", ["name": "P"])
            let projectID = try #require(project.json["id"].string)
            let stageIDList = project.json["stages"].array.compactMap { $0["id"].string }
            let task = try await org.owner.post("/api/v1/projects/\(projectID)/tasks", ["title": "T", "brief": [
                "checklist": ["Item"], "checkpoints": [["title": "CP", "due_at": "2027-01-01T00:00:00Z"]]]])
            let taskID = try #require(task.json["task"]["id"].string)
            let teamID = try #require(try await org.owner.post("\(org.base)/teams", ["name": "T"]).json["id"].string)
            try await EventConsumers.catchUp(app)   // the project's default rules
            let approvals = try await org.approvalRecords(requester: member)
            let channelID = try #require(try await org.owner.post("\(org.base)/channels", ["kind": "public", "name": "General",
                                                                                             "member_ids": [memberID.uuidString]]).json["id"].string)
            let messageID = try #require(try await org.owner.post("/api/v1/channels/\(channelID)/messages", ["body": "Hello"]).json["id"].string)
            let scheduledID = try #require(try await org.owner.post("/api/v1/channels/\(channelID)/scheduled-messages",
                                                                    ["body": "Later", "send_at": BatonDate.iso(Date().addingTimeInterval(86_400))]).json["id"].string)
            var ids: [String: String] = ["template_id": approvals.templateID, "request_id": approvals.requestID,
                "channel_id": channelID, "message_id": messageID, "scheduled_id": scheduledID,
                "pin_id": try #require(try await org.owner.post("/api/v1/channels/\(channelID)/pins", ["kind": "message", "message_id": messageID])
                    .json["id"].string),
                "rule_id": try #require(try await Rule.query(on: app.db).first()?.id?.uuidString),
                "workspace_id": org.workspaceID.uuidString, "project_id": projectID, "task_id": taskID, "team_id": teamID,
                "user_id": memberID.uuidString, "stage_id": stageIDList[1],
                "item_id": try #require(task.json["brief"]["checklist"][0]["id"].string),
                "checkpoint_id": try #require(task.json["brief"]["checkpoints"][0]["id"].string),
                "reminder_id": try #require(try await org.owner.post("/api/v1/tasks/\(taskID)/reminders", ["remind_at": "2030-01-01T09:00:00Z"])
                    .json["id"].string),
            ]
            var values: [String: Any] = [
                "remind_at": "2030-01-02T09:00:00Z", "note": "Check in",
                "email": "sample@example.com", "password": "a sample password 123", "new_password": "another sample password",
                "current_password": "correct horse battery", "time_zone": "Europe/Berlin", "role": "member", "color": "#336699",
                "manager_id": org.ownerID.uuidString, "lead_id": org.ownerID.uuidString, "user_id": memberID.uuidString,
                "assignee_id": memberID.uuidString, "member_ids": [memberID.uuidString], "watcher_ids": [memberID.uuidString],
                "stage_id": stageIDList[1], "stage_ids": Array(stageIDList.reversed()), "task_ids": [taskID], "parent_id": NSNull(),
                "type": "single_select", "options": ["A", "B"], "currency": "EUR", "start_at": "2027-01-02T09:00:00Z",
                "due_at": "2027-01-15T09:00:00Z", "status": "on_track", "checked": true, "waived_reason": "Legal signed off",
                "blocked": true, "blocked_reason": "Waiting on legal", "custom_fields": [String: Any](), "delegation_level": 5,
                "from_stage": stageIDList[0], "to_stage": stageIDList[1], "team_id": teamID, "view_id": UUID().uuidString,
                "owner_id": org.ownerID.uuidString, "escalate_to_id": org.ownerID.uuidString, "substitute_id": memberID.uuidString,
                "to": memberID.uuidString, "people": [memberID.uuidString], "for_team": teamID, "escalate_to": "person",
                "from": "2030-01-01T09:00:00Z", "until": "2030-01-08T09:00:00Z",
                "message_id": messageID, "user_ids": [memberID.uuidString],
            ]
            let check = SchemaCheck(components: app.modules.contract.components)
            var checked = 0
            for operation in app.modules.contract.operations {
                guard let body = operation.body, let schema = app.modules.contract.components[body.schema] as? [String: Any] else { continue }
                if operation.path.contains("{secret}") {
                    let invite = try await org.owner.post("\(org.base)/invitations", ["email": "new-\(checked)@example.com"])
                    ids["secret"] = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
                }
                if operation.path.hasSuffix("/stages/order") {
                    values["stage_ids"] = Array(try await org.owner.get("/api/v1/projects/\(projectID)").json["stages"].array
                        .compactMap { $0["id"].string }.reversed())
                }
                if operation.path.hasSuffix("{task_id}") && operation.method == "patch" {
                    ids["version"] = String(try await org.owner.get("/api/v1/tasks/\(taskID)").json["task"]["version"].int ?? 1)
                }
                let path = "/" + operation.path.split(separator: "/").map { part -> String in
                    part.hasPrefix("{") ? ids[String(part.dropFirst().dropLast()), default: "missing-\(part)"] : String(part)
                }.joined(separator: "/")
                var sample = Sample(components: app.modules.contract.components, values: values, serial: checked).value(for: schema) as? [String: Any] ?? [:]
                if let version = ids["version"], sample["version"] != nil { sample["version"] = Int(version) }
                // act
                // the handoff's questions are the assignee's (the task patch above assigned it to them)
                let caller = operation.path.hasSuffix("/clarification") ? member : org.owner
                let reply = try await caller.send(HTTPMethod(rawValue: operation.method.uppercased()), path, sample)
                // check: the fields match (a refusal is fine if it came after every field was read:
                // exclusive fields are read to be refused together)
                let documented = check.fieldPaths(schema)
                let key = operation.method.uppercased() + " " + operation.path.split(separator: "/").map { $0.hasPrefix("{") ? "{}" : $0 }
                    .reduce("") { $0 + "/" + $1 }
                let read = log.fields(of: key)
                #expect(documented.subtracting(read).isEmpty, "\(key): documented but never read: \(documented.subtracting(read).sorted()); the answer: \(reply.status) \(reply.body.prefix(200))")
                #expect(read.subtracting(documented).isEmpty, "\(key): read but not documented: \(read.subtracting(documented).sorted())")
                checked += 1
            }
            #expect(checked >= 25)
        }
    }
}

/// A complete body for a request schema: every property, with `values` by name where the value
/// must name a real record or obey a rule, else the first enum value or a plain sample.
struct Sample {
    let components: [String: Any]
    let values: [String: Any]
    /// Makes names unique from one body to the next (a second project called the same is a 409).
    var serial = 0

    func value(for given: [String: Any], name: String? = nil) -> Any {
        var schema = given
        if let ref = schema["$ref"] as? String, let target = components[String(ref.split(separator: "/").last!)] as? [String: Any] { schema = target }
        if let name, let fixed = values[name] { return fixed }
        if let allowed = schema["enum"] as? [Any], let first = allowed.first { return first }
        let types = (schema["type"] as? [String]) ?? (schema["type"] as? String).map { [$0] } ?? ["object"]
        switch types.first(where: { $0 != "null" }) ?? "null" {
        case "object":
            let properties = schema["properties"] as? [String: Any] ?? [:]
            return Dictionary(uniqueKeysWithValues: properties.map { key, property in (key, value(for: property as! [String: Any], name: key)) })
        case "array": return [value(for: schema["items"] as? [String: Any] ?? ["type": "string"])]
        case "integer": return schema["minimum"] as? Int ?? 1
        case "number": return 2.5
        case "boolean": return true
        case "string":
            if schema["format"] as? String == "date-time" { return "2027-01-10T09:00:00Z" }
            return "Sample \(name ?? "text") \(serial)"
        default: return NSNull()
        }
    }
}

extension SchemaCheck {
    /// Every property path a request schema documents ("brief.checkpoints.title"), through
    /// arrays' items; an object without listed properties (custom fields by name) ends a path.
    func fieldPaths(_ given: [String: Any], prefix: String = "") -> Set<String> {
        var schema = given
        if let ref = schema["$ref"] as? String, let target = components[String(ref.split(separator: "/").last!)] as? [String: Any] { schema = target }
        if let items = schema["items"] as? [String: Any] { return fieldPaths(items, prefix: prefix) }
        guard let properties = schema["properties"] as? [String: Any] else { return [] }
        var paths: Set<String> = []
        for (key, property) in properties {
            let path = prefix.isEmpty ? key : "\(prefix).\(key)"
            paths.insert(path)
            paths.formUnion(fieldPaths(property as! [String: Any], prefix: path))
        }
        return paths
    }
}
