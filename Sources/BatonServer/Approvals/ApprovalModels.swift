import Fluent
import Foundation
import NIOConcurrencyHelpers
import Vapor
import BatonCore

/// A kind of request people can submit: its form, its flow of branches and steps, what happens in
/// the special cases, and how long a step may wait before reminders and escalation.
final class ApprovalTemplate: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "approval_templates"
    static var workspaceKey: KeyPath<ApprovalTemplate, FieldProperty<ApprovalTemplate, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "name") var name: String
    @Field(key: "description") var description: String
    /// The decision type of the matrix this template decides ("budget"), for the task's "request approval".
    @OptionalField(key: "decision") var decision: String?
    /// Gets what nobody else can be found for.
    @Field(key: "owner_id") var ownerID: UUID
    @Field(key: "fields") var fieldsJSON: String
    @Field(key: "flow") var flowJSON: String
    @Field(key: "policy") var policyJSON: String
    @OptionalField(key: "remind_after_hours") var remindAfterHours: Int?
    @OptionalField(key: "escalate_after_hours") var escalateAfterHours: Int?
    /// "manager" (the waiting approver's) or "person" (`escalate_to_id`).
    @OptionalField(key: "escalate_to") var escalateTo: String?
    @OptionalField(key: "escalate_to_id") var escalateToID: UUID?
    @Field(key: "active") var active: Bool
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $workspaceID, $name, $description, $decision, $ownerID, $fieldsJSON, $flowJSON, $policyJSON, $remindAfterHours,
         $escalateAfterHours, $escalateTo, $escalateToID, $active, $version, $createdAt, $updatedAt]
    }

    var fields: [ApprovalField] { get throws { try TemplateDefinition.of(self).fields } }
    var flow: ApprovalFlow { get throws { try TemplateDefinition.of(self).flow } }
    var policy: ApprovalPolicy { get throws { try TemplateDefinition.of(self).policy } }

    static func find(_ id: UUID, on db: any Database) async throws -> ApprovalTemplate? {
        try await PlainSQL.first(ApprovalTemplate.self, on: db, "SELECT * FROM approval_templates WHERE id = \(bind: id)")
    }
}

/// A template's form, flow and policy, decoded once per text: every request reads them, and
/// decoding a flow of many branches costs more than the rest of routing it.
struct TemplateDefinition: Sendable {
    let fields: [ApprovalField]
    let flow: ApprovalFlow
    let policy: ApprovalPolicy

    private static let cache = NIOLockedValueBox<[String: TemplateDefinition]>([:])

    static func of(_ template: ApprovalTemplate) throws -> TemplateDefinition {
        // keyed by the texts themselves: an edit (or a template still being built) is never served stale
        let key = template.fieldsJSON + "\u{1}" + template.flowJSON + "\u{1}" + template.policyJSON
        if let known = cache.withLockedValue({ $0[key] }) { return known }
        let decoded = TemplateDefinition(fields: try StoredJSON.decode([ApprovalField].self, template.fieldsJSON),
                                         flow: try StoredJSON.decode(ApprovalFlow.self, template.flowJSON),
                                         policy: try StoredJSON.decode(ApprovalPolicy.self, template.policyJSON))
        cache.withLockedValue { cache in
            if cache.count >= 500 { cache.removeAll() }
            cache[key] = decoded
        }
        return decoded
    }
}

/// One submitted request: the values, the route it took (with who acts for whom) and where it stands.
final class ApprovalRequest: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "approval_requests"
    static var workspaceKey: KeyPath<ApprovalRequest, FieldProperty<ApprovalRequest, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "template_id") var templateID: UUID
    @Field(key: "title") var title: String
    @Field(key: "requester_id") var requesterID: UUID
    @Field(key: "form_values") var valuesJSON: String
    /// The branches the route took, "Over 10,000; Strategic client".
    @Field(key: "branches") var branches: String
    @Field(key: "progress") var progressJSON: String
    @Field(key: "status") var status: String
    /// When the open step (or group) opened: waits are measured from here.
    @Field(key: "step_started_at") var stepStartedAt: Date
    @OptionalField(key: "task_id") var taskID: UUID?
    /// The task was marked waiting for approval by this request (blocked until it is decided).
    @Field(key: "blocks_task") var blocksTask: Bool
    /// Bumped on every change of who is waiting: a timeout job queued before does nothing.
    @Field(key: "generation") var generation: Int
    @Field(key: "version") var version: Int
    @Field(key: "created_at") var createdAt: Date
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "decided_at") var decidedAt: Date?

    init() {}

    var properties: [any AnyProperty] {
        [$id, $workspaceID, $templateID, $title, $requesterID, $valuesJSON, $branches, $progressJSON, $status, $stepStartedAt, $taskID,
         $blocksTask, $generation, $version, $createdAt, $updatedAt, $decidedAt]
    }

    var progress: ApprovalProgress { get throws { try StoredJSON.decode(ApprovalProgress.self, progressJSON) } }
    var rawValues: [String: StoredValue] { get throws { try StoredJSON.decode([String: StoredValue].self, valuesJSON) } }
}

