import Fluent
import Foundation
import Vapor
import BatonCore

/// Writes one change of a request inside its transaction: the progress and status, who waits
/// now (and since when), the path entry with how long the step waited, the event, what each
/// person is told, the timeouts of the new wait, and the task released once it is decided.
final class ApprovalLedger {
    let request: ApprovalRequest
    let template: ApprovalTemplate
    let ctx: WriteContext
    /// The request's participants, read once (nil until first needed; a new request has none).
    private var participants: [(user: UUID, role: String, actingFor: UUID?)]?
    private var nextSeq = 0

    init(request: ApprovalRequest, template: ApprovalTemplate, ctx: WriteContext, isNew: Bool = false) {
        self.request = request
        self.template = template
        self.ctx = ctx
        if isNew { participants = [] }
    }

    struct Entry {
        let event: ApprovalEvent
        let actor: UUID?
        var actingFor: UUID? = nil
        var comment: String? = nil
        var target: UUID? = nil
        var data: [String: String] = [:]
    }

    private var requestID: UUID { request.id! }

    private func loadedParticipants() async throws -> [(user: UUID, role: String, actingFor: UUID?)] {
        if let participants { return participants }
        let rows = try await PlainSQL.rows(on: ctx.db, """
            SELECT user_id, role, acting_for FROM approval_participants WHERE request_id = \(bind: requestID)
            """).map { row in
            (user: try row.decode(column: "user_id", as: UUID.self), role: try row.decode(column: "role", as: String.self),
             actingFor: try row.decode(column: "acting_for", as: UUID?.self))
        }
        participants = rows
        return rows
    }

    func addParticipant(_ user: UUID, role: String, actingFor: UUID? = nil, note: String? = nil) async throws {
        var known = try await loadedParticipants()
        if let index = known.firstIndex(where: { $0.user == user && $0.role == role }) {
            guard actingFor != nil || note != nil else { return }
            try await PlainSQL.run(on: ctx.db, """
                UPDATE approval_participants SET acting_for = \(bind: actingFor), note = \(bind: note)
                WHERE request_id = \(bind: requestID) AND user_id = \(bind: user) AND role = \(bind: role)
                """)
            known[index].actingFor = actingFor
            participants = known
            return
        }
        let row = ApprovalParticipant()
        row.id = UUID()
        row.requestID = requestID
        row.workspaceID = request.workspaceID
        row.userID = user
        row.role = role
        row.actingFor = actingFor
        row.note = note
        try await ctx.insert(row)
        known.append((user, role, actingFor))
        participants = known
    }

    /// Every approver of a route, with whom they act for and why.
    func addApprovers(of plan: RoutePlan) async throws {
        for step in plan.steps {
            for approver in step.approvers {
                try await addParticipant(approver.person, role: "approver", actingFor: approver.actingFor, note: approver.note?.rawValue)
            }
        }
    }

    /// Whom `user` approves for on this request (an absent approver, a requester's own step).
    func actingFor(_ user: UUID) async throws -> UUID? {
        try await loadedParticipants().first { $0.user == user && $0.role == "approver" }?.actingFor
    }

