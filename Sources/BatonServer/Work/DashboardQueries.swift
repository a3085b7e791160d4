import Fluent
import SQLKit
import Vapor
import BatonCore

struct TaskRefDTO: Content {
    let id: UUID
    let title: String
    let projectId: UUID
    let assigneeId: UUID?
    let dueAt: Date?
}

struct DashboardDTO: Content {
    struct Scope: Content { let type: String; let id: UUID; let name: String; let memberIds: [UUID] }
    struct Blocked: Content { let task: TaskRefDTO; let reason: String; let ageDays: Int }
    struct CheckpointAtRisk: Content { let task: TaskRefDTO; let checkpoint: String; let status: CheckpointStatus; let dueAt: Date; let note: String }
    struct Workload: Content { let userId: UUID?; let name: String; let openTasks: Int; let estimateHours: Double }
    struct Point: Content { let day: Date; let scope: Int; let done: Int }

    let scope: Scope
    let counts: [String: Int]
    let overdue: [TaskRefDTO]
    let dueSoonWithoutProgress: [TaskRefDTO]
    let blocked: [Blocked]
    let checkpointsAtRisk: [CheckpointAtRisk]
    let workload: [Workload]
    let completedThisWeek: Int
    let burnUp: [Point]
    let burnUpSvg: String
    let generatedAt: Date
}

/// Loads the tasks a dashboard covers (open ones, plus those finished inside the burn-up window)
/// and summarizes them with `DashboardRules`.
enum DashboardQueries {
    static let days = 28

    /// A manager's direct reports; visible to the manager, their own managers and admins. Reads only
    /// the reports and the manager chain, never the whole workspace.
    static func manager(_ access: WorkspaceAccess, managerID: UUID, timeZone: String, now: Date, on db: any Database) async throws -> DashboardDTO {
        func membership(_ userID: UUID) async throws -> Membership? {
            try await Tenancy.query(access, Membership.self, on: db).filter(\.$user.$id == userID)
                .filter(\.$deactivatedAt == nil).with(\.$user).first()
        }
        guard let manager = try await membership(managerID) else { throw BatonError.notFound("Manager") }
        var allowed = access.role.canAdminister || access.userID == managerID
        var seen: Set<UUID> = [managerID]
        var above = manager.managerID
        while !allowed, let next = above, seen.insert(next).inserted {
            allowed = next == access.userID
            above = try await membership(next)?.managerID
        }
        guard allowed else { throw BatonError.forbidden("Only \(manager.user.name), their managers and admins can see this dashboard.") }
        let reports = try await Tenancy.query(access, Membership.self, on: db).filter(\.$managerID == managerID)
            .filter(\.$deactivatedAt == nil).with(\.$user).all()
        let reportIDs = reports.map(\.$user.id)
        let windowStart = now.addingTimeInterval(-Double(days) * 86_400)
        let tasks = reportIDs.isEmpty ? [] : try await DashboardTask.load(on: db) { select in
            select.where("workspace_id", .equal, SQLBind(access.workspaceID))
                .where("assignee_id", .in, SQLBind.group(reportIDs))
                .where { $0.where("stage_category", .notEqual, SQLBind(StageCategory.done.rawValue)).orWhere("completed_at", .greaterThanOrEqual, SQLBind(windowStart)) }
        }
        let names = Dictionary(reports.map { ($0.$user.id, $0.user.name) }, uniquingKeysWith: { first, _ in first })
        return try await summarize(tasks, scope: .init(type: "manager", id: managerID, name: manager.user.name, memberIds: reportIDs),
                                   names: names, timeZone: timeZone, now: now, on: db)
    }

    static func project(_ scope: WorkScope.ProjectAccess, timeZone: String, now: Date, on db: any Database) async throws -> DashboardDTO {
        let windowStart = now.addingTimeInterval(-Double(days) * 86_400)
        let tasks = try await DashboardTask.load(on: db) { select in
            select.where("project_id", .equal, SQLBind(scope.projectID))
                .where { $0.where("stage_category", .notEqual, SQLBind(StageCategory.done.rawValue)).orWhere("completed_at", .greaterThanOrEqual, SQLBind(windowStart)) }
        }
        let names = try await WorkQueries.members(scope.access, on: db).names
        let members = try await ProjectMember.query(on: db).filter(\.$projectID == scope.projectID).all().map(\.userID)
        return try await summarize(tasks, scope: .init(type: "project", id: scope.projectID, name: scope.project.name, memberIds: members),
                                   names: names, timeZone: timeZone, now: now, on: db)
    }