/// Who a request involves, and why: the requester, an approver (of any step, ever), a CC. They
/// (and admins) may see it; nobody else. An approver standing in for someone says for whom.
final class ApprovalParticipant: Model, @unchecked Sendable {
    static let schema = "approval_participants"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    /// requester, approver or cc.
    @Field(key: "role") var role: String
    @OptionalField(key: "acting_for") var actingFor: UUID?
    /// `ResolvedApprover.Note`, or "transferred", "added", "escalated".
    @OptionalField(key: "note") var note: String?

    init() {}

    var properties: [any AnyProperty] { [$id, $requestID, $workspaceID, $userID, $role, $actingFor, $note] }
}

/// Who is waiting to act on a request now, since when: the "to approve" view and the timeouts.
final class ApprovalWait: Model, @unchecked Sendable {
    static let schema = "approval_waits"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "user_id") var userID: UUID
    @Field(key: "since") var since: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $requestID, $workspaceID, $userID, $since] }
}

/// One thing that happened to a request, for its path: who did what at which step, acting for
/// whom, and how long the step had waited for them.
final class ApprovalActionRecord: Model, @unchecked Sendable {
    static let schema = "approval_actions"

    @ID(key: .id) var id: UUID?
    @Field(key: "request_id") var requestID: UUID
    @Field(key: "workspace_id") var workspaceID: UUID
    /// The entry's place in the request's path (entries of one moment keep their order).
    @Field(key: "seq") var seq: Int
    @Field(key: "kind") var kind: String
    @OptionalField(key: "step_index") var stepIndex: Int?
    @OptionalField(key: "step_name") var stepName: String?
    /// Nil for what Baton did itself (a reminder, an escalation).
    @OptionalField(key: "actor_id") var actorID: UUID?
    @OptionalField(key: "acting_for") var actingFor: UUID?
    @OptionalField(key: "target_id") var targetID: UUID?
    @OptionalField(key: "comment") var comment: String?
    @OptionalField(key: "waited_seconds") var waitedSeconds: Double?
    @Field(key: "created_at") var createdAt: Date

    init() {}

    var properties: [any AnyProperty] {
        [$id, $requestID, $workspaceID, $seq, $kind, $stepIndex, $stepName, $actorID, $actingFor, $targetID, $comment, $waitedSeconds, $createdAt]
    }
}

/// The workspace's decision-rights matrix (`DecisionRights`, as JSON); one row per workspace.
final class DecisionRightsRecord: Model, WorkspaceScoped, @unchecked Sendable {
    static let schema = "decision_rights"
    static var workspaceKey: KeyPath<DecisionRightsRecord, FieldProperty<DecisionRightsRecord, UUID>> { \.$workspaceID }

    @ID(key: .id) var id: UUID?
    @Field(key: "workspace_id") var workspaceID: UUID
    @Field(key: "matrix") var matrixJSON: String
    @Field(key: "version") var version: Int
    @Field(key: "updated_at") var updatedAt: Date
    @OptionalField(key: "updated_by") var updatedBy: UUID?

    init() {}

    var properties: [any AnyProperty] { [$id, $workspaceID, $matrixJSON, $version, $updatedAt, $updatedBy] }

    var matrix: DecisionRights { get throws { try StoredJSON.decode(DecisionRights.self, matrixJSON) } }
}

/// A person away from `from` to `until`, and who approves for them meanwhile.
final class OutOfOffice: Model, @unchecked Sendable {
    static let schema = "out_of_office"

    @ID(key: .id) var id: UUID?
    @Field(key: "user_id") var userID: UUID
    @Field(key: "substitute_id") var substituteID: UUID
    @Field(key: "starts_at") var from: Date
    @Field(key: "ends_at") var until: Date

    init() {}

    var properties: [any AnyProperty] { [$id, $userID, $substituteID, $from, $until] }
}

/// A form value as stored and sent back: a string, a number or a list of strings.
enum StoredValue: Codable, Sendable, Equatable {
    case string(String)
    case number(Double)
    case strings([String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let number = try? container.decode(Double.self) { self = .number(number) }
        else if let text = try? container.decode(String.self) { self = .string(text) }
        else { self = .strings(try container.decode([String].self)) }
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let text): try container.encode(text)
        case .number(let number): try container.encode(number)
        case .strings(let list): try container.encode(list)
        }
    }

    /// A typed value as it is kept: numbers as numbers whatever was typed, dates as their day.
    init(_ value: ApprovalValue) {
        switch value {
        case .text(let text), .reference(let text): self = .string(text)
        case .number(let number): self = .number(number)
        case .date(let date): self = .string(String(BatonDate.iso(date).prefix(10)))
        case .list(let list): self = .strings(list)
        }
    }

    var raw: ApprovalForm.RawValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .strings(let list): .strings(list)
        }
    }
}
