import Foundation
import Testing
@testable import BatonCore

@Suite("Manager dashboard rules")
struct DashboardRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let day = 86_400.0
    let ann = UUID(), ben = UUID()
    var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }

    func task(_ title: String, _ category: StageCategory, assignee: UUID? = nil, due: Double? = nil, progress: Double = 0,
              blocked: Bool = false, estimate: Double? = nil, created: Double = -10, completed: Double? = nil) -> TaskFacts {
        TaskFacts(id: UUID(), title: title, assigneeID: assignee, category: category, dueAt: due.map { now.addingTimeInterval($0 * day) },
                  progressAt: now.addingTimeInterval(progress * day), blocked: blocked,
                  blockedAt: blocked ? now.addingTimeInterval(-2 * day) : nil, blockedReason: blocked ? "Waiting" : nil,
                  estimate: estimate, createdAt: now.addingTimeInterval(created * day),
                  completedAt: completed.map { now.addingTimeInterval($0 * day) })
    }

    @Test("overdue, due soon without progress, blocked, workload, completed this week, burn-up")
    func summary() {
        let tasks = [
            task("late", .inProgress, assignee: ann, due: -1, estimate: 3),
            task("late but done", .done, assignee: ann, due: -2, completed: -1),
            task("soon and stale", .todo, assignee: ben, due: 2, progress: -4, estimate: 2),
            task("soon but moving", .inProgress, assignee: ben, due: 2, progress: -1),
            task("far", .todo, due: 20, progress: -10),
            task("stuck", .inProgress, assignee: ann, blocked: true),
            task("blocked column", .blocked, assignee: ben),
            task("old done", .done, created: -40, completed: -30),
        ]
        let summary = DashboardRules.summarize(tasks, now: now, weekStart: now.addingTimeInterval(-3 * day), calendar: calendar, days: 14)
        let titles = Dictionary(uniqueKeysWithValues: tasks.map { ($0.id, $0.title) })
        #expect(summary.overdue.map { titles[$0]! } == ["late"])
        #expect(summary.dueSoonWithoutProgress.map { titles[$0]! } == ["soon and stale"])
        #expect(Set(summary.blocked.map(\.title)) == ["stuck", "blocked column"])
        #expect(summary.blocked.first { $0.title == "stuck" }?.ageDays == 2)
        #expect(summary.countsByCategory[.done] == 2)
        #expect(summary.countsByCategory[.todo] == 2)
        #expect(summary.completedThisWeek == 1)
        let annLoad = summary.workload.first { $0.assigneeID == ann }
        #expect(annLoad?.openTasks == 2)
        #expect(annLoad?.estimateHours == 3)
        #expect(summary.workload.first { $0.assigneeID == nil }?.openTasks == 1)
        #expect(summary.burnUp.count == 14)
        #expect(summary.burnUp.last?.scope == 8)
        #expect(summary.burnUp.last?.done == 2)
        #expect(summary.burnUp.first?.done == 1)
        #expect(summary.burnUp.map(\.scope) == summary.burnUp.map(\.scope).sorted())
    }

    @Test("the burn-up SVG has a scope line, a done area and a label")
    func chart() {
        let points = (0..<5).map { DashboardSummary.BurnUpPoint(day: now.addingTimeInterval(Double($0) * day), scope: 10 + $0, done: $0 * 2) }
        let svg = BurnUpChart.svg(points)
        #expect(svg.hasPrefix("<svg"))
        #expect(svg.contains("class=\"scope-line\""))
        #expect(svg.contains("class=\"done-area\""))
        #expect(svg.contains("aria-label=\"Burn-up: 8 of 14 tasks done\""))
        #expect(BurnUpChart.svg([]).contains("No data yet"))
    }
}
