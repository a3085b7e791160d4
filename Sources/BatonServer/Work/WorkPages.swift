import Fluent
import Vapor
import BatonCore

/// HTML pages for Work: projects, the board, a task, the manager dashboard.
struct WorkPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        let workspace = routes.grouped("w", ":workspaceID")
        workspace.get("projects", use: projectsPage)
        workspace.post("projects", use: createProject)
        workspace.get("projects", ":projectID", use: boardPage)
        workspace.post("projects", ":projectID", "tasks", use: quickAddTask)
        workspace.get("projects", ":projectID", "dashboard", use: projectDashboardPage)
        workspace.get("tasks", ":taskID", use: taskPage)
        workspace.post("tasks", ":taskID", use: saveTask)
        workspace.post("tasks", ":taskID", "comments", use: addComment)
        workspace.post("tasks", ":taskID", "accept", use: acceptHandoff)
        workspace.post("tasks", ":taskID", "checklist", use: addChecklistItem)
        workspace.post("tasks", ":taskID", "checklist", ":itemID", use: toggleChecklistItem)
        workspace.get("dashboard", use: managerDashboardPage)
    }

    struct Option: Encodable { let value: String; let label: String; let selected: Bool }

    private func project(_ req: Request, _ access: WorkspaceAccess) async throws -> WorkScope.ProjectAccess {
        try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.db)
    }

    private func names(_ access: WorkspaceAccess, on db: any Database) async throws -> [UUID: String] {
        let members = try await Tenancy.query(access, Membership.self, on: db).with(\.$user).all()
        return Dictionary(members.map { ($0.$user.id, $0.user.name) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: projects

    struct ProjectsContext: Encodable {
        struct Row: Encodable { let id: UUID; let name: String; let description: String; let open: Int; let lead: String }
        let workspaceId: UUID
        let projects: [Row]
        let canCreate: Bool
    }

    private func projectsPage(_ req: Request, errors: [String: String] = [:], form: [String: String] = [:],
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let names = try await names(access, on: req.db)
        var rows: [ProjectsContext.Row] = []
        for project in try await WorkQueries.projects(access, on: req.db) {
            let open = try await WorkTask.query(on: req.db).filter(\.$projectID == project.requireID()).filter(\.$stageCategory != .done).count()
            rows.append(.init(id: try project.requireID(), name: project.name, description: project.description, open: open,
                              lead: project.leadID.flatMap { names[$0] } ?? "—"))
        }
        var page = Page(title: "Projects", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "work"),
                        page: ProjectsContext(workspaceId: access.workspaceID, projects: rows, canCreate: access.role != .guest))
        page.errors = errors
        page.form = form
        return try await PageRenderer.render("work/projects", page, for: req, status: status)
    }

    func projectsPage(req: Request) async throws -> Response { try await projectsPage(req) }

    func createProject(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        do {
            let project = try await req.work.createProject(access, .init(name: form["name"] ?? "", description: form["description"] ?? ""))
            return PageRenderer.redirect(req, to: "/w/\(access.workspaceID)/projects/\(try project.requireID())", notice: "Project \(project.name) created.")
        } catch let error as BatonError where error.field != nil {
            return try await projectsPage(req, errors: [error.field!: error.message], form: form.filter { $0.key != CSRF.field },
                                          status: error.status)
        }
    }

    // MARK: board

    struct Card: Encodable {
        let id: UUID
        let title: String
        let version: Int
        let assignee: String?
        let initials: String
        let due: String?
        let overdue: Bool
        let priority: String
        let blocked: Bool
        let handoff: String
        let tags: [String]
    }

    struct Column: Encodable { let id: UUID; let name: String; let color: String; let category: String; let cards: [Card]; let count: Int }
    struct BoardContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let description: String
        let columns: [Column]
        let canCreate: Bool
        let stageOptions: [Option]
    }

    func boardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        let principal = try req.principal()
        let stages = try await Stage.query(on: req.db).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let tasks = try await WorkTask.query(on: req.db).filter(\.$projectID == scope.projectID)
            .group(.or) { $0.filter(\.$stageCategory != .done).filter(\.$completedAt >= req.application.clock.now().addingTimeInterval(-14 * 86_400)) }
            .sort(\.$priority).sort(\.$dueAt).all()
        let names = try await names(access, on: req.db)
        let now = req.application.clock.now()
        let columns = try stages.map { stage in
            let cards = try tasks.filter { $0.stageID == stage.id }.sorted { ($0.priority.rank, $0.dueAt ?? .distantFuture) < ($1.priority.rank, $1.dueAt ?? .distantFuture) }
                .map { task in
                    let assignee = task.assigneeID.flatMap { names[$0] }
                    return Card(id: try task.requireID(), title: task.title, version: task.version, assignee: assignee,
                                initials: Initials.of(assignee ?? ""), due: task.dueAt.map { DisplayDate.day($0, timeZone: principal.timeZone) },
                                overdue: task.stageCategory != .done && (task.dueAt ?? .distantFuture) < now, priority: task.priority.rawValue,
                                blocked: task.blocked, handoff: TaskDTO.handoffState(task), tags: task.tagList)
                }
            return Column(id: try stage.requireID(), name: stage.name, color: stage.color, category: stage.category.rawValue,
                          cards: cards, count: cards.count)
        }
        let context = BoardContext(workspaceId: access.workspaceID, projectId: scope.projectID, projectName: scope.project.name,
                                   description: scope.project.description, columns: columns,
                                   canCreate: WorkPermission.canCreateTasks(role: access.role),
                                   stageOptions: try stages.map { Option(value: try $0.requireID().uuidString, label: $0.name, selected: false) })
        return try await PageRenderer.render("work/board", Page(title: scope.project.name, layout: try await PageRenderer.layout(
            for: req, workspace: access, nav: "work"), page: context), for: req)
    }

    func quickAddTask(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        let form = try req.content.decode([String: String].self)
        var changes = TaskChanges(title: form["title"] ?? "")
        if let stage = form["stage_id"].flatMap(UUID.init(uuidString:)) { changes.stageID = stage }
        do {
            let task = try await req.work.createTask(scope, changes)
            return PageRenderer.redirect(req, to: "/w/\(access.workspaceID)/tasks/\(try task.requireID())", notice: "Task created. Add the handoff brief below.")
        } catch let error as BatonError where error.field != nil {
            return PageRenderer.redirect(req, to: "/w/\(access.workspaceID)/projects/\(scope.projectID)", notice: error.message)
        }
    }

    // MARK: task

    struct TaskContext: Encodable {
        struct Item: Encodable { let id: UUID; let text: String; let checked: Bool; let waivedReason: String? }
        struct CheckpointRow: Encodable { let title: String; let due: String; let status: String?; let note: String }
        struct CommentRow: Encodable { let author: String; let body: String; let when: String }
        struct HistoryRow: Encodable { let sentence: String; let when: String }
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let task: TaskDTO
        let delegator: String?
        let assignee: String?
        let isAssignee: Bool
        let canEdit: Bool
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
        let checklist: [Item]
        let checkpoints: [CheckpointRow]
        let comments: [CommentRow]
        let history: [HistoryRow]
    }

    private func taskPage(_ req: Request, errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let (task, scope) = try await WorkScope.task(id: try req.uuidParameter("taskID", label: "Task"), for: principal.userID, on: req.db)
        guard task.workspaceID == access.workspaceID else { throw BatonError.notFound("Task") }
        let detail = try await WorkQueries.detail(task, on: req.db)
        let stages = try await Stage.query(on: req.db).filter(\.$projectID == task.projectID).sort(\.$position).all()
        let members = try await Tenancy.query(access, Membership.self, on: req.db).filter(\.$deactivatedAt == nil).with(\.$user).all()
            .sorted { $0.user.name < $1.user.name }
        let names = try await names(access, on: req.db)
        let comments = try await TaskComment.query(on: req.db).filter(\.$taskID == task.requireID()).sort(\.$createdAt).all()
        let history = try await WorkQueries.history(task, on: req.db)
        let rights = detail.brief.decisionRights
        let dueFormatter = DateFormatter()
        dueFormatter.locale = Locale(identifier: "en_US_POSIX")
        dueFormatter.timeZone = TimeZone(identifier: task.timeZone) ?? TimeZone(identifier: "UTC")
        dueFormatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        let context = TaskContext(
            workspaceId: access.workspaceID, projectId: task.projectID, projectName: scope.project.name, task: detail.task,
            delegator: task.delegatorID.flatMap { names[$0] }, assignee: task.assigneeID.flatMap { names[$0] },
            isAssignee: task.assigneeID == principal.userID,
            canEdit: WorkPermission.canEditTask(role: access.role, isAssignee: task.assigneeID == principal.userID),
            stageOptions: try stages.map { Option(value: try $0.requireID().uuidString, label: $0.name, selected: $0.id == task.stageID) },
            assigneeOptions: [Option(value: "", label: "Nobody", selected: task.assigneeID == nil)]
                + members.map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: $0.$user.id == task.assigneeID) },
            priorityOptions: Priority.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == task.priority) },
            riskOptions: [Option(value: "", label: "Not set", selected: task.riskTolerance == nil)]
                + RiskTolerance.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: $0 == task.riskTolerance) },
            levelOptions: [Option(value: "", label: "Not set", selected: task.delegationLevel == nil)]
                + DelegationLevel.allCases.map { Option(value: String($0.rawValue), label: "\($0.rawValue) · \($0.name) — \($0.meaning)",
                                                        selected: $0.rawValue == task.delegationLevel) },
            due: task.dueAt.map { dueFormatter.string(from: $0) } ?? "",
            dueDisplay: task.dueAt.map { DisplayDate.long($0, timeZone: principal.timeZone) },
            brief: detail.brief,
            decideAlone: (rights["decide_alone"] ?? []).joined(separator: "\n"),
            consultFirst: (rights["consult_first"] ?? []).joined(separator: "\n"),
            escalate: (rights["escalate"] ?? []).joined(separator: "\n"),
            skills: detail.brief.skills.joined(separator: ", "), tags: detail.task.tags.joined(separator: ", "),
            checklist: detail.brief.checklist.map { .init(id: $0.id, text: $0.text, checked: $0.checked, waivedReason: $0.waivedReason) },
            checkpoints: detail.brief.checkpoints.map { .init(title: $0.title, due: DisplayDate.long($0.dueAt, timeZone: principal.timeZone),
                                                              status: $0.status?.rawValue.replacingOccurrences(of: "_", with: " "), note: $0.note) },
            comments: comments.map { .init(author: names[$0.authorID] ?? "someone", body: $0.body,
                                           when: DisplayDate.long($0.createdAt, timeZone: principal.timeZone)) },
            history: history.reversed().map { .init(sentence: $0.sentence, when: DisplayDate.long($0.createdAt, timeZone: principal.timeZone)) })
        var page = Page(title: task.title, layout: try await PageRenderer.layout(for: req, workspace: access, nav: "work"), page: context)
        page.errors = errors
        return try await PageRenderer.render("work/task", page, for: req, status: status)
    }

    func taskPage(req: Request) async throws -> Response { try await taskPage(req) }

    private func taskAction(_ req: Request, notice: String, _ action: (UUID, UUID) async throws -> Void) async throws -> Response {
        let access = try await req.workspaceAccess()
        let taskID = try req.uuidParameter("taskID", label: "Task")
        do {
            try await action(taskID, try req.principal().userID)
            return PageRenderer.redirect(req, to: "/w/\(access.workspaceID)/tasks/\(taskID)", notice: notice)
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            return try await taskPage(req, errors: [error.field ?? "task": error.message], status: error.status)
        }
    }

    /// The task form posts every field; only what changed is written (and recorded).
    func saveTask(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await taskAction(req, notice: "Saved.") { taskID, userID in
            let (task, _) = try await WorkScope.task(id: taskID, for: userID, on: req.db)
            var changes = TaskChanges()
            changes.title = form["title"]
            changes.description = form["description"]
            if let raw = form["stage_id"] { changes.stageID = UUID(uuidString: raw) }
            if let raw = form["assignee_id"] { changes.assigneeID = .some(raw.isEmpty ? nil : UUID(uuidString: raw)) }
            if let raw = form["priority"] { changes.priority = Priority(rawValue: raw) }
            if let raw = form["due_at"] {
                if raw.isEmpty { changes.dueAt = .some(nil) } else {
                    guard let due = LocalDateTime.parse(raw, timeZone: task.timeZone) else { throw BatonError.validation("due_at", "Choose a date and time.") }
                    changes.dueAt = .some(due)
                }
            }
            if let raw = form["tags"] { changes.tags = raw.split(separator: ",").map(String.init) }
            if form["blocked"] != nil || form["blocked_reason"] != nil {
                changes.blocked = form["blocked"] == "on"
                changes.blockedReason = form["blocked_reason"]
            }
            if form["brief"] != nil {
                var brief = TaskChanges.BriefChanges()
                brief.outcome = form["outcome"]
                brief.constraints = form["constraints"]
                brief.successCriteria = form["success_criteria"]
                brief.riskTolerance = .some(form["risk_tolerance"].flatMap(RiskTolerance.init(rawValue:)))
                brief.delegationLevel = .some(form["delegation_level"].flatMap(Int.init))
                brief.stretch = form["stretch"] == "on"
                brief.skills = form["skills"]?.split(separator: ",").map(String.init)
                func lines(_ key: String) -> [String] { (form[key] ?? "").split(whereSeparator: \.isNewline).map(String.init) }
                brief.decisionRights = [.decideAlone: lines("decide_alone"), .consultFirst: lines("consult_first"), .escalate: lines("escalate")]
                changes.brief = brief
            }
            _ = try await req.work.updateTask(taskID, for: userID, version: form["version"].flatMap(Int.init), changes)
        }
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

    // MARK: dashboards

    struct DashboardContext: Encodable {
        let workspaceId: UUID
        let dashboard: DashboardDTO
        let names: [String: String]
        let managerOptions: [Option]
        let isProject: Bool
    }

    func managerDashboardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        var managerID = principal.userID
        if let raw = req.query[String.self, at: "manager"], let id = UUID(uuidString: raw) { managerID = id }
        let dashboard = try await DashboardQueries.manager(access, managerID: managerID, timeZone: principal.timeZone,
                                                           now: req.application.clock.now(), on: req.db)
        let memberships = try await Tenancy.query(access, Membership.self, on: req.db).filter(\.$deactivatedAt == nil).with(\.$user).all()
        let managers = Set(memberships.compactMap(\.managerID))
        let options = memberships.filter { managers.contains($0.$user.id) || $0.$user.id == principal.userID }
            .sorted { $0.user.name < $1.user.name }
            .map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: $0.$user.id == managerID) }
        return try await renderDashboard(req, access, dashboard, options: options, isProject: false)
    }

    func projectDashboardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        let dashboard = try await DashboardQueries.project(scope, timeZone: try req.principal().timeZone,
                                                           now: req.application.clock.now(), on: req.db)
        return try await renderDashboard(req, access, dashboard, options: [], isProject: true)
    }

    private func renderDashboard(_ req: Request, _ access: WorkspaceAccess, _ dashboard: DashboardDTO, options: [Option],
                                 isProject: Bool) async throws -> Response {
        let names = try await names(access, on: req.db)
        let context = DashboardContext(workspaceId: access.workspaceID, dashboard: dashboard,
                                       names: Dictionary(names.map { ($0.key.uuidString, $0.value) }, uniquingKeysWith: { first, _ in first }),
                                       managerOptions: options, isProject: isProject)
        return try await PageRenderer.render("work/dashboard", Page(title: "Dashboard · \(dashboard.scope.name)",
                                                                     layout: try await PageRenderer.layout(for: req, workspace: access, nav: "dashboard"),
                                                                     page: context), for: req)
    }
}

enum Initials {
    static func of(_ name: String) -> String {
        name.split(separator: " ").prefix(2).compactMap(\.first).map(String.init).joined().uppercased()
    }
}

/// `2026-12-01T17:00` from a datetime-local input, in a given time zone.
enum LocalDateTime {
    static func parse(_ text: String, timeZone: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
        for format in ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: text) { return date }
        }
        return nil
    }
}
