import Fluent
import Vapor
import BatonCore

/// Validates `TaskChanges` against a task and its project, sets them, and records one event per
/// change (who, what, from → to). Runs inside the service's transaction.
struct TaskApplier {
    let task: WorkTask
    let scope: WorkScope.ProjectAccess
    let stages: [Stage]
    let ctx: WriteContext
    let isNew: Bool
    let cache: WorkCache?
    private(set) var changed = false
    /// Something other than the stage changed (guests may only move their tasks through stages).
    private(set) var changedDetails = false
    /// How the caller stood to the task before this change.
    let standing: DelegationStanding

    init(task: WorkTask, scope: WorkScope.ProjectAccess, stages: [Stage], ctx: WriteContext, isNew: Bool, cache: WorkCache? = nil) {
        self.standing = DelegationStanding(task, scope)
        self.task = task
        self.scope = scope
        self.stages = stages
        self.ctx = ctx
        self.isNew = isNew
        self.cache = cache
    }

    private func requireMember(_ userID: UUID, field: String) async throws {
        if let cache {
            guard cache.members.contains(userID.uuidString.lowercased()) else {
                throw BatonError.validation(field, "Not an active member of this workspace.")
            }
            return
        }
        try await WorkService.requireActiveMember(scope.access, userID, field: field, ctx: ctx)
    }

    private var actor: UUID { scope.access.userID }
    private var subject: EventSubject { .task(task) }

    private mutating func record(_ kind: WorkEvent, _ data: [String: String]) {
        changed = true
        changedDetails = true
        guard !isNew || kind == .taskAssigned else { return }
        ctx.record(kind, workspace: task.workspaceID, actor: actor, subject: subject, data: data.merging(["title": task.title]) { $1 })
    }

    private mutating func recordField(_ name: String, from: String, to: String) {
        record(WorkEvent.taskUpdated, ["field": name, "from": String(from.prefix(200)), "to": String(to.prefix(200))])
    }

    mutating func validateAndSet(_ changes: TaskChanges) async throws {
        // A form sends every field back: a value that did not change is not checked again (a title
        // stored before a rule existed must not stop a priority change).
        if let raw = changes.title, isNew || raw.trimmingCharacters(in: .whitespacesAndNewlines) != task.title {
            let title = try DisplayText.validate(raw, label: "Title", max: 300).orFail(field: "title")
            if title != task.title { let old = task.title; task.title = title; if !isNew { recordField("title", from: old, to: title) } }
        }
        if let raw = changes.description, isNew || raw != task.description {
            let description = try DisplayText.validate(raw, label: "Description", max: 20_000, required: false, lines: true)
                .orFail(field: "description")
            if description != task.description {
                task.description = description
                recordField("description", from: "", to: "")
            }
        }
        if let priority = changes.priority, priority != task.priority {
            recordField("priority", from: task.priority.rawValue, to: priority.rawValue)
            task.priority = priority
        }
        if let zone = changes.timeZone, zone != task.timeZone {
            guard TimeZoneName.isValid(zone) else { throw BatonError.validation("time_zone", "Unknown time zone \"\(zone)\".") }
            recordField("time_zone", from: task.timeZone, to: zone)
            task.timeZone = zone
        }
        for (field, change, stored) in [("start_at", changes.startAt, task.startAt), ("due_at", changes.dueAt, task.dueAt)] {
            if case .some(.some(let date)) = change, date != stored, !BatonDate.isPlausible(date) {
                throw BatonError.validation(field, BatonDate.implausibleMessage)
            }
        }
        if let start = changes.startAt, start != task.startAt {
            recordField("start_at", from: BatonDate.iso(task.startAt), to: BatonDate.iso(start))
            task.startAt = start
        }
        if let due = changes.dueAt, due != task.dueAt {
            if !isNew { record(WorkEvent.taskDueChanged, ["from": BatonDate.iso(task.dueAt), "to": BatonDate.iso(due)]) }
            task.dueAt = due
        }
        if let start = task.startAt, let due = task.dueAt, due < start {
            throw BatonError.validation(changes.dueAt != nil ? "due_at" : "start_at", "The due date is before the start date.")
        }
        if let estimate = changes.estimate, estimate != task.estimate {
            if let hours = estimate, !hours.isFinite || hours < 0 || hours > 10_000 {
                throw BatonError.validation("estimate", "Estimate is in hours, from 0 to 10000.")
            }
            recordField("estimate", from: task.estimate.map { String($0) } ?? "", to: estimate.map { String($0) } ?? "")
            task.estimate = estimate
        }
        try await setParent(changes.parentID)
        try setBlocked(changes)
        try await setAssignee(changes.assigneeID)
        try await setStage(changes.stageID, newChecklist: changes.brief?.checklist ?? [], settingBlocked: changes.blocked != nil)
        if let brief = changes.brief { try await setBrief(brief) }
        if isNew, let tags = changes.tags { task.tags = try Self.validTags(tags).joined(separator: ";") }
    }

