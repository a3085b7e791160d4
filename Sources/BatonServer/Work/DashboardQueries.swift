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
    /// `cover` (manager dashboards): delegated, reports or both.
    struct Scope: Content { let type: String; let id: UUID; let name: String; let memberIds: [UUID]; var cover: String? = nil }
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
    /// Manager dashboards: what waits for the manager as the delegator.
    var needsYou: NeedsYouDTO? = nil
}

/// Loads the tasks a dashboard covers (open ones, plus those finished inside the burn-up window)
/// and summarizes them with `DashboardRules`.
enum DashboardQueries {
    static let days = 28

    /// What a manager dashboard covers: the work they delegated, their direct reports' work, or both.
    enum Cover: String, CaseIterable, Sendable {
        case both, delegated, reports
    }

    /// The work a manager delegated and their direct reports' work; visible to the manager, their
    /// own managers and admins. Reads only the reports and the manager chain, never the whole workspace.
    static func manager(_ access: WorkspaceAccess, managerID: UUID, cover: Cover = .both, timeZone: String, now: Date,
                        on db: any Database) async throws -> DashboardDTO {
        let workspaceID = access.workspaceID
        /// Active members of this workspace with their names: one person, or everyone reporting to a manager.
        func people(_ condition: SQLQueryString) async throws -> [(userID: UUID, name: String, managerID: UUID?)] {
            try await PlainSQL.rows(on: db, """
                SELECT memberships.user_id, memberships.manager_id, users.name FROM memberships
                JOIN users ON users.id = memberships.user_id
                WHERE memberships.workspace_id = \(bind: workspaceID) AND memberships.deactivated_at IS NULL AND \(condition)
                ORDER BY users.name
                """).map { row in
                (try row.decode(column: "user_id", as: UUID.self), try row.decode(column: "name", as: String.self),
                 try row.decode(column: "manager_id", as: UUID?.self))
            }
        }
        guard let manager = try await people("memberships.user_id = \(bind: managerID)").first else { throw BatonError.notFound("Manager") }
        var allowed = access.role.canAdminister || access.userID == managerID
        var seen: Set<UUID> = [managerID]
        var above = manager.managerID
        while !allowed, let next = above, seen.insert(next).inserted {
            allowed = next == access.userID
            above = try await people("memberships.user_id = \(bind: next)").first?.managerID
        }
        guard allowed else { throw BatonError.forbidden("Only \(manager.name), their managers and admins can see this dashboard.") }
        let reports = try await people("memberships.manager_id = \(bind: managerID)")
        let reportIDs = reports.map(\.userID)
        // the delegated work may sit with anyone in the workspace
        let names = cover == .reports ? Dictionary(reports.map { ($0.userID, $0.name) }, uniquingKeysWith: { first, _ in first })
            : try await WorkQueries.members(access, on: db).names
        let delegated = SQLGroupExpression(SQLBinaryExpression(
            SQLBinaryExpression(column("delegator_id"), .equal, SQLBind(managerID)), .and,
            SQLBinaryExpression(SQLBinaryExpression(column("assignee_id"), .isNot, SQLLiteral.null), .and,
                                SQLBinaryExpression(column("assignee_id"), .notEqual, SQLBind(managerID)))))
        let ofReports: (any SQLExpression)? = reportIDs.isEmpty ? nil
            : SQLBinaryExpression(column("assignee_id"), .in, SQLBind.group(reportIDs))
        let condition: any SQLExpression
        switch cover {
        case .delegated: condition = delegated
        // without reports it covers nothing (an empty IN list is not valid SQL)
        case .reports: condition = ofReports ?? SQLLiteral.boolean(false)
        case .both: condition = ofReports.map { SQLGroupExpression(SQLBinaryExpression(delegated, .or, $0)) } ?? delegated
        }
        var dashboard = try await summarize(covering: { select in
            select.where(column("workspace_id"), .equal, SQLBind(workspaceID)).where(condition)
        }, scope: .init(type: "manager", id: managerID, name: manager.name, memberIds: reportIDs, cover: cover.rawValue),
           names: names, timeZone: timeZone, now: now, on: db)
        dashboard.needsYou = try await NeedsYouQueries.load(workspaceID: workspaceID, delegatorID: managerID, now: now, on: db)
        return dashboard
    }