    private static func summarize(_ tasks: [DashboardTask], scope: DashboardDTO.Scope, names: [UUID: String], timeZone: String,
                                  now: Date, on db: any Database) async throws -> DashboardDTO {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let weekStart = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let summary = DashboardRules.summarize(tasks.map(\.facts), now: now, weekStart: weekStart, calendar: calendar, days: days)
        let byID = Dictionary(tasks.map { ($0.facts.id, $0) }, uniquingKeysWith: { first, _ in first })
        func ref(_ id: UUID) -> TaskRefDTO? {
            byID[id].map { TaskRefDTO(id: id, title: $0.facts.title, projectId: $0.projectID, assigneeId: $0.facts.assigneeID, dueAt: $0.facts.dueAt) }
        }
        let openIDs = tasks.filter { $0.facts.category != .done }.map(\.facts.id)
        let risky = openIDs.isEmpty ? [] : try await Checkpoint.query(on: db).filter(\.$taskID ~~ openIDs)
            .filter(\.$status ~~ [CheckpointStatus.atRisk, .offTrack]).sort(\.$dueAt).all()
        var counts: [String: Int] = [:]
        for (category, count) in summary.countsByCategory { counts[category.rawValue] = count }
        return DashboardDTO(
            scope: scope, counts: counts,
            overdue: summary.overdue.compactMap(ref), dueSoonWithoutProgress: summary.dueSoonWithoutProgress.compactMap(ref),
            blocked: summary.blocked.compactMap { item in ref(item.id).map { .init(task: $0, reason: item.reason, ageDays: item.ageDays) } },
            checkpointsAtRisk: risky.compactMap { checkpoint in
                ref(checkpoint.taskID).map { .init(task: $0, checkpoint: checkpoint.title, status: checkpoint.status ?? .atRisk,
                                                    dueAt: checkpoint.dueAt, note: checkpoint.note) }
            },
            workload: summary.workload.map { .init(userId: $0.assigneeID, name: $0.assigneeID.flatMap { names[$0] } ?? "Unassigned",
                                                   openTasks: $0.openTasks, estimateHours: $0.estimateHours) },
            completedThisWeek: summary.completedThisWeek,
            burnUp: summary.burnUp.map { .init(day: $0.day, scope: $0.scope, done: $0.done) },
            burnUpSvg: BurnUpChart.svg(summary.burnUp), generatedAt: now)
    }
}

/// What a dashboard needs of a task: thirteen columns read straight from the rows (a dashboard
/// covers up to thousands of tasks; whole Fluent models cost several times more per row).
struct DashboardTask: Sendable {
    let facts: TaskFacts
    let projectID: UUID

    static let columns = ["id", "title", "project_id", "assignee_id", "stage_category", "due_at", "progress_at", "blocked",
                          "blocked_at", "blocked_reason", "estimate", "created_at", "completed_at"]

    static func load(on db: any Database, _ filter: (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> [DashboardTask] {
        let select = (db as! any SQLDatabase).select().columns(columns.map { SQLIdentifier($0) }).from(WorkTask.schema)
        return try await filter(select).all().map(DashboardTask.init(row:))
    }

    init(row: any SQLRow) throws {
        let category = try row.decode(column: "stage_category", as: String.self)
        facts = TaskFacts(
            id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
            assigneeID: try row.decode(column: "assignee_id", as: UUID?.self),
            category: StageCategory(rawValue: category) ?? .todo,
            dueAt: try row.decode(column: "due_at", as: Date?.self), progressAt: try row.decode(column: "progress_at", as: Date.self),
            blocked: try row.decode(column: "blocked", as: Bool.self), blockedAt: try row.decode(column: "blocked_at", as: Date?.self),
            blockedReason: try row.decode(column: "blocked_reason", as: String?.self),
            estimate: try row.decode(column: "estimate", as: Double?.self),
            createdAt: try row.decode(column: "created_at", as: Date.self), completedAt: try row.decode(column: "completed_at", as: Date?.self))
        projectID = try row.decode(column: "project_id", as: UUID.self)
    }
}
