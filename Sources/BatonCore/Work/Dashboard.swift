import Foundation

/// What the manager dashboard needs to know about one task.
public struct TaskFacts: Sendable, Equatable {
    public let id: UUID
    public let title: String
    public let assigneeID: UUID?
    public let category: StageCategory
    public let dueAt: Date?
    public let progressAt: Date
    public let blocked: Bool
    public let blockedAt: Date?
    public let blockedReason: String?
    public let estimate: Double?
    public let createdAt: Date
    public let completedAt: Date?

    public init(id: UUID, title: String, assigneeID: UUID?, category: StageCategory, dueAt: Date?, progressAt: Date,
                blocked: Bool, blockedAt: Date?, blockedReason: String?, estimate: Double?, createdAt: Date, completedAt: Date?) {
        self.id = id
        self.title = title
        self.assigneeID = assigneeID
        self.category = category
        self.dueAt = dueAt
        self.progressAt = progressAt
        self.blocked = blocked
        self.blockedAt = blockedAt
        self.blockedReason = blockedReason
        self.estimate = estimate
        self.createdAt = createdAt
        self.completedAt = completedAt
    }

    public var isOpen: Bool { category != .done }
    public var isBlocked: Bool { isOpen && (blocked || category == .blocked) }
}

/// The manager dashboard's figures, computed from task facts and the time now.
public struct DashboardSummary: Sendable, Equatable {
    public struct Workload: Sendable, Equatable {
        public let assigneeID: UUID?
        public let openTasks: Int
        public let estimateHours: Double
    }

    public struct BlockedTask: Sendable, Equatable {
        public let id: UUID
        public let title: String
        public let reason: String
        public let ageDays: Int
    }

    public struct BurnUpPoint: Sendable, Equatable {
        public let day: Date
        public let scope: Int
        public let done: Int

        public init(day: Date, scope: Int, done: Int) {
            self.day = day
            self.scope = scope
            self.done = done
        }
    }

    public let countsByCategory: [StageCategory: Int]
    public let overdue: [UUID]
    public let dueSoonWithoutProgress: [UUID]
    public let blocked: [BlockedTask]
    public let workload: [Workload]
    public let completedThisWeek: Int
    public let burnUp: [BurnUpPoint]
}

/// How many tasks of one stage category one person has (nil: unassigned), and their estimates.
public struct TaskGroup: Sendable, Equatable {
    public let category: StageCategory
    public let assigneeID: UUID?
    public let count: Int
    public let estimateHours: Double

    public init(category: StageCategory, assigneeID: UUID?, count: Int, estimateHours: Double) {
        self.category = category
        self.assigneeID = assigneeID
        self.count = count
        self.estimateHours = estimateHours
    }
}

public enum DashboardRules {
    /// The reference: a whole dashboard from every task it covers.
    public static func summarize(_ tasks: [TaskFacts], now: Date, weekStart: Date, calendar: Calendar,
                                 days: Int = 28) -> DashboardSummary {
        var groups: [String: TaskGroup] = [:]
        for task in tasks {
            let key = "\(task.category.rawValue)|\(task.assigneeID?.uuidString ?? "")"
            let group = groups[key]
            groups[key] = TaskGroup(category: task.category, assigneeID: task.assigneeID, count: (group?.count ?? 0) + 1,
                                    estimateHours: (group?.estimateHours ?? 0) + (task.estimate ?? 0))
        }
        let burnUp = burnUpDays(now: now, calendar: calendar, days: days).map { day in
            DashboardSummary.BurnUpPoint(day: day.day, scope: tasks.filter { $0.createdAt < day.end }.count,
                                         done: tasks.filter { $0.category == .done && ($0.completedAt ?? .distantFuture) < day.end }.count)
        }
        let completedThisWeek = tasks.filter { ($0.completedAt ?? .distantPast) >= weekStart && $0.category == .done }.count
        return assemble(groups: Array(groups.values), attention: tasks.filter { needsAttention($0, now: now) },
                        burnUp: burnUp, completedThisWeek: completedThisWeek, now: now)
    }