    private mutating func setParent(_ change: UUID??) async throws {
        guard let parent = change, parent != task.parentID else { return }
        if let parentID = parent {
            guard parentID != task.id, let found = try await WorkTask.find(parentID, on: ctx.db), found.projectID == task.projectID else {
                throw BatonError.validation("parent_id", "The parent must be another task of this project.")
            }
            // Walk up: a task cannot become its own ancestor.
            var cursor: UUID? = found.parentID
            while let current = cursor {
                if current == task.id { throw BatonError.validation("parent_id", "That would make a loop of subtasks.") }
                cursor = try await WorkTask.find(current, on: ctx.db)?.parentID
            }
        }
        recordField("parent", from: task.parentID?.uuidString ?? "", to: parent?.uuidString ?? "")
        task.parentID = parent
    }

    private mutating func setBlocked(_ changes: TaskChanges) throws {
        let blocked = changes.blocked ?? task.blocked
        if blocked && task.blocked, let raw = changes.blockedReason {
            // A new reason on a task that stays blocked is a change like any other.
            let reason = try Self.blockedReason(raw)
            if reason != task.blockedReason {
                recordField("blocked_reason", from: task.blockedReason ?? "", to: reason)
                task.blockedReason = reason
            }
            return
        }
        if blocked && !task.blocked {
            let reason = try Self.blockedReason(changes.blockedReason ?? "")
            task.blocked = true
            task.blockedReason = reason
            task.blockedAt = ctx.now
            record(WorkEvent.taskBlocked, ["reason": task.blockedReason ?? ""])
        } else if !blocked && task.blocked {
            task.blocked = false
            task.blockedReason = nil
            task.blockedAt = nil
            record(WorkEvent.taskUnblocked, [:])
        }
    }

    private static func blockedReason(_ raw: String) throws -> String {
        if raw.allSatisfy(\.isWhitespace) { throw BatonError.validation("blocked_reason", "Say what is blocking the task.") }
        return try DisplayText.validate(raw, label: "Blocked reason", max: 500, lines: true).orFail(field: "blocked_reason")
    }

    /// The person who makes an assignment is its delegator; the new assignee has to accept again.
    private mutating func setAssignee(_ change: UUID??) async throws {
        guard let assignee = change, assignee != task.assigneeID else { return }
        let handingBack = !isNew && standing.party == .assignee && assignee == task.delegatorID
        if !isNew { try await standing.require(handingBack ? .handBack : .reassign, on: ctx.db) }
        if let userID = assignee { try await requireMember(userID, field: "assignee_id") }
        let from = task.assigneeID
        task.assigneeID = assignee
        // handed back, the task is its delegator's again: the assignee does not become its delegator
        task.delegatorID = assignee == nil || handingBack ? task.delegatorID : actor
        task.handoffAcceptedAt = nil
        task.clarificationRequestedAt = nil
        record(WorkEvent.taskAssigned, ["from": from?.uuidString ?? "", "to": assignee?.uuidString ?? "",
                                "delegator": assignee == nil ? "" : actor.uuidString])
    }

    /// A new task may start in a done stage only if the done rule holds: its acceptance items
    /// (`newChecklist`, all still unchecked) would have to be empty.
    private mutating func setStage(_ change: UUID?, newChecklist: [String], settingBlocked: Bool) async throws {
        guard let stageID = change, stageID != task.stageID else { return }
        guard let target = stages.first(where: { $0.id == stageID }) else {
            throw BatonError.validation("stage_id", "Choose a stage of this project.")
        }
        if isNew {
            if target.category == .done {
                let open = CompletionRule.openItems(newChecklist.map { .init(text: $0, checked: false, waivedReason: nil) })
                if !open.isEmpty { throw BatonError.validation("stage_id", CompletionRule.message(for: open)) }
            }
            task.stageID = stageID
            task.stageCategory = target.category
            task.completedAt = target.category == .done ? ctx.now : nil
            if target.category == .blocked, !task.blocked { flagBlocked(by: target) }
            return
        }
        guard let current = stages.first(where: { $0.id == task.stageID }) else { return }
        try await TaskReview.move(task, from: current, to: target, stages: stages, standing: standing, actor: actor, ctx: ctx)
        changed = true
        // One meaning of blocked: the flag. A blocked-category stage (older projects keep one) sets
        // it on the way in and clears it on the way out, unless the same change says otherwise.
        if target.category == .blocked, !task.blocked {
            flagBlocked(by: target)
        } else if current.category == .blocked, target.category != .blocked, task.blocked, !settingBlocked {
            task.blocked = false
            task.blockedReason = nil
            task.blockedAt = nil
            record(WorkEvent.taskUnblocked, [:])
        }
    }

