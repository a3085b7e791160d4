import Foundation
import BatonCore

// The task replies written by JSONText (keys in sorted order; JSONTextTests checks each against JSONEncoder).

extension TaskDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.field("archived_at", archivedAt) { $0.date($1) }
            json.field("assignee_id", assigneeId) { $0.uuid($1) }
            json.field("awaiting_acceptance_since", awaitingAcceptanceSince) { $0.date($1) }
            json.key("blocked"); json.bool(blocked)
            json.field("blocked_reason", blockedReason) { $0.string($1) }
            json.field("completed_at", completedAt) { $0.date($1) }
            json.key("created_at"); json.date(createdAt)
            json.key("created_by"); json.uuid(createdBy)
            json.key("custom_fields"); json.dictionary(customFields) { $0.string($1) }
            json.field("delegator_id", delegatorId) { $0.uuid($1) }
            json.key("description"); json.string(description)
            json.field("due_at", dueAt) { $0.date($1) }
            json.field("estimate", estimate) { $0.double($1) }
            json.key("handoff_state"); json.string(handoffState)
            json.key("id"); json.uuid(id)
            json.field("parent_id", parentId) { $0.uuid($1) }
            json.key("priority"); json.string(priority.rawValue)
            json.key("project_id"); json.uuid(projectId)
            json.key("stage_category"); json.string(stageCategory.rawValue)
            json.key("stage_id"); json.uuid(stageId)
            json.field("start_at", startAt) { $0.date($1) }
            json.key("tags"); json.array(tags) { $0.string($1) }
            json.key("time_zone"); json.string(timeZone)
            json.key("title"); json.string(title)
            json.key("updated_at"); json.date(updatedAt)
            json.key("version"); json.int(version)
        }
    }
}

extension ListPage: JSONWritable where Item: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("data"); json.array(data) { $0.value($1) }
            json.key("next_cursor")
            if let nextCursor { json.string(nextCursor) } else { json.null() }
        }
    }
}

extension TaskDetailDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("brief"); json.value(brief)
            json.key("subtask_ids"); json.array(subtaskIds) { $0.uuid($1) }
            json.key("task"); json.value(task)
            json.key("watcher_ids"); json.array(watcherIds) { $0.uuid($1) }
        }
    }
}

extension BriefDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.field("awaiting_acceptance_since", awaitingAcceptanceSince) { $0.date($1) }
            json.key("checklist"); json.array(checklist) { $0.value($1) }
            json.key("checkpoints"); json.array(checkpoints) { $0.value($1) }
            json.field("clarification_question", clarificationQuestion) { $0.string($1) }
            json.field("clarification_requested_at", clarificationRequestedAt) { $0.date($1) }
            json.key("constraints"); json.string(constraints)
            json.key("decision_rights"); json.dictionary(decisionRights) { json, list in json.array(list) { $0.string($1) } }
            json.field("delegation_level", delegationLevel) { $0.int($1) }
            json.field("delegation_level_name", delegationLevelName) { $0.string($1) }
            json.field("handoff_accepted_at", handoffAcceptedAt) { $0.date($1) }
            json.key("outcome"); json.string(outcome)
            json.key("proposals"); json.array(proposals) { $0.value($1) }
            json.field("return_feedback", returnFeedback) { $0.string($1) }
            json.field("returned_at", returnedAt) { $0.date($1) }
            json.field("rights_summary", rightsSummary) { $0.string($1) }
            json.field("risk_tolerance", riskTolerance) { $0.string($1.rawValue) }
            json.key("skills"); json.array(skills) { $0.string($1) }
            json.key("stretch"); json.bool(stretch)
            json.key("success_criteria"); json.string(successCriteria)
        }
    }
}

extension ChecklistItemDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("checked"); json.bool(checked)
            json.field("checked_by", checkedBy) { $0.uuid($1) }
            json.key("id"); json.uuid(id)
            json.key("text"); json.string(text)
            json.field("waived_reason", waivedReason) { $0.string($1) }
            json.field("waiver_request", waiverRequest) { json, request in
                json.object { json in
                    json.key("reason"); json.string(request.reason)
                    json.field("requested_at", request.requestedAt) { $0.date($1) }
                    json.field("requested_by", request.requestedBy) { $0.uuid($1) }
                }
            }
        }
    }
}

extension CheckpointDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.key("due_at"); json.date(dueAt)
            json.key("id"); json.uuid(id)
            json.key("note"); json.string(note)
            json.field("reviewed_at", reviewedAt) { $0.date($1) }
            json.field("reviewed_by", reviewedBy) { $0.uuid($1) }
            json.field("self_assessed_at", selfAssessedAt) { $0.date($1) }
            json.field("self_note", selfNote) { $0.string($1) }
            json.field("self_status", selfStatus) { $0.string($1.rawValue) }
            json.field("status", status) { $0.string($1.rawValue) }
            json.key("title"); json.string(title)
        }
    }
}

extension BriefProposalDTO: JSONWritable {
    func write(to json: inout JSONText) {
        json.object { json in
            json.field("accepted", accepted) { $0.bool($1) }
            json.key("created_at"); json.date(createdAt)
            json.field("decided_at", decidedAt) { $0.date($1) }
            json.key("field"); json.string(field)
            json.key("id"); json.uuid(id)
            json.key("proposed_by"); json.uuid(proposedBy)
            json.key("reason"); json.string(reason)
            json.key("text"); json.string(text)
        }
    }
}
