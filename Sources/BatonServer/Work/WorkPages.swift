import Fluent
import Vapor
import BatonCore

/// HTML pages for Work: projects, the board, a task, the manager dashboard.
struct WorkPages: RouteCollection {
    /// `workspace` is `/w/:workspaceID`, tenancy-checked by the platform.
    func boot(routes workspace: any RoutesBuilder) throws {
        workspace.get(WorkPaths.projects.inWorkspace, use: projectsPage)
        workspace.post(WorkPaths.projects.inWorkspace, use: createProject)
        workspace.post(WorkPaths.archiveProject.inWorkspace, use: archiveProject)
        workspace.post(WorkPaths.restoreProject.inWorkspace, use: restoreProject)
        workspace.get(WorkPaths.board.inWorkspace, use: boardPage)
        workspace.post(WorkPaths.quickAdd.inWorkspace, use: quickAddTask)
        workspace.get(WorkPaths.projectDashboard.inWorkspace, use: projectDashboardPage)
        workspace.get(WorkPaths.dashboard.inWorkspace, use: managerDashboardPage)
    }

    struct Option: Encodable { let value: String; let label: String; let selected: Bool }

    private func project(_ req: Request, _ access: WorkspaceAccess) async throws -> WorkScope.ProjectAccess {
        try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
    }

    // MARK: projects

    struct ProjectsContext: Encodable {
        struct Row: Encodable { let id: UUID; let name: String; let description: String; let open: Int; let lead: String }
        let workspaceId: UUID
        let projects: [Row]
        let canCreate: Bool
        /// Archived projects, shown to those who may restore them (their leads and admins).
        var archived: [Row] = []
    }