    static func project(_ scope: WorkScope.ProjectAccess, timeZone: String, now: Date, on db: any Database) async throws -> DashboardDTO {
        let names = try await WorkQueries.members(scope.access, on: db).names
        let members = try await ProjectMember.query(on: db).filter(\.$projectID == scope.projectID).all().map(\.userID)
        let projectID = scope.projectID
        return try await summarize(covering: { $0.where(column("project_id"), .equal, SQLBind(projectID)) },
                                   scope: .init(type: "project", id: scope.projectID, name: scope.project.name, memberIds: members),
                                   names: names, timeZone: timeZone, now: now, on: db)
    }

    /// Which tasks a dashboard covers, as conditions on `tasks`.
    typealias Coverage = @Sendable (SQLSelectBuilder) -> SQLSelectBuilder

    static func column(_ name: String) -> SQLColumn { SQLColumn(name, table: WorkTask.schema) }

    /// The database counts (per category and person, and the burn-up) and returns only the tasks
    /// that can appear in a list, so a dashboard costs the same for 100 tasks or 100,000.
    /// `DashboardRules` assembles the parts; `DashboardRules.summarize` is the reference a test compares with.
    private static func summarize(covering cover: @escaping Coverage, scope: DashboardDTO.Scope, names: [UUID: String], timeZone: String,
                                  now: Date, on db: any Database) async throws -> DashboardDTO {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let weekStart = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let windowStart = now.addingTimeInterval(-Double(days) * 86_400)
        let sql = db as! any SQLDatabase
        let open = SQLBinaryExpression(column("stage_category"), .notEqual, SQLBind(StageCategory.done.rawValue))
        // Open tasks, and those finished inside the burn-up window.
        let covered: Coverage = { select in
            cover(select).where(SQLBinaryExpression(column("archived_at"), .is, SQLLiteral.null)).where(SQLGroupExpression(SQLBinaryExpression(open, .or, SQLBinaryExpression(column("completed_at"), .greaterThanOrEqual, SQLBind(windowStart)))))
        }

        let groups = try await taskGroups(covered: covered, on: sql)
        // DashboardRules.needsAttention: blocked, overdue, or due soon without recent progress.
        let attention = try await DashboardTask.load(on: db) { select in
            covered(select).where(open).where { any in
                any.where(column("blocked"), .equal, SQLBind(true))
                    .orWhere(column("stage_category"), .equal, SQLBind(StageCategory.blocked.rawValue))
                    .orWhere(column("due_at"), .lessThan, SQLBind(now))
                    .orWhere { soon in
                        soon.where(column("due_at"), .lessThanOrEqual, SQLBind(DashboardRules.attentionDueBefore(now)))
                            .where(column("progress_at"), .lessThan, SQLBind(DashboardRules.staleBefore(now)))
                    }
            }
        }

        let burnUpDays = DashboardRules.burnUpDays(now: now, calendar: calendar, days: days)
        let burnUp = try await burnUpCounts(days: burnUpDays, weekStart: weekStart, covered: covered, on: sql)
        let summary = DashboardRules.assemble(groups: groups, attention: attention.map(\.facts), burnUp: burnUp.points,
                                              completedThisWeek: burnUp.completedThisWeek, now: now)
        let byID = Dictionary(attention.map { ($0.facts.id, $0) }, uniquingKeysWith: { first, _ in first })
        func ref(_ id: UUID) -> TaskRefDTO? {
            byID[id].map { TaskRefDTO(id: id, title: $0.facts.title, projectId: $0.projectID, assigneeId: $0.facts.assigneeID, dueAt: $0.facts.dueAt) }
        }
        let risky = try await checkpointsAtRisk(covered: { covered($0).where(open) }, on: sql)
        var counts: [String: Int] = [:]
        for (category, count) in summary.countsByCategory { counts[category.rawValue] = count }
        return DashboardDTO(
            scope: scope, counts: counts,
            overdue: summary.overdue.compactMap(ref), dueSoonWithoutProgress: summary.dueSoonWithoutProgress.compactMap(ref),
            blocked: summary.blocked.compactMap { item in ref(item.id).map { .init(task: $0, reason: item.reason, ageDays: item.ageDays) } },
            checkpointsAtRisk: risky,
            workload: summary.workload.map { .init(userId: $0.assigneeID, name: $0.assigneeID.flatMap { names[$0] } ?? "Unassigned",
                                                   openTasks: $0.openTasks, estimateHours: $0.estimateHours) },
            completedThisWeek: summary.completedThisWeek,
            burnUp: summary.burnUp.map { .init(day: $0.day, scope: $0.scope, done: $0.done) },
            burnUpSvg: BurnUpChart.svg(summary.burnUp), generatedAt: now)
    }

