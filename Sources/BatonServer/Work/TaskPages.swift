import Fluent
import Vapor
import BatonCore

/// The task page: details, custom fields, the handoff brief, acceptance checklist, checkpoints,
/// comments and history, each edited through the Work service.
struct TaskPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(WorkPaths.task.inWorkspace, use: taskPage)
        routes.post(WorkPaths.task.inWorkspace, use: saveTask)
        routes.post(WorkPaths.comments.inWorkspace, use: addComment)
        routes.post(WorkPaths.accept.inWorkspace, use: acceptHandoff)
        routes.post(WorkPaths.checklist.inWorkspace, use: addChecklistItem)
        routes.post(WorkPaths.checklistItem.inWorkspace, use: toggleChecklistItem)
        routes.post(WorkPaths.checkpoints.inWorkspace, use: addCheckpoint)
        routes.post(WorkPaths.checkpoint.inWorkspace, use: reviewCheckpoint)
        routes.post(WorkPaths.watchers.inWorkspace, use: changeWatchers)
        routes.post(WorkPaths.subtasks.inWorkspace, use: addSubtask)
    }

    typealias Option = WorkPages.Option

    // MARK: task

    struct TaskContext: Encodable {
        struct Item: Encodable {
            let id: UUID; let text: String; let checked: Bool; let waivedReason: String?
            /// The assignee's reason, waiting for the delegator.
            let waiverRequest: String?
            let canToggle: Bool
        }
        /// `status`/`selfStatus` in words ("At risk"); `warn` when not on track.
        struct CheckpointRow: Encodable {
            let id: UUID; let title: String; let due: String; let status: String?; let warn: Bool; let note: String
            let selfStatus: String?; let selfWarn: Bool; let selfNote: String
        }
        struct ProposalRow: Encodable { let id: UUID; let field: String; let text: String; let reason: String; let by: String; let when: String }
        /// What the viewer may do here under the delegation level (DelegationRights).
        struct Rights: Encodable {
            let ownsBrief: Bool
            let canReassign: Bool
            let canHandBack: Bool
            let canWaive: Bool
            let canRequestWaiver: Bool
            let canPropose: Bool
            let canReviewCheckpoint: Bool
            let canSelfAssess: Bool
            let canReviewCompletion: Bool
            let canAnswer: Bool
            let canArchive: Bool
        }
        /// One custom field as the form shows it.
        struct FieldRow: Encodable {
            let id: UUID
            let name: String
            let type: String
            let value: String
            let checked: Bool
            let options: [Option]
            let hint: String
        }
        /// `html`: the comment's markdown, rendered and sanitized (MarkdownRenderer).
        struct CommentRow: Encodable { let author: String; let html: String; let when: String }
        struct HistoryRow: Encodable { let sentence: String; let when: String }
        struct Person: Encodable { let id: UUID; let name: String }
        struct Related: Encodable { let id: UUID; let title: String; let stage: String; let done: Bool }
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let task: TaskDTO
        /// Its number in the workspace: `#12` in any description or comment links here.
        let number: Int?
        let descriptionHtml: String
        let delegator: String?
        let assignee: String?
        let isAssignee: Bool
        let canEdit: Bool
        /// May move it through stages (a guest on their own task: that and no more).
        let canMove: Bool
        let stageOptions: [Option]
        let assigneeOptions: [Option]
        let priorityOptions: [Option]
        let riskOptions: [Option]
        let levelOptions: [Option]
        let due: String
        let dueDisplay: String?
        let brief: BriefDTO
        let decideAlone: String
        let consultFirst: String
        let escalate: String
        let skills: String
        let tags: String
        let estimate: String
        let start: String
        let watchers: [Person]
        let watcherOptions: [Option]
        let parent: Related?
        let subtasks: [Related]
        let fields: [FieldRow]
        let checklist: [Item]
        let checkpoints: [CheckpointRow]
        let rights: Rights
        /// "Level 5 · Advise: you decide how; Maya Chen reviews before it is done", when delegated.
        let rightsSummary: String?
        /// Submitted for acceptance: since when (in words).
        let awaitingSince: String?
        let returnedWhen: String?
        let proposals: [ProposalRow]
        let question: String?
        let archivedWhen: String?
        /// Every date on the page and in its fields is in the viewer's time zone.
        let viewerTimeZone: String
        /// FormMerge's fingerprint of the form as rendered.
        let base: String
        /// After a clash: the fields someone else saved since the form was opened.
        let conflict: [String]
        struct BriefPart: Encodable { let field: String; let title: String; let label: String; let text: String; let error: String? }
        let briefParts: [BriefPart]
        let riskLabel: String
        let comments: [CommentRow]
        let history: [HistoryRow]
        /// Other modules' sections for this task (reminders), as HTML.
        let panels: [String]
    }

    func taskPage(_ req: Request, errors: [String: String] = [:], conflict: [String] = [],
                  status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let (task, scope) = try await WorkScope.task(id: try req.uuidParameter("taskID", label: "Task"), for: principal.userID, on: req.reader)
        guard task.workspaceID == access.workspaceID else { throw BatonError.notFound("Task") }
        let detail = try await WorkQueries.detail(task, on: req.reader)
        let stages = try await Stage.query(on: req.reader).filter(\.$projectID == task.projectID).sort(\.$position).all()
        let (names, memberships) = try await WorkQueries.members(access, on: req.reader)
        // a guest picks (and is shown) only the people on their projects
        let peers = try await req.guestPeers(access)
        let members = memberships.filter { member in member.isActive && (peers?.contains(member.$user.id) ?? true) }
            .sorted { $0.user.name < $1.user.name }
        let comments = try await TaskComment.query(on: req.reader).filter(\.$taskID == task.requireID()).sort(\.$createdAt).all()
        let history = try await WorkQueries.history(task, in: req.application.modules.events, timeZone: principal.timeZone, on: req.reader)
        let rights = detail.brief.decisionRights
        let taskLinks = try await TaskNumbers.links(in: [task.description] + comments.map(\.body), workspace: access.workspaceID,
                                                    guestProject: access.role == .guest ? task.projectID : nil, on: req.reader)
        let markdown = MarkdownRenderer.forWorkspace(access.workspaceID, members: members, tasks: taskLinks)
        let canEdit = WorkPermission.can(.editDetails, role: access.role, isAssignee: task.assigneeID == principal.userID)
        let standing = DelegationStanding(task, scope)
        let may = standing.allows
        let shows = Self.formShows(task, scope)
        let rightsContext = TaskContext.Rights(
            ownsBrief: shows.brief, canReassign: shows.reassign,
            canHandBack: standing.party == .assignee && canEdit, canWaive: canEdit && may(.waiveItem),
            canRequestWaiver: may(.requestWaiver) && task.isDelegated, canPropose: may(.proposeBriefChange) && task.isDelegated,
            canReviewCheckpoint: canEdit && may(.reviewCheckpoint), canSelfAssess: may(.selfAssessCheckpoint) && task.isDelegated,
            canReviewCompletion: canEdit && may(.reviewCompletion), canAnswer: canEdit && may(.answerQuestion),
            canArchive: canEdit && may(.archive))
        let customFields = try await CustomField.query(on: req.reader).filter(\.$projectID == task.projectID).sort(\.$position).all()
        let formValues = TaskForm.values(task, detail: detail, fields: customFields, reassign: shows.reassign, brief: shows.brief,
                                         timeZone: principal.timeZone)
        let canMoveTask = WorkPermission.can(.moveStage, role: access.role, isAssignee: task.assigneeID == principal.userID)
        func mayToggle(_ item: ChecklistItemDTO) -> Bool {
            guard canMoveTask else { return false }
            guard item.checked || item.waivedReason != nil else { return may(.tickItem) }
            return may(DelegationRights.untickAction(tickedBy: item.checkedBy, by: principal.userID, waived: item.waivedReason != nil,
                                                     submitted: task.acceptanceRequestedAt != nil))
        }
        let context = TaskContext(
            workspaceId: access.workspaceID, projectId: task.projectID, projectName: scope.project.name, task: detail.task,
            number: try await TaskNumbers.number(of: try task.requireID(), on: req.reader),
            descriptionHtml: markdown.html(task.description),
            delegator: task.delegatorID.flatMap { names[$0] }, assignee: task.assigneeID.flatMap { names[$0] },
            isAssignee: task.assigneeID == principal.userID,
            canEdit: canEdit, canMove: canMoveTask,
            stageOptions: try stages.map { Option(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == task.stageID) },
            assigneeOptions: [Option(value: "", label: "Nobody", selected: task.assigneeID == nil)]
                + members.map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: $0.$user.id == task.assigneeID) },
            priorityOptions: Priority.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == task.priority) },
            riskOptions: [Option(value: "", label: "Not set", selected: task.riskTolerance == nil)]
                + RiskTolerance.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == task.riskTolerance) },
            levelOptions: [Option(value: "", label: "Not set", selected: task.delegationLevel == nil)]
                + DelegationLevel.allCases.map { Option(value: String($0.rawValue), label: "\($0.rawValue) · \($0.name) — \($0.meaning)",
                                                        selected: $0.rawValue == task.delegationLevel) },
            due: formValues["due_at"] ?? "",
            dueDisplay: task.dueAt.map { BatonDate.long($0, timeZone: principal.timeZone) },
            brief: detail.brief,
            decideAlone: (rights["decide_alone"] ?? []).joined(separator: "\n"),
            consultFirst: (rights["consult_first"] ?? []).joined(separator: "\n"),
            escalate: (rights["escalate"] ?? []).joined(separator: "\n"),
            skills: detail.brief.skills.joined(separator: ", "), tags: formValues["tags"] ?? "",
            estimate: formValues["estimate"] ?? "", start: formValues["start_at"] ?? "",
            watchers: detail.watcherIds.compactMap { id in names[id].map { TaskContext.Person(id: id, name: $0) } }.sorted { $0.name < $1.name },
            watcherOptions: members.filter { !detail.watcherIds.contains($0.$user.id) }
                .map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: false) },
            parent: try await related(task.parentID.map { [$0] } ?? [], stages: stages, on: req.reader).first,
            subtasks: try await related(detail.subtaskIds, stages: stages, on: req.reader),
            fields: try fieldRows(customFields, values: detail.task.customFields, members: members),
            checklist: detail.brief.checklist.map { .init(id: $0.id, text: $0.text, checked: $0.checked, waivedReason: $0.waivedReason,
                                                          waiverRequest: $0.waiverRequest?.reason, canToggle: mayToggle($0)) },
            checkpoints: detail.brief.checkpoints.map {
                .init(id: $0.id, title: $0.title, due: BatonDate.long($0.dueAt, timeZone: principal.timeZone), status: $0.status?.label,
                      warn: $0.status.map { $0 != .onTrack } ?? false, note: $0.note, selfStatus: $0.selfStatus?.label,
                      selfWarn: $0.selfStatus.map { $0 != .onTrack } ?? false, selfNote: $0.selfNote ?? "")
            },
            rights: rightsContext, rightsSummary: detail.brief.rightsSummary,
            awaitingSince: task.acceptanceRequestedAt.map { BatonDate.long($0, timeZone: principal.timeZone) },
            returnedWhen: task.returnFeedback == nil ? nil : task.returnedAt.map { BatonDate.long($0, timeZone: principal.timeZone) },
            proposals: detail.brief.proposals.map {
                .init(id: $0.id, field: BriefField(rawValue: $0.field)?.title ?? $0.field, text: $0.text, reason: $0.reason,
                      by: names[$0.proposedBy] ?? "someone", when: BatonDate.long($0.createdAt, timeZone: principal.timeZone))
            },
            question: task.clarificationRequestedAt == nil ? nil : task.clarificationQuestion,
            archivedWhen: task.archivedAt.map { BatonDate.long($0, timeZone: principal.timeZone) },
            viewerTimeZone: principal.timeZone, base: FormMerge.fingerprint(formValues), conflict: conflict,
            briefParts: BriefField.allCases.map { field in
                .init(field: field.rawValue, title: field.title, label: field.label, text: WorkService.briefText(task, field),
                      error: errors["proposal_\(field.rawValue)"])
            },
            riskLabel: task.riskTolerance?.rawValue.capitalized ?? "",
            comments: comments.map { .init(author: names[$0.authorID] ?? "someone", html: markdown.html($0.body),
                                           when: BatonDate.long($0.createdAt, timeZone: principal.timeZone)) },
            history: history.reversed().map { .init(sentence: $0.sentence, when: BatonDate.long($0.createdAt, timeZone: principal.timeZone)) },
            panels: try await req.application.modules.panels(.init(req: req, access: access, subjectType: "task", subjectID: try task.requireID())))
        var page = Page(title: task.title, layout: try await PageRenderer.layout(for: req, workspace: access, nav: "work"), page: context)
        page.errors = errors
        return try await PageRenderer.render("work/task", page, for: req, status: status)
    }

    func taskPage(req: Request) async throws -> Response { try await taskPage(req) }

    /// Parent and subtasks (same project, so the project's stages name them).
    private func related(_ ids: [UUID], stages: [Stage], on db: any Database) async throws -> [TaskContext.Related] {
        guard !ids.isEmpty else { return [] }
        let names = Dictionary(stages.compactMap { stage in stage.id.map { ($0, stage.name) } }, uniquingKeysWith: { first, _ in first })
        let tasks = try await WorkTask.query(on: db).filter(\.$id ~~ ids).all()
        let order = Dictionary(ids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        return try tasks.sorted { order[$0.id!]! < order[$1.id!]! }.map {
            TaskContext.Related(id: try $0.requireID(), title: $0.title, stage: names[$0.stageID] ?? "", done: $0.stageCategory == .done)
        }
    }

    /// Adds someone to the watchers, removes them, or (without `user_id`) starts or stops watching yourself.
    func changeWatchers(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let adding = form["action"] != "remove"
        return try await taskAction(req, notice: adding ? "Added a watcher." : "Removed a watcher.") { taskID, userID in
            let (task, _) = try await WorkScope.task(id: taskID, for: userID, on: req.reader)
            let person = try form["user_id"].map { raw in
                guard let id = UUID(uuidString: raw) else { throw BatonError.validation("watcher_ids", "Choose someone to add.") }
                return id
            } ?? userID
            var watchers = Set(try await TaskWatcher.query(on: req.reader).filter(\.$taskID == task.requireID()).all().map(\.userID))
            if adding { watchers.insert(person) } else { watchers.remove(person) }
            var changes = TaskChanges()
            changes.watcherIDs = Array(watchers)
            _ = try await req.work.updateTask(taskID, for: userID, version: task.version, changes)
        }
    }

    /// A subtask in the same project, created from the parent's page.
    func addSubtask(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await taskAction(req, notice: "Subtask added.") { taskID, userID in
            let (_, scope) = try await WorkScope.task(id: taskID, for: userID, on: req.reader)
            var changes = TaskChanges(title: form["subtask_title"] ?? "")
            changes.parentID = .some(taskID)
            do {
                _ = try await req.work.createTask(scope, changes)
            } catch let error as BatonError where error.field == "title" {
                throw BatonError.validation("subtask_title", error.message)
            }
        }
    }

    private func fieldRows(_ fields: [CustomField], values: [String: String], members: [Membership]) throws -> [TaskContext.FieldRow] {
        try fields.map { field in
            let value = values[field.name] ?? ""
            let options: [Option]
            switch field.type {
            case .singleSelect:
                options = [Option(value: "", label: "—", selected: value.isEmpty)]
                    + field.optionList.map { Option(value: $0, label: $0, selected: $0 == value) }
            case .person:
                options = [Option(value: "", label: "Nobody", selected: value.isEmpty)]
                    + members.map { Option(value: $0.$user.id.uuidString, label: $0.user.name,
                                           selected: $0.$user.id.uuidString.lowercased() == value.lowercased()) }
            default:
                options = []
            }
            let hint: String
            switch field.type {
            case .money: hint = field.currency ?? ""
            case .multiSelect: hint = field.optionList.joined(separator: "; ")
            case .date: hint = "YYYY-MM-DD"
            default: hint = ""
            }
            return TaskContext.FieldRow(id: try field.requireID(), name: field.name, type: field.type.rawValue, value: value,
                                        checked: value == "true", options: options, hint: hint)
        }
    }

    func taskAction(_ req: Request, notice: String, _ action: (UUID, UUID) async throws -> Void) async throws -> Response {
        let access = try await req.workspaceAccess()
        let taskID = try req.uuidParameter("taskID", label: "Task")
        do {
            try await action(taskID, try req.principal().userID)
            return PageRenderer.redirect(req, to: WorkPaths.task.url(access.workspaceID, taskID), notice: notice)
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            return try await taskPage(req, errors: [error.field ?? "task": error.message], status: error.status)
        }
    }

    /// The task form posts every field; only what changed is written (and recorded). When someone
    /// else saved since the form was opened, the fields only this user changed still go through
    /// (FormMerge); a field both changed is a 409 that keeps this user's edit in the form.
    func saveTask(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let taskID = try req.uuidParameter("taskID", label: "Task")
        let userID = try req.principal().userID
        let (task, scope) = try await WorkScope.task(id: taskID, for: userID, on: req.reader)
        let base = form["base"].map(FormMerge.parse) ?? [:]
        var apply = Set(form.keys).union(base.keys)
        // without a fingerprint (an older page, a one-button form) a form's markers say which checkboxes it showed
        for key in form.keys where key.hasPrefix("cf_present_") { apply.insert("cf_" + key.dropFirst("cf_present_".count)) }
        if form["blocked_reason"] != nil { apply.insert("blocked") }
        if form["brief"] != nil { apply.insert("stretch") }
        var version = form["version"].flatMap(Int.init)
        if !base.isEmpty, let read = version, read != task.version {
            let detail = try await WorkQueries.detail(task, on: req.reader)
            let fields = try await CustomField.query(on: req.reader).filter(\.$projectID == task.projectID).all()
            let showed = Self.formShows(task, scope)
            let current = TaskForm.values(task, detail: detail, fields: fields, reassign: showed.reassign, brief: showed.brief,
                                          timeZone: try req.principal().timeZone)
            let outcome = FormMerge.compare(base: base, posted: form, current: current)
            if !outcome.clashes.isEmpty {
                let names = Dictionary(fields.compactMap { field in field.id.map { ("cf_\($0.uuidString)", field.name) } }) { first, _ in first }
                let changed = outcome.theirs.sorted().map { key in
                    let label = TaskForm.labels[key] ?? names[key] ?? key
                    return outcome.clashes.contains(key) ? "\(label) (you changed it too)" : label
                }
                return try await taskPage(req, errors: ["version": "Someone else saved this task after you opened it. Your edits are still in the form: check the fields marked below, then save again."],
                                          conflict: changed, status: .conflict)
            }
            apply = outcome.mine
            version = task.version
        }
        func value(_ key: String) -> String? { apply.contains(key) ? (form[key] ?? "") : nil }
        let viewerZone = try req.principal().timeZone
        return try await taskAction(req, notice: "Saved.") { taskID, userID in
            var changes = TaskChanges()
            changes.title = value("title")
            changes.description = value("description")
            if let raw = value("stage_id") { changes.stageID = UUID(uuidString: raw) }
            if let raw = value("assignee_id") { changes.assigneeID = .some(raw.isEmpty ? nil : UUID(uuidString: raw)) }
            if let raw = value("priority") { changes.priority = Priority(rawValue: raw) }
            if let raw = value("due_at") {
                if raw.isEmpty { changes.dueAt = .some(nil) } else {
                    guard let due = BatonDate.parseLocal(raw, timeZone: viewerZone) else { throw BatonError.validation("due_at", "Choose a date and time.") }
                    changes.dueAt = .some(due)
                }
            }
            if let raw = value("tags") { changes.tags = raw.split(separator: ",").map(String.init) }
            if let raw = value("estimate") {
                if raw.isEmpty { changes.estimate = .some(nil) } else {
                    guard let hours = FiniteNumber.parse(raw) else { throw BatonError.validation("estimate", "Estimate is a number of hours.") }
                    changes.estimate = .some(hours)
                }
            }
            if let raw = value("start_at") {
                if raw.isEmpty { changes.startAt = .some(nil) } else {
                    guard let start = BatonDate.parseLocal(raw, timeZone: viewerZone) else { throw BatonError.validation("start_at", "Choose a date and time.") }
                    changes.startAt = .some(start)
                }
            }
            // Custom fields arrive as cf_<id>; a checkbox's hidden cf_present_<id> says it was on the form.
            var fields: [String: FieldInput] = [:]
            for (key, type) in form where key.hasPrefix("cf_present_") {
                let id = String(key.dropFirst("cf_present_".count))
                guard let raw = value("cf_\(id)") else { continue }
                fields[id] = type == "checkbox" ? .bool(raw == "on") : raw.isEmpty ? .null : .string(raw)
            }
            if !fields.isEmpty { changes.customFields = fields }
            if let blocked = value("blocked") {
                changes.blocked = blocked == "on"
                changes.blockedReason = form["blocked_reason"]
            } else if let reason = value("blocked_reason") {
                changes.blockedReason = reason
            }
            if form["brief"] != nil {
                var brief = TaskChanges.BriefChanges()
                brief.outcome = value("outcome")
                brief.constraints = value("constraints")
                brief.successCriteria = value("success_criteria")
                if let raw = value("risk_tolerance") { brief.riskTolerance = .some(RiskTolerance(rawValue: raw)) }
                if let raw = value("delegation_level") { brief.delegationLevel = .some(Int(raw)) }
                if let raw = value("stretch") { brief.stretch = raw == "on" }
                brief.skills = value("skills")?.split(separator: ",").map(String.init)
                let rightKeys: [(String, DecisionRight)] = [("decide_alone", .decideAlone), ("consult_first", .consultFirst), ("escalate", .escalate)]
                if rightKeys.contains(where: { apply.contains($0.0) }) {
                    let stored = DecisionRightsText.decode(task.decisionRights)
                    var rights: [DecisionRight: [String]] = [:]
                    for (key, right) in rightKeys {
                        rights[right] = value(key).map { $0.split(whereSeparator: \.isNewline).map(String.init) } ?? stored[key] ?? []
                    }
                    brief.decisionRights = rights
                }
                changes.brief = brief
            }
            _ = try await req.work.updateTask(taskID, for: userID, version: version, changes)
        }
    }

    /// Whether the form shows the assignee and the brief (DelegationRights): the fields it may change.
    static func formShows(_ task: WorkTask, _ scope: WorkScope.ProjectAccess) -> (reassign: Bool, brief: Bool) {
        let canEdit = WorkPermission.can(.editDetails, role: scope.access.role, isAssignee: task.assigneeID == scope.access.userID)
        let standing = DelegationStanding(task, scope)
        return (canEdit && standing.allows(.reassign), canEdit && standing.allows(.editBrief))
    }

    func addComment(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await taskAction(req, notice: "Comment added.") { taskID, userID in
            _ = try await req.work.comment(taskID, by: userID, body: form["body"] ?? "")
        }
    }

    func acceptHandoff(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        if let question = form["question"] {
            return try await taskAction(req, notice: "Your question was sent to the delegator.") { taskID, userID in
                _ = try await req.work.askClarification(taskID, by: userID, question: question)
            }
        }
        return try await taskAction(req, notice: "Handoff accepted.") { taskID, userID in
            _ = try await req.work.acceptHandoff(taskID, by: userID)
        }
    }

    func addChecklistItem(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await taskAction(req, notice: "Acceptance item added.") { taskID, userID in
            _ = try await req.work.addChecklistItem(taskID, by: userID, text: form["text"] ?? "")
        }
    }

    func toggleChecklistItem(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let itemID = try req.uuidParameter("itemID", label: "Acceptance item")
        return try await taskAction(req, notice: "Updated.") { taskID, userID in
            let change: WorkService.ChecklistChange
            if let reason = form["waived_reason"] { change = .waive(reason: reason) }
            else { change = form["checked"] == "true" ? .check : .uncheck }
            _ = try await req.work.changeChecklistItem(taskID, itemID: itemID, by: userID, change)
        }
    }


    func addCheckpoint(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await taskAction(req, notice: "Checkpoint added.") { taskID, userID in
            let zone = try req.principal().timeZone
            guard let due = form["due_at"].flatMap({ BatonDate.parseLocal($0, timeZone: zone) }) else {
                throw BatonError.validation("checkpoint_due", "Choose when the checkpoint is.")
            }
            do {
                _ = try await req.work.addCheckpoint(taskID, by: userID, title: form["title"] ?? "", dueAt: due)
            } catch let error as BatonError where error.field == "due_at" {
                throw BatonError.validation("checkpoint_due", error.message)
            }
        }
    }

    func reviewCheckpoint(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let checkpointID = try req.uuidParameter("checkpointID", label: "Checkpoint")
        return try await taskAction(req, notice: "Checkpoint reviewed.") { taskID, userID in
            guard let status = form["status"].flatMap(CheckpointStatus.init(rawValue:)) else {
                throw BatonError.validation("status", "Choose on track, at risk or off track.")
            }
            _ = try await req.work.reviewCheckpoint(taskID, checkpointID: checkpointID, by: userID, status: status, note: form["note"] ?? "")
        }
    }
}
