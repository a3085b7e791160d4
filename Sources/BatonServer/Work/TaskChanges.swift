import Foundation
import BatonCore

/// Everything a request may set on a task. `nil` leaves a field alone; for nullable fields
/// `.some(nil)` clears it. Built from JSON (API), forms (pages) and CSV rows alike.
struct TaskChanges: Sendable {
    var title: String?
    var description: String?
    var assigneeID: UUID??
    var stageID: UUID?
    var priority: Priority?
    var startAt: Date??
    var dueAt: Date??
    var timeZone: String?
    var blocked: Bool?
    var blockedReason: String?
    var estimate: Double??
    var tags: [String]?
    var parentID: UUID??
    var watcherIDs: [UUID]?
    /// By field name (case-insensitive) or id.
    var customFields: [String: FieldInput]?
    var brief: BriefChanges?

    struct BriefChanges: Sendable {
        var outcome: String?
        var constraints: String?
        var successCriteria: String?
        var riskTolerance: RiskTolerance??
        var decisionRights: [DecisionRight: [String]]?
        var delegationLevel: Int??
        var stretch: Bool?
        var skills: [String]?
        /// Only when creating a task; later items are added one by one.
        var checklist: [String]?
        var checkpoints: [(title: String, dueAt: Date)]?
    }

    var isEmpty: Bool {
        title == nil && description == nil && assigneeID == nil && stageID == nil && priority == nil && startAt == nil
            && dueAt == nil && timeZone == nil && blocked == nil && blockedReason == nil && estimate == nil && tags == nil
            && parentID == nil && watcherIDs == nil && customFields == nil && brief == nil
    }
}

extension TaskChanges {
    /// The `changes` of a bulk edit: stage, assignee and due date, the fields a bulk edit takes.
    static func bulk(_ reader: PatchReader) throws -> TaskChanges {
        var changes = TaskChanges()
        changes.stageID = try reader.uuid("stage_id")
        changes.assigneeID = try reader.nullableUUID("assignee_id")
        changes.dueAt = try reader.nullableDate("due_at")
        return changes
    }

    /// Reads the JSON body of a create or patch request.
    init(_ reader: PatchReader) throws {
        title = try reader.string("title")
        description = try reader.string("description")
        assigneeID = try reader.nullableUUID("assignee_id")
        stageID = try reader.uuid("stage_id")
        priority = try reader.enumValue("priority", Priority.self, allowed: "urgent, high, normal, low")
        startAt = try reader.nullableDate("start_at")
        dueAt = try reader.nullableDate("due_at")
        timeZone = try reader.string("time_zone")
        blocked = try reader.bool("blocked")
        blockedReason = try reader.string("blocked_reason")
        estimate = try reader.nullableDouble("estimate")
        tags = try reader.strings("tags")
        parentID = try reader.nullableUUID("parent_id")
        watcherIDs = try reader.uuids("watcher_ids")
        if let fields = try reader.objectReader("custom_fields") {
            var inputs: [String: FieldInput] = [:]
            for (key, value) in fields.object {
                guard let input = value.fieldInput else { throw BatonError.validation("custom_fields.\(key)", "\(key) has the wrong type.") }
                inputs[key] = input
            }
            customFields = inputs
        }
        if let brief = try reader.objectReader("brief") {
            var changes = BriefChanges()
            changes.outcome = try brief.string("outcome")
            changes.constraints = try brief.string("constraints")
            changes.successCriteria = try brief.string("success_criteria")
            if brief.has("risk_tolerance") {
                changes.riskTolerance = try brief.nullableString("risk_tolerance").map { text in
                    try text.map { value in
                        guard let tolerance = RiskTolerance(rawValue: value) else {
                            throw BatonError.validation("brief.risk_tolerance", "brief.risk_tolerance must be one of low, medium, high.")
                        }
                        return tolerance
                    }
                }
            }
            if let rights = try brief.objectReader("decision_rights") {
                var parsed: [DecisionRight: [String]] = [:]
                for key in rights.object.keys {
                    guard let right = DecisionRight(rawValue: key) else {
                        throw BatonError.validation("brief.decision_rights.\(key)", "Decision rights are decide_alone, consult_first and escalate.")
                    }
                    parsed[right] = try rights.strings(key)
                }
                changes.decisionRights = parsed
            }
            changes.delegationLevel = try brief.nullableInt("delegation_level")
            changes.stretch = try brief.bool("stretch")
            changes.skills = try brief.strings("skills")
            changes.checklist = try brief.strings("checklist")
            if let checkpoints = try brief.objects("checkpoints") {
                changes.checkpoints = try checkpoints.map { item in
                    guard let title = try item.string("title") else { throw BatonError.validation(item.name("title"), "title is required.") }
                    guard case .some(.some(let due)) = try item.nullableDate("due_at") else {
                        throw BatonError.validation(item.name("due_at"), "due_at is required.")
                    }
                    return (title, due)
                }
            }
            self.brief = changes
        }
    }
}
