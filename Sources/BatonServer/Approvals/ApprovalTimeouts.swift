import Fluent
import Foundation
import Vapor
import BatonCore

/// A step not acted on in time: reminders after `remind_after_hours`, then escalation after
/// `escalate_after_hours` to the waiting approver's manager or a named person. Each wait is a
/// durable job keyed by the request's generation: anything that changes who waits makes the
/// jobs queued before it do nothing, and a job re-run after a crash finds its work done.
enum ApprovalTimeouts {
    static let job = JobDefinition(kind: .approvalTimeout) { job, app in
        guard let id = job.payload["request_id"].flatMap(UUID.init(uuidString:)), let generation = job.payload["generation"].flatMap(Int.init)
        else { return }
        try await app.store.write { ctx in
            try await run(id, generation: generation, stage: job.payload["stage"] ?? "", ctx: ctx)
        }
    }

    static func schedule(_ request: ApprovalRequest, template: ApprovalTemplate, ctx: WriteContext) async throws {
        if let hours = template.remindAfterHours {
            try await queue(request, stage: "remind", at: ctx.now.addingTimeInterval(Double(hours) * 3600), ctx: ctx)
        } else if let hours = template.escalateAfterHours {
            try await queue(request, stage: "escalate", at: ctx.now.addingTimeInterval(Double(hours) * 3600), ctx: ctx)
        }
    }

    private static func queue(_ request: ApprovalRequest, stage: String, at date: Date, ctx: WriteContext) async throws {
        let id = request.id!.uuidString
        try await ctx.enqueue(.approvalTimeout, payload: ["request_id": id, "generation": String(request.generation), "stage": stage],
                              runAt: date, dedupeKey: "approval-timeout:\(id):\(request.generation):\(stage)")
    }

    static func run(_ id: UUID, generation: Int, stage: String, ctx: WriteContext) async throws {
        let lock = PlainSQL.rowLock(on: ctx.db)
        guard let request = try await PlainSQL.first(ApprovalRequest.self, on: ctx.db, "SELECT * FROM approval_requests WHERE id = \(bind: id)\(unsafeRaw: lock)"),
              request.generation == generation, request.status == ApprovalProgress.Status.pending.rawValue,
              let template = try await ApprovalTemplate.find(request.templateID, on: ctx.db) else { return }
        let progress = try request.progress
        let ledger = ApprovalLedger(request: request, template: template, ctx: ctx)
        switch stage {
        case "remind":
            let waiting = progress.waitingOn
            ledger.record(.reminded, actor: nil, data: ["count": String(waiting.count)])
            for person in waiting { ledger.tell(person, "reminder", actor: nil) }
            if let remind = template.remindAfterHours, let escalate = template.escalateAfterHours {
                try await queue(request, stage: "escalate", at: ctx.now.addingTimeInterval(Double(escalate - remind) * 3600), ctx: ctx)
            }
        case "escalate":
            let org = try await ApprovalOrg.load(request.workspaceID, at: ctx.now, on: ctx.db)
            var current = progress
            for person in progress.waitingOn {
                let target = template.escalateTo == "person" ? template.escalateToID : org.directory.manager(of: person)
                guard let target, org.directory.active.contains(target) else { continue }
                let before = current
                let reason = "No answer in \(template.escalateAfterHours ?? 0) hours."
                do {
                    try current.apply(.transfer(to: target, reason: reason), by: person)
                } catch {
                    continue
                }
                try await ledger.addParticipant(target, role: "approver", actingFor: person, note: "escalated")
                try await ledger.commit(before: before, after: current, as: .init(event: .escalated, actor: nil, actingFor: person, comment: reason,
                                                                                target: target, data: ["from": person.uuidString, "to": target.uuidString]))
            }
        default:
            return
        }
    }
}

extension JobKind {
    static let approvalTimeout = JobKind("approval.timeout")
}
