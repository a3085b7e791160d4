/// Activity and history lines for projects and tasks.
enum WorkSentence {
    static func describe(_ kind: EventKind, who: String, data: [String: String], name: (String) -> String) -> String {
        let task = "“\(data["title"] ?? "a task")”"
        func person(_ key: String) -> String {
            guard let id = data[key], !id.isEmpty else { return "nobody" }
            return name(id)
        }
        switch kind {
        case .projectCreated: return "\(who) created the project \(data["name"] ?? "")"
        case .projectUpdated: return "\(who) changed the project’s \(data["field"] ?? "settings")"
        case .projectMemberAdded: return "\(who) added \(person("user_id")) to \(data["project"] ?? "a project")"
        case .projectMemberRemoved: return "\(who) removed \(person("user_id")) from \(data["project"] ?? "a project")"
        case .stageCreated: return "\(who) added the stage \(data["name"] ?? "")"
        case .stageUpdated: return "\(who) changed the stage \(data["name"] ?? "")"
        case .stageRemoved: return "\(who) removed the stage \(data["name"] ?? "") and moved its tasks to \(data["moved_to"] ?? "another stage")"
        case .stagesReordered: return "\(who) reordered the stages"
        case .fieldCreated: return "\(who) added the custom field \(data["name"] ?? "")"
        case .tasksImported: return "\(who) imported \(data["count"] ?? "some") tasks into \(data["project"] ?? "a project")"
        case .taskCreated: return "\(who) created \(task)"
        case .taskAssigned:
            if (data["to"] ?? "").isEmpty { return "\(who) unassigned \(task)" }
            if (data["from"] ?? "").isEmpty { return "\(who) assigned \(task) to \(person("to"))" }
            return "\(who) reassigned \(task) from \(person("from")) to \(person("to"))"
        case .taskStageChanged:
            let verb = data["reopened"] == "true" ? "reopened" : "moved"
            return "\(who) \(verb) \(task) from \(data["from"] ?? "?") to \(data["to"] ?? "?")"
        case .taskDueChanged:
            let to = (data["to"] ?? "").isEmpty ? "no due date" : data["to"]!
            return "\(who) changed the due date of \(task) to \(to)"
        case .taskUpdated: return "\(who) changed the \(data["field"] ?? "details") of \(task)"
        case .taskBlocked: return "\(who) flagged \(task) as blocked: \(data["reason"] ?? "")"
        case .taskUnblocked: return "\(who) unblocked \(task)"
        case .taskBriefUpdated: return "\(who) edited the handoff brief of \(task)"
        case .taskHandoffAccepted: return "\(who) accepted the handoff of \(task)"
        case .taskClarificationRequested: return "\(who) asked about \(task): \(data["question"] ?? "")"
        case .taskChecklistItemAdded: return "\(who) added the acceptance item “\(data["item"] ?? "")” to \(task)"
        case .taskChecklistChecked: return "\(who) checked “\(data["item"] ?? "")” on \(task)"
        case .taskChecklistUnchecked: return "\(who) unchecked “\(data["item"] ?? "")” on \(task)"
        case .taskChecklistWaived: return "\(who) waived “\(data["item"] ?? "")” on \(task): \(data["reason"] ?? "")"
        case .taskCheckpointAdded: return "\(who) added the checkpoint “\(data["checkpoint"] ?? "")” to \(task)"
        case .taskCheckpointReviewed:
            let status = (data["status"] ?? "").replacingOccurrences(of: "_", with: " ")
            return "\(who) reviewed “\(data["checkpoint"] ?? "")” on \(task): \(status)"
        case .taskCommented: return "\(who) commented on \(task)"
        case .taskWatcherAdded: return "\(person("user_id")) is watching \(task)"
        case .taskWatcherRemoved: return "\(person("user_id")) stopped watching \(task)"
        case .viewSaved: return "\(who) saved the view \(data["name"] ?? "")"
        default: return "\(who) \(kind.summary)"
        }
    }
}
