import Foundation
import BatonCore

/// One occasion for a rule to act on a task. `key` names the occasion once and for all (one
/// event, one deadline, one checkpoint, one scheduled time): a key in `rule_runs` never runs again.
struct RuleFiring: Sendable, Equatable {
    let taskID: UUID
    let key: String
    let occasion: String
    /// The person whose own change set the rule off: they are not notified of it.
    var causedBy: UUID? = nil

    static func event(_ eventID: Int, rule: UUID, task: UUID, causedBy: UUID?) -> RuleFiring {
        RuleFiring(taskID: task, key: RuleJobs.key(rule: rule, "event:\(eventID)"), occasion: "event:\(eventID)", causedBy: causedBy)
    }

    /// Payload text: `task|key|occasion|person` joined by `;` (none of them holds either character).
    static func encode(_ firings: [RuleFiring]) -> String {
        firings.map { "\($0.taskID.uuidString)|\($0.key)|\($0.occasion)|\($0.causedBy?.uuidString ?? "")" }.joined(separator: ";")
    }

    static func decode(_ text: String) -> [RuleFiring] {
        text.split(separator: ";").compactMap { item in
            let parts = item.split(separator: "|", omittingEmptySubsequences: false)
            guard parts.count == 4, let task = UUID(uuidString: String(parts[0])) else { return nil }
            return RuleFiring(taskID: task, key: String(parts[1]), occasion: String(parts[2]), causedBy: UUID(uuidString: String(parts[3])))
        }
    }
}

enum RuleJobs {
    /// Firings per job: one write carries them all.
    static let batchSize = 200

    /// Queues the firings of several rules at one depth, `batchSize` firings to a job (a job may
    /// carry several rules: one write runs them all). A job's dedupe key is its first firing's,
    /// so a sweep that finds the same firings again queues nothing new.
    static func enqueue(depth: Int, groups: [(rule: UUID, firings: [RuleFiring])], dedupeSuffix: String = "",
                        ctx: WriteContext) async throws {
        var pending: [(UUID, [RuleFiring])] = []
        var count = 0
        func flush() async throws {
            guard let first = pending.first?.1.first else { return }
            let text = pending.map { "\($0.0.uuidString)#\(RuleFiring.encode($0.1))" }.joined(separator: "\n")
            try await ctx.enqueue(.ruleRun, payload: ["depth": String(depth), "rules": text], runAt: ctx.now, dedupeKey: "run:" + first.key + dedupeSuffix)
            pending = []
            count = 0
        }
        for (rule, firings) in groups {
            for chunk in firings.chunked(batchSize) {
                if count + chunk.count > batchSize { try await flush() }
                pending.append((rule, chunk))
                count += chunk.count
            }
        }
        try await flush()
    }

    /// A job's rules and their firings (`rules`: a line per rule, `<rule>#<firings>`).
    static func groups(of payload: [String: String]) -> [(rule: UUID, firings: [RuleFiring])] {
        (payload["rules"] ?? "").split(separator: "\n").compactMap { line in
            let parts = line.split(separator: "#", maxSplits: 1)
            guard parts.count == 2, let rule = UUID(uuidString: String(parts[0])) else { return nil }
            return (rule, RuleFiring.decode(String(parts[1])))
        }
    }

    /// A scheduled rule's occurrence: the runner finds the tasks when it runs.
    static func enqueueOccurrence(rule: UUID, at occurrence: Date, ctx: WriteContext) async throws {
        let ms = Int(occurrence.timeIntervalSince1970 * 1000)
        try await ctx.enqueue(.ruleRun, payload: ["rule_id": rule.uuidString, "depth": "1", "at": String(ms)],
                              runAt: ctx.now, dedupeKey: "rule:\(rule.uuidString.lowercased()):at:\(ms)")
    }

    static func key(rule: UUID, _ rest: String) -> String { "rule:\(rule.uuidString.lowercased()):\(rest)" }
}

/// Why a rule could not do what it says, in words for its run history.
struct RuleFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }

    static func describing(_ error: any Error) -> String? {
        switch error {
        case let failure as RuleFailure: return failure.message
        case let error as BatonError: return error.message
        default: return nil
        }
    }
}
