import Fluent
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
        let tasks = reportIDs.isEmpty ? [] : try await Tenancy.query(access, WorkTask.self, on: db)
            .filter(\.$assigneeID ~~ reportIDs)
            .group(.or) { $0.filter(\.$stageCategory != .done).filter(\.$completedAt >= windowStart) }
            .all()
        let names = Dictionary(reports.map { ($0.$user.id, $0.user.name) }, uniquingKeysWith: { first, _ in first })
        return try await summarize(tasks, scope: .init(type: "manager", id: managerID, name: manager.user.name, memberIds: reportIDs),
                                   names: names, timeZone: timeZone, now: now, on: db)
    }

    static func project(_ scope: WorkScope.ProjectAccess, timeZone: String, now: Date, on db: any Database) async throws -> DashboardDTO {
        let windowStart = now.addingTimeInterval(-Double(days) * 86_400)
        let tasks = try await WorkTask.query(on: db).filter(\.$projectID == scope.projectID)
            .group(.or) { $0.filter(\.$stageCategory != .done).filter(\.$completedAt >= windowStart) }
            .all()
        let names = try await WorkQueries.members(scope.access, on: db).names
        let members = try await ProjectMember.query(on: db).filter(\.$projectID == scope.projectID).all().map(\.userID)
        return try await summarize(tasks, scope: .init(type: "project", id: scope.projectID, name: scope.project.name, memberIds: members),
                                   names: names, timeZone: timeZone, now: now, on: db)
    }

    private static func summarize(_ tasks: [WorkTask], scope: DashboardDTO.Scope, names: [UUID: String], timeZone: String,
                                  now: Date, on db: any Database) async throws -> DashboardDTO {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        let weekStart = calendar.dateInterval(of: .weekOfYear, for: now)?.start ?? now
        let facts = tasks.map { task in
            TaskFacts(id: task.id!, title: task.title, assigneeID: task.assigneeID, category: task.stageCategory, dueAt: task.dueAt,
                      progressAt: task.progressAt, blocked: task.blocked, blockedAt: task.blockedAt, blockedReason: task.blockedReason,
                      estimate: task.estimate, createdAt: task.createdAt, completedAt: task.completedAt)
        }
        let summary = DashboardRules.summarize(facts, now: now, weekStart: weekStart, calendar: calendar, days: days)
        let byID = Dictionary(tasks.map { ($0.id!, $0) }, uniquingKeysWith: { first, _ in first })
        func ref(_ id: UUID) -> TaskRefDTO? {
            byID[id].map { TaskRefDTO(id: id, title: $0.title, projectId: $0.projectID, assigneeId: $0.assigneeID, dueAt: $0.dueAt) }
        }
        let openIDs = tasks.filter { $0.stageCategory != .done }.compactMap(\.id)
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