    func commit(before: ApprovalProgress?, after: ApprovalProgress, as entry: Entry, cc: [UUID] = []) async throws {
        let now = ctx.now
        let waits = try await PlainSQL.all(ApprovalWait.self, on: ctx.db, "SELECT * FROM approval_waits WHERE request_id = \(bind: requestID)")
        // A new step (or a request open again) is a new wait for everyone on it, the same people included.
        let moved = before.map { $0.current != after.current || $0.status != after.status } ?? true
        let previouslyWaiting = Set(waits.map(\.userID))
        let waitingBefore = moved ? [] : previouslyWaiting
        let step = before.flatMap { progress in Self.step(of: entry.actor, in: progress) }
        let waited = entry.actor.flatMap { actor in waits.first { $0.userID == actor }.map { now.timeIntervalSince($0.since) } }

        request.progressJSON = try StoredJSON.encode(after)
        request.status = after.status.rawValue
        if moved && after.status == .pending { request.stepStartedAt = now }
        if after.status.isFinal && before?.status != after.status { request.decidedAt = now }
        let waitingAfter = after.waitingOn
        for row in waits where moved || !waitingAfter.contains(row.userID) {
            try await PlainSQL.run(on: ctx.db, "DELETE FROM approval_waits WHERE id = \(bind: row.id!)")
        }
        for person in waitingAfter where !waitingBefore.contains(person) {
            let row = ApprovalWait()
            row.id = UUID()
            row.requestID = requestID
            row.workspaceID = request.workspaceID
            row.userID = person
            row.since = now
            try await ctx.insert(row)
        }
        let waitChanged = moved || waitingBefore != Set(waitingAfter)
        if waitChanged { request.generation += 1 }
        request.version += 1
        request.updatedAt = now
        nextSeq = try await PlainSQL.rows(on: ctx.db, """
            SELECT COALESCE(MAX(seq), -1) + 1 AS next FROM approval_actions WHERE request_id = \(bind: requestID)
            """).first?.decode(column: "next", as: Int.self) ?? 0
        try await PlainSQL.run(on: ctx.db, """
            UPDATE approval_requests SET form_values = \(bind: request.valuesJSON), branches = \(bind: request.branches),
                progress = \(bind: request.progressJSON), status = \(bind: request.status), step_started_at = \(bind: request.stepStartedAt),
                generation = \(bind: request.generation), version = \(bind: request.version), updated_at = \(bind: request.updatedAt),
                decided_at = \(bind: request.decidedAt)
            WHERE id = \(bind: requestID)
            """)

        try await path(entry.event, actor: entry.actor, actingFor: entry.actingFor, target: entry.target, comment: entry.comment,
                       step: step, waited: entry.event.measuresWait ? waited : nil)
        var data = entry.data
        if let step { data["step"] = step.name }
        if let actingFor = entry.actingFor { data["acting_for"] = actingFor.uuidString }
        if let comment = entry.comment { data["comment"] = String(comment.prefix(500)) }
        record(entry.event, actor: entry.actor, data: data)
        try await recordAutomatic(before: before, after: after)

        func tell(_ person: UUID, _ reason: String, _ extra: [String: String] = [:]) { self.tell(person, reason, extra, actor: entry.actor) }
        for person in waitingAfter where !waitingBefore.contains(person) {
            let actingFor = try await actingFor(person)
            tell(person, "to_act", actingFor.map { ["acting_for": $0.uuidString] } ?? [:])
        }
        for person in cc { tell(person, "cc") }
        if after.status != before?.status {
            switch after.status {
            case .approved, .rejected:
                let outcome = after.status.rawValue
                record(.decided, actor: entry.actor, data: ["outcome": outcome, "template_id": template.id!.uuidString]
                       .merging(request.taskID.map { ["task_id": $0.uuidString] } ?? [:]) { $1 })
                if let taskID = request.taskID, let project = try await PlainSQL.rows(on: ctx.db, """
                    SELECT project_id FROM tasks WHERE id = \(bind: taskID)
                    """).first.map({ try $0.decode(column: "project_id", as: UUID.self) }) {
                    // the task's people see the template's name, not the request's title (its values may be private)
                    record(.taskDecided, actor: entry.actor, subject: EventSubject(type: "task", id: taskID, projectID: project),
                           data: ["outcome": outcome, "title": template.name])
                }
                var extra = ["outcome": outcome]
                if after.status == .rejected, let comment = entry.comment { extra["comment"] = String(comment.prefix(300)) }
                tell(request.requesterID, "decided", extra)
                for person in try await participants(role: "cc") { tell(person, "decided", extra) }
            case .changesRequested:
                tell(request.requesterID, "changes_requested", ["comment": String((entry.comment ?? "").prefix(300))])
            case .withdrawn:
                for person in previouslyWaiting { tell(person, "withdrawn") }
            case .pending:
                break
            }
        } else if let before, after.status == .pending, after.current > before.current, before.steps.indices.contains(before.current) {
            tell(request.requesterID, "progress", ["step": before.steps[before.current].name])
        }
        if waitChanged && after.status == .pending { try await ApprovalTimeouts.schedule(request, template: template, ctx: ctx) }
        if after.status.isFinal && before?.status != after.status && request.blocksTask {
            try await ApprovalTaskLink.release(request, actor: entry.actor, ctx: ctx)
        }
    }

