import Fluent
import Foundation
import BatonCore

/// The task form's fields as the page renders them: the base of the three-way merge that keeps a
/// user's edit when someone else saved first (FormMerge).
enum TaskForm {
    static func localFormatter(_ timeZone: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter
    }

    /// Field name → value as shown; `reassign` and `brief` say whether those fields are on the form.
    /// Dates are shown (and read back) in the viewer's `timeZone`, like every date on the page.
    static func values(_ task: WorkTask, detail: TaskDetailDTO, fields: [CustomField], reassign: Bool, brief: Bool,
                       timeZone: String) -> [String: String] {
        let local = localFormatter(timeZone)
        var values: [String: String] = [
            "title": task.title, "description": task.description, "stage_id": task.stageID.uuidString,
            "priority": task.priority.rawValue, "due_at": task.dueAt.map { local.string(from: $0) } ?? "",
            "start_at": task.startAt.map { local.string(from: $0) } ?? "",
            "estimate": task.estimate.map { $0.rounded() == $0 ? String(Int($0)) : String($0) } ?? "",
            "tags": detail.task.tags.joined(separator: ", "), "blocked": task.blocked ? "on" : "",
            "blocked_reason": task.blockedReason ?? "",
        ]
        if reassign { values["assignee_id"] = task.assigneeID?.uuidString ?? "" }
        for field in fields {
            guard let id = field.id else { continue }
            let value = detail.task.customFields[field.name] ?? ""
            values["cf_\(id.uuidString)"] = field.type == .checkbox ? (value == "true" ? "on" : "") : value
        }
        if brief {
            let rights = detail.brief.decisionRights
            values["outcome"] = task.outcome
            values["constraints"] = task.constraints
            values["success_criteria"] = task.successCriteria
            values["risk_tolerance"] = task.riskTolerance?.rawValue ?? ""
            values["delegation_level"] = task.delegationLevel.map(String.init) ?? ""
            values["decide_alone"] = (rights["decide_alone"] ?? []).joined(separator: "\n")
            values["consult_first"] = (rights["consult_first"] ?? []).joined(separator: "\n")
            values["escalate"] = (rights["escalate"] ?? []).joined(separator: "\n")
            values["skills"] = detail.brief.skills.joined(separator: ", ")
            values["stretch"] = task.stretch ? "on" : ""
        }
        return values
    }

    static let labels = [
        "title": "Title", "description": "Description", "stage_id": "Stage", "priority": "Priority", "due_at": "Due",
        "start_at": "Start", "estimate": "Estimate", "tags": "Tags", "blocked": "Blocked", "blocked_reason": "Blocked reason",
        "assignee_id": "Assignee", "outcome": "Outcome", "constraints": "Constraints", "success_criteria": "Success criteria",
        "risk_tolerance": "Risk tolerance", "delegation_level": "Delegation level", "decide_alone": "May decide alone",
        "consult_first": "Consult first", "escalate": "Escalate", "skills": "Skills", "stretch": "Stretch",
    ]
}
