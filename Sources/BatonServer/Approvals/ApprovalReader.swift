import Foundation
import Vapor
import BatonCore

/// A template as a create or edit sends it: every part optional (an edit changes what it names).
struct TemplateDraft: Sendable {
    var name: String?
    var description: String?
    var decision: String??
    var fields: [ApprovalField]?
    var flow: ApprovalFlow?
    var policy: ApprovalPolicy?
    var remindAfterHours: Int??
    var escalateAfterHours: Int??
    var escalateTo: String??
    var escalateToID: UUID??
    var ownerID: UUID?
    var active: Bool?
    var version: Int?

    init() {}

    /// Every field is read before the first problem is reported, so that each is checked.
    init(_ body: PatchReader, editing: Bool) throws {
        let reading = Reading()
        name = reading.read { try body.string("name") }
        description = reading.read { try body.string("description") }
        decision = reading.read { try body.nullableString("decision") }
        remindAfterHours = reading.read { try body.nullableInt("remind_after_hours") }
        escalateAfterHours = reading.read { try body.nullableInt("escalate_after_hours") }
        escalateTo = reading.read { try body.nullableString("escalate_to") }
        escalateToID = reading.read { try body.nullableUUID("escalate_to_id") }
        ownerID = reading.read { try body.uuid("owner_id") }
        active = reading.read { try body.bool("active") }
        if editing { version = reading.read { try body.int("version") } }
        fields = reading.read { try body.objects("fields")?.compactMap { field in reading.read { try Self.field(field, reading) } } }
        flow = reading.read { try body.objectReader("flow").map { try Self.flow($0, reading) } }
        policy = reading.read { try body.objectReader("policy").map { try Self.policy($0, reading) } }
        try reading.finish()
    }

    private static func field(_ body: PatchReader, _ reading: Reading) throws -> ApprovalField {
        let label = reading.read { try body.string("label") } ?? ""
        let options = reading.read { try body.strings("options") }
        let required = reading.read { try body.bool("required") } ?? false
        let currency = reading.read { try body.nullableString("currency") } ?? nil
        let type = reading.read { try body.enumValue("type", ApprovalFieldType.self, allowed: ApprovalFieldType.allCases.map(\.rawValue).joined(separator: ", ")) }
        guard let key = try body.string("key") else { throw BatonError.validation(body.name("key"), "Give the field a key (amount).") }
        guard let type else { throw BatonError.validation(body.name("type"), "Choose the field's type.") }
        return ApprovalField(key: key, label: label, type: type, required: required, options: options, currency: currency)
    }

    private static func flow(_ body: PatchReader, _ reading: Reading) throws -> ApprovalFlow {
        ApprovalFlow(branches: reading.read { try body.objects("branches")?.compactMap { branch in reading.read { try Self.branch(branch, reading) } } } ?? [],
                     defaultSteps: steps(body, "default_steps", reading),
                     cc: reading.read { try body.objects("cc")?.compactMap { spec in reading.read { try approver(spec, reading) } } } ?? [])
    }

    private static func steps(_ body: PatchReader, _ key: String, _ reading: Reading) -> [ApprovalStep] {
        reading.read { try body.objects(key)?.compactMap { step in reading.read { try Self.step(step, reading) } } } ?? []
    }

    private static func branch(_ body: PatchReader, _ reading: Reading) throws -> ApprovalBranch {
        ApprovalBranch(name: reading.read { try body.string("name") } ?? "",
                       match: reading.read { try body.enumValue("match", ApprovalMatch.self, allowed: "all, any") } ?? .all,
                       conditions: reading.read { try body.objects("conditions")?.compactMap { condition in reading.read { try Self.condition(condition) } } } ?? [],
                       effect: reading.read { try body.enumValue("effect", ApprovalBranch.Effect.self, allowed: "route, add") } ?? .route,
                       steps: steps(body, "steps", reading))
    }

    private static func condition(_ body: PatchReader) throws -> ApprovalCondition {
        let value = try body.nullableString("value") ?? nil
        let op = try body.enumValue("op", ApprovalCondition.Operator.self,
                                    allowed: ApprovalCondition.Operator.allCases.map(\.rawValue).joined(separator: ", ")) ?? .equals
        guard let field = try body.string("field") else { throw BatonError.validation(body.name("field"), "Choose a field of the form.") }
        return ApprovalCondition(field, op, value)
    }

