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
    }

    public let countsByCategory: [StageCategory: Int]
    public let overdue: [UUID]
    public let dueSoonWithoutProgress: [UUID]
    public let blocked: [BlockedTask]
    public let workload: [Workload]
    public let completedThisWeek: Int
    public let burnUp: [BurnUpPoint]
}

public enum DashboardRules {
    /// - Parameters:
    ///   - weekStart: start of the current week in the viewer's time zone.
    ///   - days: how many days the burn-up shows, ending today.
    public static func summarize(_ tasks: [TaskFacts], now: Date, weekStart: Date, calendar: Calendar,
                                 days: Int = 28) -> DashboardSummary {
        var counts: [StageCategory: Int] = [:]
        for category in StageCategory.allCases { counts[category] = 0 }
        for task in tasks { counts[task.category, default: 0] += 1 }

        let open = tasks.filter(\.isOpen)
        let overdue = open.filter { ($0.dueAt ?? .distantFuture) < now }
            .sorted { ($0.dueAt ?? now) < ($1.dueAt ?? now) }.map(\.id)
        let soon = now.addingTimeInterval(7 * 86_400)
        let stale = now.addingTimeInterval(-3 * 86_400)
        let dueSoon = open.filter { task in
            guard let due = task.dueAt else { return false }
            return due >= now && due <= soon && task.progressAt < stale
        }.sorted { $0.dueAt! < $1.dueAt! }.map(\.id)

        let blocked = open.filter(\.isBlocked).map { task in
            DashboardSummary.BlockedTask(id: task.id, title: task.title, reason: task.blockedReason ?? "",
                                         ageDays: max(0, Int(now.timeIntervalSince(task.blockedAt ?? task.progressAt) / 86_400)))
        }.sorted { $0.ageDays > $1.ageDays }

        var load: [UUID?: (Int, Double)] = [:]
        for task in open {
            let entry = load[task.assigneeID] ?? (0, 0)
            load[task.assigneeID] = (entry.0 + 1, entry.1 + (task.estimate ?? 0))
        }
        let workload = load.map { DashboardSummary.Workload(assigneeID: $0.key, openTasks: $0.value.0, estimateHours: $0.value.1) }
            .sorted { ($0.openTasks, $0.assigneeID?.uuidString ?? "") > ($1.openTasks, $1.assigneeID?.uuidString ?? "") }

        let completedThisWeek = tasks.filter { ($0.completedAt ?? .distantPast) >= weekStart && $0.category == .done }.count

        let today = calendar.startOfDay(for: now)
        var points: [DashboardSummary.BurnUpPoint] = []
        for offset in stride(from: days - 1, through: 0, by: -1) {
            guard let day = calendar.date(byAdding: .day, value: -offset, to: today),
                  let end = calendar.date(byAdding: .day, value: 1, to: day) else { continue }
            let scope = tasks.filter { $0.createdAt < end }.count
            let done = tasks.filter { task in task.category == .done && (task.completedAt ?? .distantFuture) < end }.count
            points.append(.init(day: day, scope: scope, done: done))
        }
        return DashboardSummary(countsByCategory: counts, overdue: overdue, dueSoonWithoutProgress: dueSoon, blocked: blocked,
                                workload: workload, completedThisWeek: completedThisWeek, burnUp: points)
    }
}

/// The burn-up chart as an SVG drawn on the server: scope line and done area over days.
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