    /// How many covered tasks each person has in each stage category, and their estimates.
    private static func taskGroups(covered: Coverage, on sql: any SQLDatabase) async throws -> [TaskGroup] {
        try await covered(sql.select()
            .column(column("stage_category")).column(column("assignee_id"))
            .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("tasks")))
            .column(SQLAlias(SQLFunction("SUM", args: column("estimate")), as: SQLIdentifier("hours")))
            .from(WorkTask.schema))
            .groupBy(column("stage_category")).groupBy(column("assignee_id"))
            .all().map { row in
                TaskGroup(category: StageCategory(rawValue: try row.decode(column: "stage_category", as: String.self)) ?? .todo,
                          assigneeID: try row.decode(column: "assignee_id", as: UUID?.self), count: try row.decode(column: "tasks", as: Int.self),
                          estimateHours: try row.decode(column: "hours", as: Double?.self) ?? 0)
            }
    }

    /// Burn-up points and this week's completions. Each task falls into the first day whose end is
    /// after its creation (and its completion); the database counts tasks per pair of days, and the
    /// running totals are summed here.
    private static func burnUpCounts(days: [(day: Date, end: Date)], weekStart: Date, covered: Coverage,
                                     on sql: any SQLDatabase) async throws -> (points: [DashboardSummary.BurnUpPoint], completedThisWeek: Int) {
        // The first day (lo...hi, hi = none) whose end is after the value, found by nested halving:
        // five comparisons a task instead of up to twenty-eight. NULL compares false and lands on "none".
        func search(_ column: String, _ lo: Int, _ hi: Int, into text: inout SQLQueryString) {
            guard lo < hi else { return text.appendInterpolation(unsafeRaw: " \(lo)") }
            let mid = (lo + hi) / 2
            text.appendInterpolation(unsafeRaw: " CASE WHEN \(WorkTask.schema).\(column) < ")
            text.appendInterpolation(bind: days[mid].end)
            text.appendInterpolation(unsafeRaw: " THEN")
            search(column, lo, mid, into: &text)
            text.appendInterpolation(unsafeRaw: " ELSE")
            search(column, mid + 1, hi, into: &text)
            text.appendInterpolation(unsafeRaw: " END")
        }
        func bucket(_ column: String, onlyDone: Bool) -> SQLQueryString {
            var text = SQLQueryString("")
            if onlyDone { text.appendInterpolation(unsafeRaw: "CASE WHEN \(WorkTask.schema).stage_category <> 'done' OR \(WorkTask.schema).completed_at IS NULL THEN -1 ELSE") }
            search(column, 0, days.count, into: &text)
            if onlyDone { text.appendInterpolation(unsafeRaw: " END") }
            return text
        }
        let thisWeek = SQLQueryString("CASE WHEN \(unsafeRaw: WorkTask.schema).stage_category = 'done' AND \(unsafeRaw: WorkTask.schema).completed_at >= \(bind: weekStart) THEN 1 ELSE 0 END")
        let rows = try await covered(sql.select()
            .column(SQLAlias(bucket("created_at", onlyDone: false), as: SQLIdentifier("created_day")))
            .column(SQLAlias(bucket("completed_at", onlyDone: true), as: SQLIdentifier("done_day")))
            .column(SQLAlias(SQLFunction("COUNT", args: SQLLiteral.all), as: SQLIdentifier("tasks")))
            .column(SQLAlias(SQLFunction("SUM", args: thisWeek), as: SQLIdentifier("this_week")))
            .from(WorkTask.schema))
            .groupBy(SQLIdentifier("created_day")).groupBy(SQLIdentifier("done_day"))
            .all()
        var created = [Int](repeating: 0, count: days.count + 1)
        var done = [Int](repeating: 0, count: days.count + 1)
        var completedThisWeek = 0
        for row in rows {
            let count = try row.decode(column: "tasks", as: Int.self)
            created[try row.decode(column: "created_day", as: Int.self)] += count
            let doneDay = try row.decode(column: "done_day", as: Int.self)
            if doneDay >= 0 { done[doneDay] += count }
            completedThisWeek += try row.decode(column: "this_week", as: Int?.self) ?? 0
        }
        var scope = 0, finished = 0
        let points = days.enumerated().map { index, day in
            scope += created[index]
            finished += done[index]
            return DashboardSummary.BurnUpPoint(day: day.day, scope: scope, done: finished)
        }
        return (points, completedThisWeek)
    }

    /// Reviewed checkpoints at risk or off track, of the covered open tasks, soonest first.
    private static func checkpointsAtRisk(covered: @escaping Coverage, on sql: any SQLDatabase) async throws -> [DashboardDTO.CheckpointAtRisk] {
        let checkpoint = { (name: String) in SQLColumn(name, table: Checkpoint.schema) }
        let select = sql.select()
            .column(column("id")).column(column("title")).column(column("project_id")).column(column("assignee_id")).column(column("due_at"))
            .column(SQLAlias(checkpoint("title"), as: SQLIdentifier("checkpoint_title")))
            .column(SQLAlias(checkpoint("due_at"), as: SQLIdentifier("checkpoint_due_at")))
            .column(checkpoint("status")).column(checkpoint("note"))
            .from(Checkpoint.schema)
            .join(WorkTask.schema, on: column("id"), .equal, checkpoint("task_id"))
            .where(checkpoint("status"), .in, SQLBind.group([CheckpointStatus.atRisk.rawValue, CheckpointStatus.offTrack.rawValue]))
        return try await covered(select).orderBy(checkpoint("due_at")).all().map { row in
            DashboardDTO.CheckpointAtRisk(
                task: TaskRefDTO(id: try row.decode(column: "id", as: UUID.self), title: try row.decode(column: "title", as: String.self),
                                 projectId: try row.decode(column: "project_id", as: UUID.self),
                                 assigneeId: try row.decode(column: "assignee_id", as: UUID?.self), dueAt: try row.decode(column: "due_at", as: Date?.self)),
                checkpoint: try row.decode(column: "checkpoint_title", as: String.self),
                status: CheckpointStatus(rawValue: try row.decode(column: "status", as: String.self)) ?? .atRisk,
                dueAt: try row.decode(column: "checkpoint_due_at", as: Date.self), note: try row.decode(column: "note", as: String.self))
        }
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
        let select = (db as! any SQLDatabase).select().columns(columns.map { DashboardQueries.column($0) }).from(WorkTask.schema)
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
