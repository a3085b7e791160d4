import Fluent
import Foundation
import SQLKit
import Vapor
import BatonCore

/// Once a minute: the rules that fire on time rather than on a change. Deadlines close without
/// progress, checkpoints passed without a review, and scheduled rules' occurrences are queued as
/// firings; what already ran (its key in `rule_runs`) or is queued (the job's dedupe key) is not
/// queued again, so a restart, a second server or a late sweep never fires anything twice.
enum RuleSweep {
    static let recurring = RecurringJob(kind: .ruleSweep, interval: 60)

    static let job = JobDefinition(kind: .ruleSweep) { _, app in
        // The next run is queued first: a sweep that keeps failing must not stop the ones after it.
        try await app.store.write { ctx in try await recurring.scheduleNext(after: ctx.now, ctx: ctx) }
        try await sweep(app, now: app.clock.now())
    }

    static func sweep(_ app: Application, now: Date) async throws {
        let db = app.store.reader
        let kinds = [RuleTrigger.Kind.dueSoon, .checkpointOverdue, .schedule].map(\.rawValue)
        let rules = try await Rule.query(on: db).filter(\.$enabled == true).filter(\.$triggerType ~~ kinds).all()
        for rule in rules {
            guard let ruleID = rule.id, let definition = try? rule.definition else { continue }
            switch definition.trigger.type {
            case .schedule:
                guard let occurrence = RuleSchedule.latestOccurrence(of: definition.trigger, onOrBefore: now),
                      occurrence > rule.updatedAt else { continue }
                try await app.store.write { ctx in try await RuleJobs.enqueueOccurrence(rule: ruleID, at: occurrence, ctx: ctx) }
            case .dueSoon:
                let firings = try await dueSoonFirings(rule, definition.trigger, now: now, on: db)
                try await queueNew(firings, rule: ruleID, now: now, app: app)
            case .checkpointOverdue:
                let firings = try await missedCheckpointFirings(rule, now: now, on: db)
                try await queueNew(firings, rule: ruleID, now: now, app: app)
            default:
                continue
            }
        }
    }

    /// Open tasks due within the window that have not moved for long enough. A new due date is a
    /// new occasion (the key holds it); progress alone does not re-arm the same deadline.
    static func dueSoonFirings(_ rule: Rule, _ trigger: RuleTrigger, now: Date, on db: any Database) async throws -> [RuleFiring] {
        let ruleID = try rule.requireID()
        let within = Double(trigger.withinHours ?? 48) * 3600
        let unchanged = Double(trigger.unchangedHours ?? 0) * 3600
        let tasks = try await WorkTask.query(on: db).filter(\.$projectID == rule.projectID).filter(\.$archivedAt == nil)
            .filter(\.$stageCategory != .done).filter(\.$dueAt > now).filter(\.$dueAt <= now.addingTimeInterval(within))
            .filter(\.$progressAt <= now.addingTimeInterval(-unchanged)).sort(\.$dueAt).limit(20_000).all()
        return tasks.compactMap { task in
            guard let id = task.id, let due = task.dueAt else { return nil }
            let ms = Int(due.timeIntervalSince1970 * 1000)
            return RuleFiring(taskID: id, key: RuleJobs.key(rule: ruleID, "due:\(ms):task:\(id.uuidString.lowercased())"), occasion: "due:\(ms)")
        }
    }

    /// Checkpoints whose date has passed without a review, on open tasks; only those due after the
    /// rule was made (a new rule does not dig up last year's checkpoints).
    static func missedCheckpointFirings(_ rule: Rule, now: Date, on db: any Database) async throws -> [RuleFiring] {
        let ruleID = try rule.requireID()
        let rows = try await PlainSQL.rows(on: db, """
            SELECT checkpoints.id AS checkpoint_id, checkpoints.task_id AS task_id FROM checkpoints
            JOIN tasks ON tasks.id = checkpoints.task_id
            WHERE tasks.project_id = \(bind: rule.projectID) AND tasks.archived_at IS NULL AND tasks.stage_category <> 'done'
              AND checkpoints.reviewed_at IS NULL AND checkpoints.due_at < \(bind: now) AND checkpoints.due_at > \(bind: rule.createdAt)
            ORDER BY checkpoints.due_at LIMIT 20000
            """)
        return try rows.map { row in
            let checkpoint = try row.decode(column: "checkpoint_id", as: UUID.self)
            let task = try row.decode(column: "task_id", as: UUID.self)
            return RuleFiring(taskID: task, key: RuleJobs.key(rule: ruleID, "checkpoint:\(checkpoint.uuidString.lowercased())"),
                              occasion: "checkpoint:\(checkpoint.uuidString.lowercased())")
        }
    }

    /// Firings that have not run. One whose conditions did not hold wrote no run, so it is found
    /// again each minute (and acts once they hold): the job's name carries the minute.
    private static func queueNew(_ firings: [RuleFiring], rule: UUID, now: Date, app: Application) async throws {
        guard !firings.isEmpty else { return }
        let done = try await RuleRun.ran(firings.map(\.key), on: app.store.reader)
        let fresh = firings.filter { !done.contains($0.key) }
        guard !fresh.isEmpty else { return }
        let minute = Int(now.timeIntervalSince1970 / 60)
        try await app.store.write { ctx in
            try await RuleJobs.enqueue(depth: 1, groups: [(rule, fresh)], dedupeSuffix: ":minute:\(minute)", ctx: ctx)
        }
    }
}
