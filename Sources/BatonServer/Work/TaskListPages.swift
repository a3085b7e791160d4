import Fluent
import Vapor
import BatonCore

/// The table view of a project (filters, saved views, bulk edits, one-choice stage changes),
/// "My work" and the calendar.
struct TaskListPages: RouteCollection {
    /// `workspace` is `/w/:workspaceID`, tenancy-checked by the platform.
    func boot(routes workspace: any RoutesBuilder) throws {
        workspace.get(WorkPaths.table.inWorkspace, use: tablePage)
        workspace.post(WorkPaths.bulk.inWorkspace, use: bulk)
        workspace.post(WorkPaths.views.inWorkspace, use: saveView)
        workspace.post(WorkPaths.deleteView.inWorkspace, use: deleteView)
        workspace.get(WorkPaths.myWork.inWorkspace, use: myWorkPage)
        workspace.get(WorkPaths.calendar.inWorkspace, use: calendarPage)
    }

    typealias Option = WorkPages.Option

    struct Row: Encodable {
        let id: UUID
        let title: String
        let version: Int
        let stageId: UUID
        let stageName: String
        let stageOptions: [Option]
        let assignee: String
        let delegator: String
        let priority: String
        let due: String
        let overdue: Bool
        let tags: String
        let project: String
        /// Flagged blocked: every view marks it.
        let blocked: Bool
        let awaitingAcceptance: Bool
        /// Ticked in the table (kept after a bulk edit some tasks refused).
        var selected = false
    }

    struct Filters: Encodable {
        let assignee: String
        let delegator: String
        let stage: String
        let priority: String
        let tag: String
        let dueAfter: String
        let dueBefore: String
        let field: String
        let fieldValue: String
    }

    /// A column header that sorts on the server: its link and whether it is the current order.
    struct SortHeader: Encodable {
        let label: String
        let href: String
        /// "ascending", "descending" or "none" (for aria-sort).
        let state: String
    }

    struct SortHeaders: Encodable {
        let title: SortHeader
        let priority: SortHeader
        let due: SortHeader
    }

    struct FilterProblem: Encodable {
        let field: String
        let message: String
    }

