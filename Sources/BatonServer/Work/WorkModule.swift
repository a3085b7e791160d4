import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// Projects, stages, custom fields, tasks with their handoff briefs; board, table, calendar,
    /// My work and the dashboards.
    static let work = BatonModule(
        name: "work",
        migrations: [CreateWork(), CreateSavedViews(), AddTaskListIndexes(), AddDashboardIndexes(), TuneDashboardIndexes(),
                     RepairWorkNames(), NameTaskEventProjects(), AddTaskNumbers(), AddDelegationReview(), AddTaskArchive()],
        events: [WorkEvent.self],
        api: { api in
            WorkAPI().register(api)
            DelegationAPI().register(api)
        },
        pages: { pages in
            for collection: any RouteCollection in [WorkPages(), TaskListPages(), TaskPages(), DelegationPages(), ProjectSettingsPages()] {
                try pages.workspace.register(collection: collection)
            }
        },
        paths: WorkPaths.all,
        // a lead with reports starts on their dashboard, everyone else on their own work
        landing: { workspaceID, userID, db in
            let reports = try await Membership.query(on: db).filter(\.$workspaceID == workspaceID).filter(\.$managerID == userID)
                .filter(\.$deactivatedAt == nil).count()
            return reports > 0 ? WorkPaths.dashboard : WorkPaths.myWork
        },
        // a guest works with the people on their projects
        guestPeers: { workspaceID, guestID, db in
            let rows = try await PlainSQL.rows(on: db, """
                SELECT DISTINCT others.user_id FROM project_members AS mine
                JOIN projects ON projects.id = mine.project_id AND projects.workspace_id = \(bind: workspaceID)
                JOIN project_members AS others ON others.project_id = mine.project_id
                WHERE mine.user_id = \(bind: guestID)
                """)
            return Set(try rows.map { try $0.decode(column: "user_id", as: UUID.self) })
        },
        subjectLink: { type, id, workspaceID in
            switch type {
            case "task": WorkPaths.task.url(workspaceID, id)
            case "project": WorkPaths.board.url(workspaceID, id)
            default: nil
            }
        },
        notices: { events, db in try await WorkNoticeSource.notices(for: events, on: db) },
        noticeKinds: WorkNotices.kinds,
        navigation: [
            NavigationEntry(title: "Work", path: WorkPaths.projects, page: "work", order: 20, shortcut: "w"),
            NavigationEntry(title: "My work", path: WorkPaths.myWork, page: "my-work", order: 30),
            NavigationEntry(title: "Calendar", path: WorkPaths.calendar, page: "calendar", order: 40),
            NavigationEntry(title: "Dashboard", path: WorkPaths.dashboard, page: "dashboard", order: 50, shortcut: "d"),
        ],
        operations: WorkOpenAPI.operations,
        schemas: { WorkOpenAPI.schemas }
    )
}
