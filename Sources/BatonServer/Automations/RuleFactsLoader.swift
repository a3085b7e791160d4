import Fluent
import Foundation
import Vapor
import BatonCore

/// Loads what rules see of tasks (`RuleFacts`) and who they are about, for a batch of tasks of
/// one project: the stages, custom fields, people's names and the assignees' managers.
struct RuleTaskContext: Sendable {
    let project: Project
    let stages: [Stage]
    let fields: [CustomField]
    let tasks: [UUID: WorkTask]
    let values: [UUID: [UUID: String]]
    let watchers: [UUID: [UUID]]
    let names: [UUID: String]
    let managers: [UUID: UUID]
    let baseURL: String

    static func load(project projectID: UUID, tasks taskIDs: [UUID], baseURL: String, on db: any Database) async throws -> RuleTaskContext? {
        guard let project = try await Project.find(projectID, on: db) else { return nil }
        let stages = try await WorkService.stages(of: projectID, on: db)
        let fields = try await CustomField.query(on: db).filter(\.$projectID == projectID).sort(\.$position).all()
        var tasks: [UUID: WorkTask] = [:]
        var values: [UUID: [UUID: String]] = [:]
        var watchers: [UUID: [UUID]] = [:]
        for chunk in taskIDs.chunked(500) {
            for task in try await WorkTask.query(on: db).filter(\.$id ~~ chunk).filter(\.$projectID == projectID).all() {
                tasks[task.id!] = task
            }
            if !fields.isEmpty {
                for value in try await TaskFieldValue.query(on: db).filter(\.$taskID ~~ chunk).all() {
                    values[value.taskID, default: [:]][value.fieldID] = value.value
                }
            }
            for watcher in try await TaskWatcher.query(on: db).filter(\.$taskID ~~ chunk).all() {
                watchers[watcher.taskID, default: []].append(watcher.userID)
            }
        }
        let people = Set(tasks.values.flatMap { [$0.assigneeID, $0.delegatorID] }.compactMap { $0 })
        var names: [UUID: String] = [:]
        var managers: [UUID: UUID] = [:]
        if !people.isEmpty {
            for user in try await User.query(on: db).filter(\.$id ~~ Array(people)).all() { names[user.id!] = user.name }
            for membership in try await Membership.query(on: db).filter(\.$workspaceID == project.workspaceID)
                .filter(\.$user.$id ~~ Array(people)).all() {
                if let manager = membership.managerID { managers[membership.$user.id] = manager }
            }
        }
        return RuleTaskContext(project: project, stages: stages, fields: fields, tasks: tasks, values: values, watchers: watchers,
                               names: names, managers: managers, baseURL: baseURL)
    }

    func facts(of task: WorkTask, rule: Rule, now: Date) -> RuleFacts {
        var facts = RuleFacts()
        let id = task.id!
        let stage = stages.first { $0.id == task.stageID }
        func set(_ key: String, _ value: RuleFacts.Value?, _ display: String? = nil) {
            if let value { facts.values[key] = value }
            if let display { facts.display[key] = display }
        }
        set("title", .text(task.title), task.title)
        set("description", .text(task.description))
        set("stage", .text(task.stageID.uuidString.lowercased()), stage?.name ?? "")
        set("stage_category", .text(task.stageCategory.rawValue))
        set("priority", .text(task.priority.rawValue), task.priority.rawValue)
        set("assignee", task.assigneeID.map { .person($0.uuidString.lowercased()) }, task.assigneeID.flatMap { names[$0] } ?? "nobody")
        set("delegator", task.delegatorID.map { .person($0.uuidString.lowercased()) }, task.delegatorID.flatMap { names[$0] } ?? "nobody")
        set("due_at", task.dueAt.map { .date($0) }, task.dueAt.map { BatonDate.long($0, timeZone: task.timeZone) } ?? "no due date")
        facts.display["due"] = facts.display["due_at"]
        set("start_at", task.startAt.map { .date($0) })
        set("blocked", .bool(task.blocked))
        facts.display["blocked_reason"] = task.blockedReason ?? ""
        set("overdue", .bool(task.dueAt.map { $0 < now } == true && task.stageCategory != .done))
        set("tags", .list(task.tagList), task.tagList.joined(separator: ", "))
        set("estimate", task.estimate.map { .number($0) })
        set("delegation_level", task.delegationLevel.map { .number(Double($0)) })
        set("risk_tolerance", task.riskTolerance.map { .text($0.rawValue) })
        facts.display["project"] = project.name
        facts.display["rule"] = rule.name
        facts.display["link"] = baseURL + WorkPaths.task.url(task.workspaceID, id)
        for field in fields {
            guard let fieldID = field.id else { continue }
            let raw = values[id]?[fieldID]
            let key = "field:\(fieldID.uuidString.lowercased())"
            // A custom field called "Link" or "Title" does not stand in for the built-in placeholder.
            if facts.display[field.name.lowercased()] == nil { facts.display[field.name.lowercased()] = raw ?? "" }
            guard let raw else { continue }
            switch field.type {
            case .number, .money: facts.values[key] = FiniteNumber.parse(raw).map { .number($0) }
            case .date: facts.values[key] = BatonDate.parseLocal(raw, timeZone: "UTC").map { .date($0) }
            case .multiSelect: facts.values[key] = .list(raw.split(separator: ";").map(String.init))
            case .checkbox: facts.values[key] = .bool(raw == "true")
            case .person: facts.values[key] = .person(raw.lowercased())
            case .text, .singleSelect, .url: facts.values[key] = .text(raw)
            }
        }
        return facts
    }
}