    struct TableContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let rows: [Row]
        let nextCursor: String?
        let query: String
        let filters: Filters
        let assigneeOptions: [Option]
        let stageOptions: [Option]
        let priorityOptions: [Option]
        let fieldOptions: [Option]
        let sortOptions: [Option]
        let headers: SortHeaders
        let problem: FilterProblem?
        struct ViewChip: Encodable { let id: UUID; let query: String; let name: String; let selected: Bool }
        let savedViews: [ViewChip]
        let canEdit: Bool
        let bulk: BulkProblem?
        let showingArchived: Bool
        /// The selected tasks that take the change: the confirm form sends them again.
        let bulkOthers: [UUID]
    }

    private func rows(_ tasks: [TaskDTO], stages: [Stage], names: [UUID: String], projects: [UUID: String],
                      timeZone: String, now: Date) -> [Row] {
        let stageNames = Dictionary(stages.compactMap { stage in stage.id.map { ($0, stage.name) } }, uniquingKeysWith: { first, _ in first })
        return tasks.map { task in
            Row(id: task.id, title: task.title, version: task.version, stageId: task.stageId, stageName: stageNames[task.stageId] ?? "",
                stageOptions: stages.filter { $0.projectID == task.projectId }.compactMap { stage in
                    stage.id.map { Option(value: $0.uuidString, label: stage.name, selected: $0 == task.stageId) }
                },
                assignee: task.assigneeId.flatMap { names[$0] } ?? "—", delegator: task.delegatorId.flatMap { names[$0] } ?? "—",
                priority: task.priority.rawValue,
                due: task.dueAt.map { BatonDate.day($0, timeZone: timeZone) } ?? "—",
                overdue: task.stageCategory != .done && (task.dueAt ?? .distantFuture) < now,
                tags: task.tags.joined(separator: ", "), project: projects[task.projectId] ?? "",
                blocked: task.blocked, awaitingAcceptance: task.awaitingAcceptanceSince != nil)
        }
    }

    // MARK: table

    /// A bulk edit some tasks refused: which and why, and the same change for the others.
    struct BulkProblem: Encodable {
        struct Failure: Encodable { let id: UUID; let title: String; let message: String }
        let failures: [Failure]
        let others: Int
        let selected: [UUID]
        let stageId: String
        let assigneeId: String
        let dueAt: String
    }

    func tablePage(req: Request) async throws -> Response { try await tablePage(req, bulk: nil) }

    func tablePage(_ req: Request, bulk: BulkProblem?) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let scope = try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
        // A filter that does not make sense shows its message next to it, over an empty table.
        var page = ListPage<TaskDTO>(data: [], nextCursor: nil)
        var problem: FilterProblem?
        var sort = TaskSort.default
        do {
            let query = try TaskListQuery(req, me: principal.userID)
            sort = query.sort
            page = try await query.page(projectID: scope.projectID, on: req.reader)
        } catch let error as BatonError where error.status == .unprocessableEntity {
            problem = FilterProblem(field: error.field ?? "", message: error.message)
        }
        let stages = try await Stage.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let fields = try await CustomField.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let (names, members) = try await WorkQueries.members(access, on: req.reader)
        func param(_ name: String) -> String { req.queryText(name) ?? "" }
        let filters = Filters(assignee: param("assignee"), delegator: param("delegator"), stage: param("stage"), priority: param("priority"),
                              tag: param("tag"), dueAfter: param("due_after"), dueBefore: param("due_before"),
                              field: param("field"), fieldValue: param("field_value"))
        let peers = try await req.guestPeers(access)
        let active = members.filter { member in member.isActive && (peers?.contains(member.$user.id) ?? true) }
            .sorted { $0.user.name < $1.user.name }
        let views = try await SavedView.query(on: req.reader).filter(\.$userID == principal.userID)
            .filter(\.$projectID == scope.projectID).sort(\.$name).all()
        let queryString = Self.query(req, replacing: [:])
        func header(_ key: TaskSort.Key, _ label: String) -> SortHeader {
            let current = sort.key == key
            let next = TaskSort(key: key, descending: current && !sort.descending)
            return SortHeader(label: label, href: "?" + Self.query(req, replacing: ["sort": next.text]),
                              state: current ? (sort.descending ? "descending" : "ascending") : "none")
        }
        var tableRows = rows(page.data, stages: stages, names: names, projects: [:], timeZone: principal.timeZone, now: req.application.clock.now())
        if let bulk { for index in tableRows.indices { tableRows[index].selected = bulk.selected.contains(tableRows[index].id) } }
        let context = TableContext(
            workspaceId: access.workspaceID, projectId: scope.projectID, projectName: scope.project.name,
            rows: tableRows,
            nextCursor: page.nextCursor, query: queryString, filters: filters,
            assigneeOptions: [Option(value: "", label: "Anyone", selected: filters.assignee.isEmpty),
                              Option(value: "me", label: "Me", selected: filters.assignee == "me"),
                              Option(value: "none", label: "Nobody", selected: filters.assignee == "none")]
                + active.map { Option(value: $0.$user.id.uuidString, label: $0.user.name, selected: filters.assignee == $0.$user.id.uuidString) },
            stageOptions: [Option(value: "", label: "Any stage", selected: filters.stage.isEmpty)]
                + stages.compactMap { stage in stage.id.map { Option(value: $0.uuidString, label: stage.name, selected: filters.stage == $0.uuidString) } },
            priorityOptions: [Option(value: "", label: "Any priority", selected: filters.priority.isEmpty)]
                + Priority.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.capitalized, selected: filters.priority == $0.rawValue) },
            fieldOptions: [Option(value: "", label: "Any field", selected: filters.field.isEmpty)]
                + fields.map { Option(value: $0.name, label: $0.name, selected: filters.field.lowercased() == $0.name.lowercased()) },
            sortOptions: Self.sortChoices.map { Option(value: $0.0.text, label: $0.1, selected: $0.0 == sort) },
            headers: SortHeaders(title: header(.title, "Title"), priority: header(.priority, "Priority"), due: header(.due, "Due")),
            problem: problem,
            savedViews: try views.map { .init(id: try $0.requireID(), query: $0.query, name: $0.name, selected: $0.query == queryString) },
            canEdit: WorkPermission.canCreateTasks(role: access.role), bulk: bulk, showingArchived: req.queryText("archived") == "true",
            bulkOthers: bulk.map { bulk in bulk.selected.filter { id in !bulk.failures.contains { $0.id == id } } } ?? [])
        return try await PageRenderer.render("work/table", Page(title: "\(scope.project.name) · Table", layout: try await PageRenderer.layout(
            for: req, workspace: access, nav: "work"), page: context), for: req,
            status: problem == nil && bulk == nil ? .ok : .unprocessableEntity)
    }

    static let sortChoices: [(TaskSort, String)] = [
        (.default, "Newest first"), (TaskSort(key: .created, descending: false), "Oldest first"),
        (TaskSort(key: .due, descending: false), "Due soonest"), (TaskSort(key: .due, descending: true), "Due latest"),
        (TaskSort(key: .priority, descending: false), "Most urgent"), (TaskSort(key: .title, descending: false), "Title A–Z"),
        (TaskSort(key: .updated, descending: true), "Recently changed"),
    ]

    /// This page's query string without its page cursor, with some parameters replaced.
    static func query(_ req: Request, replacing changes: [String: String]) -> String {
        var items = (URLComponents(string: req.url.string)?.queryItems ?? []).filter { $0.name != "after" && changes[$0.name] == nil }
        items += changes.sorted { $0.key < $1.key }.map { URLQueryItem(name: $0.key, value: $0.value) }
        var components = URLComponents()
        components.queryItems = items.filter { !($0.value ?? "").isEmpty }
        return components.percentEncodedQuery ?? ""
    }

    func bulk(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
        let form = try req.content.decode(BulkForm.self)
        let back = WorkPaths.table.url(access.workspaceID, scope.projectID) + (form.query.isEmpty ? "" : "?\(form.query)")
        var changes = TaskChanges()
        if !form.stageId.isEmpty { changes.stageID = UUID(uuidString: form.stageId) }
        if form.assigneeId == "none" { changes.assigneeID = .some(nil) } else if let id = UUID(uuidString: form.assigneeId) { changes.assigneeID = .some(id) }
        if !form.dueAt.isEmpty { changes.dueAt = .some(TaskImport.parseDue(form.dueAt)) }
        let selected = (form.taskIds ?? []).compactMap(UUID.init(uuidString:))
        do {
            let tasks = try await req.work.bulkUpdate(scope, taskIDs: selected, changes, skipFailing: form.skipFailing == "1")
            let skipped = selected.count - tasks.count
            return PageRenderer.redirect(req, to: back, notice: "Updated \(tasks.count) tasks." + (skipped > 0 ? " \(skipped) kept as they were." : ""))
        } catch let refused as BulkRefused {
            // the table again, the selection kept, with what refused and a way to change the rest
            return try await tablePage(req, bulk: .init(failures: refused.failures.map { .init(id: $0.taskID, title: $0.title, message: $0.message) },
                                                        others: selected.count - refused.failures.count, selected: selected,
                                                        stageId: form.stageId, assigneeId: form.assigneeId, dueAt: form.dueAt))
        } catch let error as BatonError where error.status == .unprocessableEntity || error.status == .forbidden {
            return PageRenderer.redirect(req, to: back, notice: "Nothing changed: \(error.message)")
        }
    }

    struct BulkForm: Content {
        let taskIds: [String]?
        let stageId: String
        let assigneeId: String
        let dueAt: String
        let query: String
        let skipFailing: String?

        enum CodingKeys: String, CodingKey {
            case taskIds = "task_ids", stageId = "stage_id", assigneeId = "assignee_id", dueAt = "due_at", query, skipFailing = "skip_failing"
        }
    }

    func deleteView(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
        try await req.work.deleteView(scope, viewID: try req.uuidParameter("viewID", label: "View"))
        return PageRenderer.redirect(req, to: WorkPaths.table.url(access.workspaceID, scope.projectID), notice: "View deleted.")
    }

    func saveView(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let scope = try await WorkScope.project(access, id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
        let form = try req.content.decode([String: String].self)
        let query = form["query"] ?? ""
        do {
            _ = try await req.work.saveView(scope, name: form["name"] ?? "", query: query)
            return PageRenderer.redirect(req, to: WorkPaths.table.url(access.workspaceID, scope.projectID) + "?\(query)", notice: "View saved.")
        } catch let error as BatonError where error.status == .unprocessableEntity || error.status == .conflict {
            return PageRenderer.redirect(req, to: WorkPaths.table.url(access.workspaceID, scope.projectID) + "?\(query)", notice: error.message)
        }
    }

    // MARK: my work

    struct MyWorkContext: Encodable {
        let workspaceId: UUID
        let tab: String
        let rows: [Row]
        let nextCursor: String?
    }

    func myWorkPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let tab = ["assigned", "delegated", "watching"].contains(req.queryText("tab") ?? "") ? req.queryText("tab")! : "assigned"
        let visible = try await WorkQueries.projects(access, on: req.reader)
        let projectIDs = visible.compactMap(\.id)
        var query = Tenancy.query(access, WorkTask.self, on: req.reader).filter(\.$projectID ~~ projectIDs).filter(\.$stageCategory != .done)
            .filter(\.$archivedAt == nil)
        switch tab {
        case "delegated": query = query.filter(\.$delegatorID == principal.userID).filter(\.$assigneeID != principal.userID)
        case "watching":
            let watched = try await TaskWatcher.query(on: req.reader).filter(\.$userID == principal.userID).all().map(\.taskID)
            query = query.filter(\.$id ~~ watched)
        default: query = query.filter(\.$assigneeID == principal.userID)
        }
        // Soonest due first (no due date last, on both databases), paged like the task list.
        let sort = TaskSort(key: .due, descending: false)
        if let raw = req.queryText("after") {
            guard let cursor = TaskSort.Cursor(raw), cursor.sort == sort else {
                throw BatonError.validation("after", "after must be a cursor returned by a previous page.")
            }
            query = query.filter(.custom(sort.after(cursor)))
        }
        let limit = PageSize.standard
        let found = projectIDs.isEmpty ? [] : try await query.sort(.custom(sort.orderBy)).limit(limit + 1).all()
        let tasks = Array(found.prefix(limit))
        let nextCursor = found.count > limit ? tasks.last.map { sort.cursor(after: $0).encoded } : nil
        let stages = projectIDs.isEmpty ? [] : try await Stage.query(on: req.reader).filter(\.$projectID ~~ projectIDs).sort(\.$position).all()
        let (names, _) = try await WorkQueries.members(access, on: req.reader)
        let projectNames = Dictionary(visible.compactMap { project in project.id.map { ($0, project.name) } }, uniquingKeysWith: { first, _ in first })
        let context = MyWorkContext(workspaceId: access.workspaceID, tab: tab,
                                    rows: rows(try await WorkQueries.dtos(tasks, on: req.reader), stages: stages, names: names, projects: projectNames,
                                               timeZone: principal.timeZone, now: req.application.clock.now()),
                                    nextCursor: nextCursor)
        return try await PageRenderer.render("work/my-work", Page(title: "My work", layout: try await PageRenderer.layout(
            for: req, workspace: access, nav: "my-work"), page: context), for: req)
    }

    // MARK: calendar

    struct CalendarContext: Encodable {
        struct Day: Encodable { let date: String; let number: Int; let inMonth: Bool; let isToday: Bool; let tasks: [Row] }
        let workspaceId: UUID
        let title: String
        let isWeek: Bool
        /// Query strings for the previous and next period, today, and the other view.
        let previous: String
        let next: String
        let today: String
        let monthView: String
        let weekView: String
        let weekdays: [String]
        let weeks: [[Day]]
    }

    func calendarPage(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: principal.timeZone) ?? TimeZone(identifier: "UTC")!
        let now = req.application.clock.now()
        // Month view: six weeks around `?month=YYYY-MM`. Week view: the week of `?week=YYYY-MM-DD`.
        let isWeek = req.queryText("view") == "week"
        func localDay(_ text: String?) -> Date? {
            text.flatMap(BatonDate.validDay).flatMap { BatonDate.parseLocal($0, timeZone: principal.timeZone) }
        }
        let anchor = (isWeek ? localDay(req.queryText("week")) : localDay((req.queryText("month") ?? "") + "-01")) ?? now
        let monthStart = calendar.dateInterval(of: .month, for: anchor)!.start
        let gridStart = calendar.dateInterval(of: .weekOfYear, for: isWeek ? anchor : monthStart)!.start
        let weekCount = isWeek ? 1 : 6
        let gridEnd = calendar.date(byAdding: .day, value: 7 * weekCount, to: gridStart)!
        let visible = try await WorkQueries.projects(access, on: req.reader).compactMap(\.id)
        var query = Tenancy.query(access, WorkTask.self, on: req.reader).filter(\.$projectID ~~ visible)
            .filter(\.$dueAt >= gridStart).filter(\.$dueAt < gridEnd).filter(\.$archivedAt == nil)
        if req.queryText("mine") == "1" { query = query.filter(\.$assigneeID == principal.userID) }
        let tasks = visible.isEmpty ? [] : try await query.sort(\.$dueAt).all()
        let (names, _) = try await WorkQueries.members(access, on: req.reader)
        let stages = visible.isEmpty ? [] : try await Stage.query(on: req.reader).filter(\.$projectID ~~ visible).all()
        let allRows = rows(try await WorkQueries.dtos(tasks, on: req.reader), stages: stages, names: names, projects: [:],
                           timeZone: principal.timeZone, now: now)
        let dueByID = Dictionary(tasks.compactMap { task in task.id.map { ($0, task.dueAt!) } }, uniquingKeysWith: { first, _ in first })
        let formatter = DateFormatter()
        formatter.timeZone = calendar.timeZone
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd"
        let month = calendar.component(.month, from: monthStart)
        var weeks: [[CalendarContext.Day]] = []
        for week in 0..<weekCount {
            var days: [CalendarContext.Day] = []
            for weekday in 0..<7 {
                let date = calendar.date(byAdding: .day, value: week * 7 + weekday, to: gridStart)!
                let end = calendar.date(byAdding: .day, value: 1, to: date)!
                days.append(.init(date: formatter.string(from: date), number: calendar.component(.day, from: date),
                                  inMonth: isWeek || calendar.component(.month, from: date) == month,
                                  isToday: calendar.isDate(date, inSameDayAs: now),
                                  tasks: allRows.filter { row in dueByID[row.id].map { $0 >= date && $0 < end } ?? false }))
            }
            weeks.append(days)
        }
        let mine = req.queryText("mine") == "1" ? "&mine=1" : ""
        let day = { (date: Date) in formatter.string(from: date) }
        formatter.dateFormat = "yyyy-MM-dd"
        let weekLinks = (previous: "view=week&week=\(day(calendar.date(byAdding: .day, value: -7, to: gridStart)!))\(mine)",
                         next: "view=week&week=\(day(calendar.date(byAdding: .day, value: 7, to: gridStart)!))\(mine)")
        let weekOfAnchor = "view=week&week=\(day(isWeek ? gridStart : monthStart))\(mine)"
        formatter.dateFormat = "yyyy-MM"
        let monthLinks = (previous: "month=\(day(calendar.date(byAdding: .month, value: -1, to: monthStart)!))\(mine)",
                          next: "month=\(day(calendar.date(byAdding: .month, value: 1, to: monthStart)!))\(mine)")
        let context = CalendarContext(
            workspaceId: access.workspaceID, title: isWeek ? "Week of " + BatonDate.format(gridStart, "d MMM yyyy", timeZone: principal.timeZone)
                                    : BatonDate.format(monthStart, "MMMM yyyy", timeZone: principal.timeZone), isWeek: isWeek,
            previous: isWeek ? weekLinks.previous : monthLinks.previous, next: isWeek ? weekLinks.next : monthLinks.next,
            today: (isWeek ? "view=week" : "") + mine, monthView: "month=\(day(monthStart))\(mine)", weekView: weekOfAnchor,
            weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"], weeks: weeks)
        return try await PageRenderer.render("work/calendar", Page(title: "Calendar", layout: try await PageRenderer.layout(
            for: req, workspace: access, nav: "calendar"), page: context), for: req)
    }

}