    private static func step(_ body: PatchReader, _ reading: Reading) throws -> ApprovalStep {
        let quorum = reading.read {
            try body.objectReader("quorum").map { quorum in
                let count = reading.read { try quorum.nullableInt("count") } ?? nil
                return ApprovalQuorum(kind: try quorum.enumValue("type", ApprovalQuorum.Kind.self, allowed: "any_one, all, at_least, percent") ?? .anyOne,
                                      count: count)
            }
        }
        let group = reading.read { try body.nullableInt("parallel_group") } ?? nil
        let merge = reading.read { try body.enumValue("merge", ApprovalMatch.self, allowed: "all, any") } ?? .all
        let approvers = reading.read { try body.objects("approvers")?.compactMap { spec in reading.read { try approver(spec, reading) } } } ?? []
        return ApprovalStep(name: try body.string("name") ?? "", approvers: approvers, quorum: quorum ?? .anyOne, parallelGroup: group, merge: merge)
    }

    static func approver(_ body: PatchReader, _ reading: Reading) throws -> ApproverSpec {
        let levels = reading.read { try body.int("levels") }
        let role = reading.read { try body.string("role") }
        let team = reading.read { try body.uuid("team_id") }
        let people = reading.read { try body.uuids("people") }
        let decision = reading.read { try body.string("decision") }
        guard let kind = try body.enumValue("type", ApproverSpec.Kind.self, allowed: ApproverSpec.Kind.allCases.map(\.rawValue).joined(separator: ", "))
        else { throw BatonError.validation(body.name("type"), "Choose who approves.") }
        func required<T>(_ value: T?, _ key: String, _ message: String) throws -> T {
            guard let value else { throw BatonError.validation(body.name(key), message) }
            return value
        }
        switch kind {
        case .requesterManager: return .requesterManager
        case .managerUp: return .managerUp(levels: try required(levels, "levels", "How many levels up (1 is the manager)?"))
        case .role: return .role(try required(role, "role", "Name the role."))
        case .teamLead: return .teamLead(try required(team, "team_id", "Choose the team."))
        case .people: return .people(try required(people, "people", "Name the people."))
        case .matrix: return .matrix(decision: try required(decision, "decision", "Choose the decision type of the matrix."))
        }
    }

    private static func policy(_ body: PatchReader, _ reading: Reading) throws -> ApprovalPolicy {
        let repeated = reading.read { try body.bool("repeat_approver_auto_approves") } ?? true
        return ApprovalPolicy(requesterIsApprover: try body.enumValue("requester_is_approver", ApprovalPolicy.SelfApproval.self,
                                                                      allowed: "skip, auto_approve, manager") ?? .manager,
                              repeatApproverAutoApproves: repeated)
    }
}

/// A form's values as sent (`values: {"amount": 1200, "tier": "key"}`): strings, numbers or lists of strings.
enum FormValues {
    static func read(_ body: PatchReader, key: String = "values") throws -> [String: StoredValue]? {
        guard let values = try body.objectReader(key) else { return nil }
        var result: [String: StoredValue] = [:]
        guard values.object.count <= 100 else { throw BatonError.validation(key, "A form has at most 100 fields.") }
        for (name, value) in values.object {
            switch value {
            case .null: continue
            case .string(let text): result[name] = .string(text)
            case .number(let number):
                guard number.isFinite else { throw BatonError.validation("\(key).\(name)", "\(key).\(name) must be a finite number.") }
                result[name] = .number(number)
            case .array(let items):
                result[name] = .strings(try items.map { item in
                    guard case .string(let text) = item else { throw BatonError.validation("\(key).\(name)", "\(key).\(name) must be a list of strings.") }
                    return text
                })
            case .object, .bool: throw BatonError.validation("\(key).\(name)", "\(key).\(name) must be a string, a number or a list.")
            }
        }
        return result
    }

    /// Typed against the template's fields, naming the field on the first problem.
    static func typed(_ raw: [String: StoredValue], fields: [ApprovalField]) throws -> [String: ApprovalValue] {
        switch ApprovalForm.read(raw.mapValues(\.raw), fields: fields) {
        case .success(let values): return values
        case .failure(let problem): throw BatonError.validation(problem.field, problem.message)
        }
    }
}