    private mutating func flagBlocked(by stage: Stage) {
        task.blocked = true
        task.blockedReason = "In the \(stage.name) stage"
        task.blockedAt = ctx.now
        record(WorkEvent.taskBlocked, ["reason": task.blockedReason ?? ""])
    }

    private mutating func setBrief(_ brief: TaskChanges.BriefChanges) async throws {
        var fields: [String] = []
        func text(_ raw: String?, _ key: String, _ keyPath: ReferenceWritableKeyPath<WorkTask, String>) throws {
            guard let raw else { return }
            let value = try DisplayText.validate(raw, label: "brief.\(key)", max: 5000, required: false, lines: true).orFail(field: "brief.\(key)")
            if value != task[keyPath: keyPath] { task[keyPath: keyPath] = value; fields.append(key) }
        }
        try text(brief.outcome, "outcome", \.outcome)
        try text(brief.constraints, "constraints", \.constraints)
        try text(brief.successCriteria, "success_criteria", \.successCriteria)
        if let tolerance = brief.riskTolerance, tolerance != task.riskTolerance {
            task.riskTolerance = tolerance
            fields.append("risk_tolerance")
        }
        if let rights = brief.decisionRights {
            for (right, items) in rights { try Self.requireOneLine(items, field: "brief.decision_rights.\(right.rawValue)") }
            let encoded = DecisionRightsText.encode(rights)
            if encoded != task.decisionRights { task.decisionRights = encoded; fields.append("decision_rights") }
        }
        if let level = brief.delegationLevel, level != task.delegationLevel {
            if let level, DelegationLevel(rawValue: level) == nil {
                throw BatonError.validation("brief.delegation_level", "Delegation level goes from 1 (tell) to 7 (delegate).")
            }
            task.delegationLevel = level
            fields.append("delegation_level")
        }
        if let stretch = brief.stretch, stretch != task.stretch { task.stretch = stretch; fields.append("stretch") }
        if let skills = brief.skills {
            try Self.requireOneLine(skills, field: "brief.skills")
            let joined = Self.normalizedList(skills).joined(separator: ";")
            if joined != task.skills { task.skills = joined; fields.append("skills") }
        }
        guard let first = fields.first else { return }
        if !isNew { try await standing.require(.editBrief, subject: Self.briefLabel(first), on: ctx.db) }
        record(WorkEvent.taskBriefUpdated, ["fields": fields.joined(separator: ",")])
    }

    /// "the success criteria", for "Ask Maya Chen to change the success criteria".
    static func briefLabel(_ key: String) -> String {
        if let field = BriefField(rawValue: key) { return "the \(field.label)" }
        if key == "stretch" { return "the stretch flag" }
        return "the " + key.replacingOccurrences(of: "_", with: " ")
    }

    /// Tags, watchers and custom field values live in their own tables (the task row must exist).
    mutating func writeRelated(_ changes: TaskChanges) async throws {
        let taskID = try task.requireID()
        if let tags = changes.tags {
            let normalized = try Self.validTags(tags)
            // A new task's tags went into its row already (validateAndSet); its tag rows go in now.
            if isNew || normalized.joined(separator: ";") != task.tags {
                if !isNew { try await TaskTag.query(on: ctx.db).filter(\.$taskID == taskID).delete() }
                for tag in normalized {
                    let row = TaskTag()
                    row.taskID = taskID
                    row.workspaceID = task.workspaceID
                    row.tag = tag
                    try await ctx.insert(row)
                }
                if !isNew { recordField("tags", from: task.tags.replacingOccurrences(of: ";", with: ", "), to: normalized.joined(separator: ", ")) }
                task.tags = normalized.joined(separator: ";")
                changed = true
            }
        }
        var watchers = changes.watcherIDs.map(Set.init)
        if isNew || changes.assigneeID != nil {
            // The people on both ends of a handoff follow it.
            let current = isNew ? [] : Set(try await TaskWatcher.query(on: ctx.db).filter(\.$taskID == taskID).all().map(\.userID))
            watchers = (watchers ?? current).union([task.assigneeID, task.delegatorID, isNew ? actor : nil].compactMap { $0 })
        }
        if let watchers { try await setWatchers(watchers) }
        if let fields = changes.customFields { try await setCustomFields(fields) }
        // The task row is written once: a new one before this, an update by the caller with its version guard.
    }