    /// A dashboard from its parts, as a database can count them: per-category/per-person groups,
    /// the tasks that need attention (see `needsAttention`), and the burn-up counts.
    public static func assemble(groups: [TaskGroup], attention: [TaskFacts], burnUp: [DashboardSummary.BurnUpPoint],
                                completedThisWeek: Int, now: Date) -> DashboardSummary {
        var counts: [StageCategory: Int] = [:]
        for category in StageCategory.allCases { counts[category] = 0 }
        var load: [UUID?: (Int, Double)] = [:]
        for group in groups {
            counts[group.category, default: 0] += group.count
            guard group.category != .done else { continue }
            let entry = load[group.assigneeID] ?? (0, 0)
            load[group.assigneeID] = (entry.0 + group.count, entry.1 + group.estimateHours)
        }
        let workload = load.map { DashboardSummary.Workload(assigneeID: $0.key, openTasks: $0.value.0, estimateHours: $0.value.1) }
            .sorted { ($0.openTasks, $0.assigneeID?.uuidString ?? "") > ($1.openTasks, $1.assigneeID?.uuidString ?? "") }

        let open = attention.filter(\.isOpen)
        let overdue = open.filter { ($0.dueAt ?? .distantFuture) < now }
            .sorted { ($0.dueAt ?? now, $0.id.uuidString) < ($1.dueAt ?? now, $1.id.uuidString) }.map(\.id)
        let soon = attentionDueBefore(now)
        let stale = staleBefore(now)
        let dueSoon = open.filter { task in
            guard let due = task.dueAt else { return false }
            return due >= now && due <= soon && task.progressAt < stale
        }.sorted { ($0.dueAt!, $0.id.uuidString) < ($1.dueAt!, $1.id.uuidString) }.map(\.id)
        let blocked = open.filter(\.isBlocked).map { task in
            DashboardSummary.BlockedTask(id: task.id, title: task.title, reason: task.blockedReason ?? "",
                                         ageDays: max(0, Int(now.timeIntervalSince(task.blockedAt ?? task.progressAt) / 86_400)))
        }.sorted { ($0.ageDays, $1.id.uuidString) > ($1.ageDays, $0.id.uuidString) }
        return DashboardSummary(countsByCategory: counts, overdue: overdue, dueSoonWithoutProgress: dueSoon, blocked: blocked,
                                workload: workload, completedThisWeek: completedThisWeek, burnUp: burnUp)
    }

    /// Open tasks that appear in a dashboard's lists: blocked, overdue, or due within the next seven
    /// days without progress for three. A database selects exactly these (with `attentionDueBefore`,
    /// `staleBefore` and the blocked flags), so a team whose work is on time sends no rows.
    public static func needsAttention(_ task: TaskFacts, now: Date) -> Bool {
        guard task.isOpen else { return false }
        if task.isBlocked { return true }
        guard let due = task.dueAt else { return false }
        return due < now || (due <= attentionDueBefore(now) && task.progressAt < staleBefore(now))
    }

    /// The end of "due soon": seven days from now.
    public static func attentionDueBefore(_ now: Date) -> Date { now.addingTimeInterval(7 * 86_400) }

    /// Progress before this is no progress "in the last three days".
    public static func staleBefore(_ now: Date) -> Date { now.addingTimeInterval(-3 * 86_400) }

    /// The burn-up's days (midnight in the calendar's time zone) and the moment each one ends.
    public static func burnUpDays(now: Date, calendar: Calendar, days: Int) -> [(day: Date, end: Date)] {
        let today = calendar.startOfDay(for: now)
        return stride(from: days - 1, through: 0, by: -1).compactMap { offset in
            guard let day = calendar.date(byAdding: .day, value: -offset, to: today),
                  let end = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            return (day, end)
        }
    }
}

public enum BurnUpChart {
    public static func svg(_ points: [DashboardSummary.BurnUpPoint], width: Int = 640, height: Int = 200) -> String {
        guard points.count >= 2 else { return "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"No data yet\"></svg>" }
        let padding = 28.0
        let maxValue = Double(max(1, points.map(\.scope).max() ?? 1))
        let plotWidth = Double(width) - padding * 2
        let plotHeight = Double(height) - padding * 2
        func x(_ index: Int) -> Double { padding + plotWidth * Double(index) / Double(points.count - 1) }
        func y(_ value: Int) -> Double { padding + plotHeight * (1 - Double(value) / maxValue) }
        func format(_ value: Double) -> String { String(format: "%.1f", value) }
        let scopeLine = points.enumerated().map { "\(format(x($0.offset))),\(format(y($0.element.scope)))" }.joined(separator: " ")
        let doneLine = points.enumerated().map { "\(format(x($0.offset))),\(format(y($0.element.done)))" }.joined(separator: " ")
        let doneArea = "\(format(x(0))),\(format(y(0))) \(doneLine) \(format(x(points.count - 1))),\(format(y(0)))"
        let last = points[points.count - 1]
        let label = "Burn-up: \(last.done) of \(last.scope) tasks done"
        return """
        <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(width) \(height)" class="burnup" role="img" aria-label="\(label)">\
        <line x1="\(format(padding))" y1="\(format(y(0)))" x2="\(format(Double(width) - padding))" y2="\(format(y(0)))" class="axis"/>\
        <polygon points="\(doneArea)" class="done-area"/>\
        <polyline points="\(doneLine)" class="done-line" fill="none"/>\
        <polyline points="\(scopeLine)" class="scope-line" fill="none"/>\
        <text x="\(format(padding))" y="16" class="legend">Scope \(last.scope)</text>\
        <text x="\(format(padding + 110))" y="16" class="legend done">Done \(last.done)</text>\
        </svg>
        """
    }
}