    private func projectsPage(_ req: Request, errors: [String: String] = [:], form: [String: String] = [:],
                              status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        let names = try await WorkQueries.members(access, on: req.reader).names
        var rows: [ProjectsContext.Row] = []
        for project in try await WorkQueries.projects(access, on: req.reader) {
            let open = try await WorkTask.query(on: req.reader).filter(\.$projectID == project.requireID()).filter(\.$stageCategory != .done)
                .filter(\.$archivedAt == nil).count()
            rows.append(.init(id: try project.requireID(), name: project.name, description: project.description, open: open,
                              lead: project.leadID.flatMap { names[$0] } ?? "—"))
        }
        var context = ProjectsContext(workspaceId: access.workspaceID, projects: rows, canCreate: access.role != .guest)
        context.archived = try await WorkQueries.projects(access, archived: true, on: req.reader)
            .filter { WorkPermission.canManageProject(role: access.role, isLead: $0.leadID == access.userID) }
            .map { .init(id: try $0.requireID(), name: $0.name, description: $0.description, open: 0, lead: $0.leadID.flatMap { names[$0] } ?? "—") }
        var page = Page(title: "Projects", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "work"), page: context)
        page.errors = errors
        page.form = form
        return try await PageRenderer.render("work/projects", page, for: req, status: status)
    }

    func projectsPage(req: Request) async throws -> Response { try await projectsPage(req) }

    func archiveProject(req: Request) async throws -> Response { try await setArchived(req, true) }
    func restoreProject(req: Request) async throws -> Response { try await setArchived(req, false) }

    private func setArchived(_ req: Request, _ archived: Bool) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        do {
            let project = try await req.work.setProjectArchived(scope, archived)
            return archived
                ? PageRenderer.redirect(req, to: WorkPaths.projects.url(access.workspaceID), notice: "Archived \(project.name). Restore it from the list below.")
                : PageRenderer.redirect(req, to: WorkPaths.board.url(access.workspaceID, scope.projectID), notice: "Restored \(project.name).")
        } catch let error as BatonError where error.status == .conflict {
            return PageRenderer.redirect(req, to: WorkPaths.projects.url(access.workspaceID), notice: error.message)
        }
    }

    func createProject(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        do {
            let project = try await req.work.createProject(access, .init(name: form["name"] ?? "", description: form["description"] ?? ""))
            return PageRenderer.redirect(req, to: WorkPaths.board.url(access.workspaceID, try project.requireID()), notice: "Project \(project.name) created.")
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
        /// What it is blocked on ("Waiting for approval: …"), shown on the card.
        let blockedReason: String?
        let handoff: String
        let tags: [String]
        /// "2/3": ticked or waived acceptance items of all; nil without items.
        let checklist: String?
        let awaitingAcceptance: Bool
    }

    struct Column: Encodable {
        let id: UUID
        let domId: String
        let name: String
        let color: String
        let category: String
        let cards: [Card]
        let count: Int
    }

    /// A row of the board: every stage, for one assignee (or, without swimlanes, for everyone).
    struct Lane: Encodable {
        /// Empty without swimlanes.
        let name: String
        /// The assignee's id, "none" for unassigned work, empty without swimlanes.
        let assigneeId: String
        let count: Int
        let columns: [Column]
    }

    struct BoardContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let description: String
        let lanes: [Lane]
        let byAssignee: Bool
        let canCreate: Bool
        let stageOptions: [Option]
    }

    /// Acceptance items per task: how many are ticked or waived, of how many.
    static func checklistProgress(of taskIDs: [UUID], on db: any Database) async throws -> [UUID: (done: Int, all: Int)] {
        guard !taskIDs.isEmpty else { return [:] }
        var result: [UUID: (done: Int, all: Int)] = [:]
        for chunk in taskIDs.chunked(500) {
            let rows = try await PlainSQL.rows(on: db, """
                SELECT task_id, COUNT(*) AS items,
                       SUM(CASE WHEN checked_at IS NOT NULL OR waived_reason IS NOT NULL THEN 1 ELSE 0 END) AS done
                FROM checklist_items WHERE task_id IN (\(binds: chunk)) GROUP BY task_id
                """)
            for row in rows {
                result[try row.decode(column: "task_id", as: UUID.self)] =
                    (try row.decode(column: "done", as: Int?.self) ?? 0, try row.decode(column: "items", as: Int.self))
            }
        }
        return result
    }

    func boardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        let principal = try req.principal()
        let stages = try await Stage.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let tasks = try await WorkTask.query(on: req.reader).filter(\.$projectID == scope.projectID).filter(\.$archivedAt == nil)
            .group(.or) { $0.filter(\.$stageCategory != .done).filter(\.$completedAt >= req.application.clock.now().addingTimeInterval(-14 * 86_400)) }
            .all()
        let names = try await WorkQueries.members(access, on: req.reader).names
        let progress = try await Self.checklistProgress(of: tasks.compactMap(\.id), on: req.reader)
        let now = req.application.clock.now()
        let byAssignee = req.queryText("lanes") == "assignee"
        func card(_ task: WorkTask) throws -> Card {
            let assignee = task.assigneeID.flatMap { names[$0] }
            return Card(id: try task.requireID(), title: task.title, version: task.version, assignee: assignee,
                        initials: Initials.of(assignee ?? ""), due: task.dueAt.map { BatonDate.day($0, timeZone: principal.timeZone) },
                        overdue: task.stageCategory != .done && (task.dueAt ?? .distantFuture) < now, priority: task.priority.rawValue,
                        blocked: task.blocked, blockedReason: task.blocked ? task.blockedReason : nil, handoff: TaskDTO.handoffState(task), tags: task.tagList,
                        checklist: progress[task.id!].map { "\($0.done)/\($0.all)" }, awaitingAcceptance: task.acceptanceRequestedAt != nil)
        }
        func lane(_ name: String, assigneeID: String, tasks: [WorkTask]) throws -> Lane {
            let columns = try stages.map { stage in
                let cards = try tasks.filter { $0.stageID == stage.id }
                    .sorted { ($0.priority.rank, $0.dueAt ?? .distantFuture) < ($1.priority.rank, $1.dueAt ?? .distantFuture) }.map(card)
                let stageID = try stage.requireID()
                return Column(id: stageID, domId: "\(stageID)\(assigneeID.isEmpty ? "" : "-\(assigneeID)")", name: stage.name,
                              color: stage.color, category: stage.category.rawValue, cards: cards, count: cards.count)
            }
            return Lane(name: name, assigneeId: assigneeID, count: tasks.count, columns: columns)
        }
        var lanes: [Lane] = []
        if byAssignee {
            // One lane per person with work here, by name; unassigned work last.
            let people = Set(tasks.compactMap(\.assigneeID)).map { ($0, names[$0] ?? "Someone") }.sorted { $0.1 < $1.1 }
            for (id, name) in people {
                lanes.append(try lane(name, assigneeID: id.uuidString, tasks: tasks.filter { $0.assigneeID == id }))
            }
            let unassigned = tasks.filter { $0.assigneeID == nil }
            if !unassigned.isEmpty || lanes.isEmpty { lanes.append(try lane("Unassigned", assigneeID: "none", tasks: unassigned)) }
        } else {
            lanes = [try lane("", assigneeID: "", tasks: tasks)]
        }
        let context = BoardContext(workspaceId: access.workspaceID, projectId: scope.projectID, projectName: scope.project.name,
                                   description: scope.project.description, lanes: lanes, byAssignee: byAssignee,
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
        // Added from a swimlane: it goes to that lane's person.
        if let assignee = form["assignee_id"].flatMap(UUID.init(uuidString:)) { changes.assigneeID = .some(assignee) }
        do {
            let task = try await req.work.createTask(scope, changes)
            return PageRenderer.redirect(req, to: WorkPaths.task.url(access.workspaceID, try task.requireID()), notice: "Task created. Add the handoff brief below.")
        } catch let error as BatonError where error.field != nil {
            return PageRenderer.redirect(req, to: WorkPaths.board.url(access.workspaceID, scope.projectID), notice: error.message)
        }
    }

    // MARK: dashboards

    struct DashboardContext: Encodable {
        struct Late: Encodable { let id: UUID; let title: String; let assignee: String; let daysLate: Int }
        struct Risk: Encodable { let id: UUID; let title: String; let checkpoint: String; let status: String }
        struct Waiting: Encodable { let id: UUID; let title: String; let assignee: String; let age: String }
        struct Question: Encodable { let id: UUID; let title: String; let assignee: String; let question: String }
        struct Waiver: Encodable { let id: UUID; let title: String; let assignee: String; let itemId: UUID; let item: String; let reason: String }
        struct Proposal: Encodable { let id: UUID; let title: String; let assignee: String; let proposalId: UUID; let field: String; let text: String }
        struct CoverLink: Encodable { let label: String; let url: String; let selected: Bool }
        let workspaceId: UUID
        let dashboard: DashboardDTO
        let names: [String: String]
        let managerOptions: [Option]
        let isProject: Bool
        let overdue: [Late]
        let risks: [Risk]
        var covers: [CoverLink] = []
        var emptyMessage: String? = nil
        var unaccepted: [Waiting] = []
        var questions: [Question] = []
        var awaiting: [Waiting] = []
        var waivers: [Waiver] = []
        var proposals: [Proposal] = []
        var needsYouCount = 0
        var managerId: UUID? = nil
    }

    func managerDashboardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        var managerID = principal.userID
        if let raw = req.queryText("manager"), let id = UUID(uuidString: raw) { managerID = id }
        let cover = (try? WorkAPI.cover(req)) ?? .both
        let now = req.application.clock.now()
        let chosen = managerID
        let dashboard = try await req.store.snapshot(on: req.eventLoop) { db in
            try await DashboardQueries.manager(access, managerID: chosen, cover: cover, timeZone: principal.timeZone, now: now, on: db)
        }
        let (names, everyone) = try await WorkQueries.members(access, on: req.reader)
        let memberships = everyone.filter(\.isActive)
        let managers = Set(memberships.compactMap(\.managerID))
        // only dashboards the viewer may open: their own, and (unless an admin, who sees all) those of managers below them
        let managerOf = Dictionary(memberships.map { ($0.$user.id, $0.managerID) }, uniquingKeysWith: { first, _ in first })
        func mayOpen(_ userID: UUID) -> Bool {
            if access.role.canAdminister || userID == principal.userID { return true }
            var seen: Set<UUID> = [userID]
            var above = managerOf[userID] ?? nil
            while let next = above, seen.insert(next).inserted {
                if next == principal.userID { return true }
                above = managerOf[next] ?? nil
            }
            return false
        }
        let options = memberships.filter { (managers.contains($0.$user.id) || $0.$user.id == principal.userID) && mayOpen($0.$user.id) }
            .sorted { $0.user.name < $1.user.name }
            .map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: $0.$user.id == managerID) }
        var context = dashboardContext(access, dashboard, names: names, options: options, isProject: false, now: now)
        let base = WorkPaths.dashboard.url(access.workspaceID) + (managerID == principal.userID ? "?" : "?manager=\(managerID.uuidString)&")
        context.covers = [(DashboardQueries.Cover.delegated, "Delegated by me"), (.reports, "My reports"), (.both, "Both")].map {
            .init(label: $0.1, url: base + "cover=\($0.0.rawValue)", selected: $0.0 == cover)
        }
        context.managerId = managerID
        let empty = dashboard.counts.values.reduce(0, +) == 0
        if empty {
            switch cover {
            case .delegated: context.emptyMessage = "Nothing you delegated is open. Give a task to someone (its Assignee field) and it shows here."
            case .reports: context.emptyMessage = "No one reports to you yet. On People, set yourself as someone’s manager to see their work here."
            case .both: context.emptyMessage = "Nothing to show yet: delegate a task to someone, or set yourself as a manager on People."
            }
        }
        if let needs = dashboard.needsYou {
            func who(_ task: TaskRefDTO) -> String { task.assigneeId.flatMap { names[$0] } ?? "Nobody" }
            func age(_ days: Int) -> String { days == 0 ? "today" : days == 1 ? "1 day" : "\(days) days" }
            context.unaccepted = needs.unacceptedHandoffs.map { .init(id: $0.task.id, title: $0.task.title, assignee: who($0.task), age: age($0.ageDays)) }
            context.awaiting = needs.awaitingAcceptance.map { .init(id: $0.task.id, title: $0.task.title, assignee: who($0.task), age: age($0.ageDays)) }
            context.questions = needs.questions.map { .init(id: $0.task.id, title: $0.task.title, assignee: who($0.task), question: $0.question) }
            context.waivers = needs.waiverRequests.map {
                .init(id: $0.task.id, title: $0.task.title, assignee: who($0.task), itemId: $0.itemId, item: $0.item, reason: $0.reason)
            }
            context.proposals = needs.proposals.map {
                .init(id: $0.task.id, title: $0.task.title, assignee: who($0.task), proposalId: $0.proposalId,
                      field: BriefField(rawValue: $0.field)?.title ?? $0.field, text: $0.text)
            }
            context.needsYouCount = needs.total
        }
        return try await renderDashboard(req, access, context)
    }

    func projectDashboardPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await project(req, access)
        let (timeZone, now) = (try req.principal().timeZone, req.application.clock.now())
        let dashboard = try await req.store.snapshot(on: req.eventLoop) { db in
            try await DashboardQueries.project(scope, timeZone: timeZone, now: now, on: db)
        }
        let names = try await WorkQueries.members(access, on: req.reader).names
        return try await renderDashboard(req, access, dashboardContext(access, dashboard, names: names, options: [], isProject: true, now: now))
    }

    private func dashboardContext(_ access: WorkspaceAccess, _ dashboard: DashboardDTO, names: [UUID: String], options: [Option],
                                  isProject: Bool, now: Date) -> DashboardContext {
        DashboardContext(
            workspaceId: access.workspaceID, dashboard: dashboard,
            names: Dictionary(names.map { ($0.key.uuidString, $0.value) }, uniquingKeysWith: { first, _ in first }),
            managerOptions: options, isProject: isProject,
            overdue: dashboard.overdue.map { task in
                .init(id: task.id, title: task.title, assignee: task.assigneeId.flatMap { names[$0] } ?? "Nobody",
                      daysLate: max(1, Int(ceil(now.timeIntervalSince(task.dueAt ?? now) / 86_400))))
            },
            risks: dashboard.checkpointsAtRisk.map { .init(id: $0.task.id, title: $0.task.title, checkpoint: $0.checkpoint, status: $0.status.label) })
    }

    private func renderDashboard(_ req: Request, _ access: WorkspaceAccess, _ context: DashboardContext) async throws -> Response {
        try await PageRenderer.render("work/dashboard", Page(title: "Dashboard · \(context.dashboard.scope.name)",
                                                              layout: try await PageRenderer.layout(for: req, workspace: access, nav: "dashboard"),
                                                              page: context), for: req)
    }
}

enum Initials {
    static func of(_ name: String) -> String {
        name.split(separator: " ").prefix(2).compactMap(\.first).map(String.init).joined().uppercased()
    }
}