    private static func validTags(_ tags: [String]) throws -> [String] {
        try requireOneLine(tags, field: "tags")
        let normalized = normalizedList(tags.map { $0.lowercased() })
        guard normalized.count <= 20, normalized.allSatisfy({ $0.count <= 40 }) else {
            throw BatonError.validation("tags", "Up to 20 tags of at most 40 characters each.")
        }
        return normalized
    }

    private mutating func setWatchers(_ wanted: Set<UUID>) async throws {
        let taskID = try task.requireID()
        let rows = isNew ? [] : try await TaskWatcher.query(on: ctx.db).filter(\.$taskID == taskID).all()
        let current = Set(rows.map(\.userID))
        for userID in wanted.subtracting(current) {
            try await requireMember(userID, field: "watcher_ids")
            let row = TaskWatcher()
            row.taskID = taskID
            row.userID = userID
            try await ctx.insert(row)
            if !isNew { record(WorkEvent.taskWatcherAdded, ["user_id": userID.uuidString]) }
        }
        for row in rows where !wanted.contains(row.userID) {
            try await row.delete(on: ctx.db)
            record(WorkEvent.taskWatcherRemoved, ["user_id": row.userID.uuidString])
        }
    }

    private mutating func setCustomFields(_ inputs: [String: FieldInput]) async throws {
        let taskID = try task.requireID()
        let fields: [CustomField]
        let members: Set<String>
        if let cache {
            fields = cache.fields
            members = cache.members
        } else {
            fields = try await CustomField.query(on: ctx.db).filter(\.$projectID == task.projectID).all()
            members = Set(try await Tenancy.query(scope.access, Membership.self, on: ctx.db)
                .filter(\.$deactivatedAt == nil).all().map { $0.$user.id.uuidString.lowercased() })
        }
        for (key, input) in inputs.sorted(by: { $0.key < $1.key }) {
            guard let field = fields.first(where: { $0.name.lowercased() == key.lowercased() || $0.id?.uuidString.lowercased() == key.lowercased() }) else {
                throw BatonError.validation("custom_fields.\(key)", "This project has no field called \(key).")
            }
            let value: String?
            switch CustomFieldValue.validate(input, for: field.definition, isPerson: { members.contains($0.lowercased()) }) {
            case .success(let canonical): value = canonical
            case .failure(let problem): throw BatonError.validation("custom_fields.\(field.name)", problem.message)
            }
            let fieldID = try field.requireID()
            let existing = isNew ? nil : try await TaskFieldValue.query(on: ctx.db).filter(\.$taskID == taskID).filter(\.$fieldID == fieldID).first()
            guard existing?.value != value else { continue }
            if let value {
                let row = existing ?? TaskFieldValue()
                row.taskID = taskID
                row.fieldID = fieldID
                row.value = value
                if existing == nil { try await ctx.insert(row) } else { try await row.save(on: ctx.db) }
            } else {
                try await existing?.delete(on: ctx.db)
            }
            if !isNew { recordField(field.name, from: existing?.value ?? "", to: value ?? "") } else { changed = true }
        }
    }

    /// Each entry of a list (tags, skills, decision rights) is a one-line name.
    private static func requireOneLine(_ values: [String], field: String) throws {
        if let problem = DisplayText.problem(inEach: values.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }) {
            throw BatonError.validation(field, "Each entry \(problem).")
        }
    }

    static func normalizedList(_ values: [String]) -> [String] {
        var seen: [String] = []
        for value in values.map({ $0.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: ";", with: ",") })
        where !value.isEmpty && !seen.contains(value) {
            seen.append(value)
        }
        return seen
    }
}

/// Decision rights are stored as a small JSON object.
enum DecisionRightsText {
    static func encode(_ rights: [DecisionRight: [String]]) -> String {
        var object: [String: [String]] = [:]
        for (right, items) in rights {
            let cleaned = TaskApplier.normalizedList(items)
            if !cleaned.isEmpty { object[right.rawValue] = cleaned }
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: (try? encoder.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
    }

    static func decode(_ text: String) -> [String: [String]] {
        (try? JSONDecoder().decode([String: [String]].self, from: Data(text.utf8))) ?? [:]
    }
}