    /// An event of the request, its title and id in the data.
    func record(_ kind: ApprovalEvent, actor: UUID?, subject: EventSubject? = nil, data: [String: String]) {
        ctx.record(kind, workspace: request.workspaceID, actor: actor, subject: subject ?? .approvalRequest(requestID),
                   data: data.merging(["title": request.title, "request_id": requestID.uuidString]) { first, _ in first })
    }

    /// `approval.told`: one person told one thing about the request (their inbox, their open pages).
    func tell(_ person: UUID, _ reason: String, _ extra: [String: String] = [:], actor: UUID?) {
        record(.told, actor: actor, subject: .user(person), data: extra.merging(["reason": reason]) { $1 })
    }

    private func participants(role: String) async throws -> [UUID] {
        try await loadedParticipants().filter { $0.role == role }.map(\.user)
    }

    private func path(_ kind: ApprovalEvent, actor: UUID?, actingFor: UUID? = nil, target: UUID? = nil, comment: String?,
                      step: (index: Int, name: String)?, waited: Double?) async throws {
        let row = ApprovalActionRecord()
        row.id = UUID()
        row.requestID = requestID
        row.workspaceID = request.workspaceID
        row.seq = nextSeq
        nextSeq += 1
        row.kind = kind.pathKind
        row.stepIndex = step?.index
        row.stepName = step?.name
        row.actorID = actor
        row.actingFor = actingFor
        row.targetID = target
        row.comment = comment
        row.waitedSeconds = waited
        row.createdAt = ctx.now
        try await ctx.insert(row)
    }

    /// Approvals counted without the person acting, each written to the path and the log.
    private func recordAutomatic(before: ApprovalProgress?, after: ApprovalProgress) async throws {
        func automatic(_ progress: ApprovalProgress?) -> Set<String> {
            Set((progress?.steps ?? []).enumerated().flatMap { index, step in
                step.carried.union(step.preApproved.intersection(step.approvals)).map { "\(index)|\($0.uuidString)" }
            })
        }
        let old = automatic(before)
        for (index, step) in after.steps.enumerated() {
            for person in step.carried.union(step.preApproved.intersection(step.approvals)) where !old.contains("\(index)|\(person.uuidString)") {
                let why = step.carried.contains(person) ? "approved an earlier step" : "their own request, by the template"
                try await path(.autoApproved, actor: nil, target: person, comment: why, step: (index, step.name), waited: nil)
                record(.autoApproved, actor: nil, data: ["user_id": person.uuidString, "why": why, "step": step.name])
            }
        }
    }

    /// The open step `person` acted on.
    private static func step(of person: UUID?, in progress: ApprovalProgress) -> (index: Int, name: String)? {
        let open = progress.openSteps
        guard !open.isEmpty else { return nil }
        let index = person.flatMap { person in open.first { progress.steps[$0].approvers.contains(person) } } ?? open.lowerBound
        return (index, progress.steps[index].name)
    }
}

extension ApprovalProgress.Status {
    var isFinal: Bool { self == .approved || self == .rejected || self == .withdrawn }
}

extension ApprovalEvent {
    /// The action answers a wait: how long it waited is measured.
    var measuresWait: Bool { [.approved, .rejected, .changesRequested, .transferred, .returned, .approverAdded].contains(self) }

    /// "approved", "changes_requested": the path's name for it.
    var pathKind: String { String(rawValue.split(separator: ".").last ?? "") }
}
