import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// Reads of requests: one with its path, the four views, and how long approvals wait.
enum ApprovalQueries {
    enum View: String, CaseIterable { case toApprove = "to_approve", mine, cc, all }

    struct Filter {
        var view: View
        var status: String?
        var templateID: UUID?
        var requesterID: UUID?
        var offset = 0
        var limit = PageSize.standard
    }

    static func detail(_ request: ApprovalRequest, viewer: UUID, on db: any Database) async throws -> ApprovalRequestDTO {
        let id = try request.requireID()
        let progress = try request.progress
        let template = try await ApprovalTemplate.find(request.templateID, on: db)
        let participants = try await PlainSQL.all(ApprovalParticipant.self, on: db, "SELECT * FROM approval_participants WHERE request_id = \(bind: id)")
        let path = try await PlainSQL.all(ApprovalActionRecord.self, on: db, "SELECT * FROM approval_actions WHERE request_id = \(bind: id) ORDER BY seq")
        var ids = Set(participants.map(\.userID) + participants.compactMap(\.actingFor) + [request.requesterID])
        ids.formUnion(path.compactMap(\.actorID) + path.compactMap(\.actingFor) + path.compactMap(\.targetID))
        ids.formUnion(progress.steps.flatMap(\.approvers))
        let names = try await UserNames.load(ids, on: db)
        func name(_ id: UUID) -> String { names[id] ?? "someone" }
        let approverRows = Dictionary(participants.filter { $0.role == "approver" }.map { ($0.userID, $0) }) { first, _ in first }
        let open = progress.openSteps
        let steps = progress.steps.enumerated().map { index, step -> ApprovalRequestDTO.Step in
            let state: String
            switch step.outcome {
            case .approved: state = index < open.upperBound || progress.status == .approved ? "done" : "upcoming"
            case .rejected: state = "rejected"
            case .open: state = open.contains(index) && progress.status == .pending ? "open" : (index < progress.current ? "done" : "upcoming")
            }
            return .init(index: index, name: step.name, quorum: step.quorum, parallelGroup: step.parallelGroup, state: state,
                         approvers: step.approvers.map { person in
                let row = approverRows[person]
                return .init(userId: person, name: name(person), actingFor: row?.actingFor, actingForName: row?.actingFor.map(name),
                             note: row?.note, decision: step.approvals.contains(person) ? "approved" : step.rejections.contains(person) ? "rejected" : nil,
                             automatic: step.carried.contains(person) || step.preApproved.contains(person))
            })
        }
        return ApprovalRequestDTO(
            id: id, workspaceId: request.workspaceID, templateId: request.templateID, templateName: template?.name ?? "",
            title: request.title, requesterId: request.requesterID, requesterName: name(request.requesterID), values: try request.rawValues,
            fields: try template?.fields ?? [], branches: request.branches.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) },
            status: request.status, steps: steps, waitingOn: progress.waitingOn.map { PersonRef(userId: $0, name: name($0)) },
            stepStartedAt: request.stepStartedAt,
            cc: participants.filter { $0.role == "cc" }.map { PersonRef(userId: $0.userID, name: name($0.userID)) },
            taskId: request.taskID, blocksTask: request.blocksTask,
            path: path.map { entry in
                .init(kind: entry.kind, stepIndex: entry.stepIndex, stepName: entry.stepName, actorId: entry.actorID,
                      actorName: entry.actorID.map(name) ?? "Baton", actingFor: entry.actingFor, actingForName: entry.actingFor.map(name),
                      targetId: entry.targetID, targetName: entry.targetID.map(name), comment: entry.comment, waitedSeconds: entry.waitedSeconds,
                      createdAt: entry.createdAt)
            },
            can: can(progress, viewer: viewer), version: request.version, createdAt: request.createdAt, updatedAt: request.updatedAt,
            decidedAt: request.decidedAt)
    }

    /// The actions `viewer` may take now, tried on a copy.
    static func can(_ progress: ApprovalProgress, viewer: UUID) -> [String] {
        var actions: [String] = []
        if progress.waitingOn.contains(viewer) {
            actions += ["approve", "reject", "request-changes", "transfer", "add-approver"]
            if progress.current > 0 { actions.append("return") }
        }
        if viewer == progress.requester {
            if progress.status == .pending || progress.status == .changesRequested { actions.append("withdraw") }
            if progress.status == .changesRequested { actions.append("resubmit") }
        }
        return actions
    }

    static func list(_ access: WorkspaceAccess, _ filter: Filter, on db: any Database) async throws -> (items: [ApprovalRequestSummaryDTO], next: Int?) {
        let me = access.userID
        var conditions: [SQLQueryString] = ["r.workspace_id = \(bind: access.workspaceID)"]
        switch filter.view {
        case .toApprove:
            conditions.append("EXISTS (SELECT 1 FROM approval_waits w WHERE w.request_id = r.id AND w.user_id = \(bind: me))")
        case .mine:
            conditions.append("r.requester_id = \(bind: me)")
        case .cc:
            conditions.append("EXISTS (SELECT 1 FROM approval_participants p WHERE p.request_id = r.id AND p.user_id = \(bind: me) AND p.role = 'cc')")
        case .all:
            try access.requireAdmin()
        }
        if let status = filter.status { conditions.append("r.status = \(bind: status)") }
        if let template = filter.templateID { conditions.append("r.template_id = \(bind: template)") }
        if let requester = filter.requesterID { conditions.append("r.requester_id = \(bind: requester)") }
        let requests = try await PlainSQL.all(ApprovalRequest.self, on: db, """
            SELECT r.* FROM approval_requests r WHERE \(conditions.joined(separator: " AND "))
            ORDER BY r.created_at DESC, r.id DESC LIMIT \(unsafeRaw: String(filter.limit + 1)) OFFSET \(unsafeRaw: String(filter.offset))
            """)
        let page = Array(requests.prefix(filter.limit))
        let items = try await summaries(page, on: db)
        return (items, requests.count > filter.limit ? filter.offset + filter.limit : nil)
    }

    static func summaries(_ requests: [ApprovalRequest], on db: any Database) async throws -> [ApprovalRequestSummaryDTO] {
        guard !requests.isEmpty else { return [] }
        let templateIDs = Array(Set(requests.map(\.templateID)))
        let templates = Dictionary(try await ApprovalTemplate.query(on: db).filter(\.$id ~~ templateIDs).all().map { ($0.id!, $0.name) }) { first, _ in first }
        let progresses = try requests.map { try $0.progress }
        let names = try await UserNames.load(requests.map(\.requesterID) + progresses.flatMap(\.waitingOn), on: db)
        return try zip(requests, progresses).map { request, progress in
            let open = progress.openSteps
            return ApprovalRequestSummaryDTO(
                id: try request.requireID(), title: request.title, templateId: request.templateID, templateName: templates[request.templateID] ?? "",
                requesterId: request.requesterID, requesterName: names[request.requesterID] ?? "someone", status: request.status,
                currentStep: progress.status == .pending && !open.isEmpty ? open.map { progress.steps[$0].name }.joined(separator: " + ") : nil,
                waitingOn: progress.waitingOn.map { PersonRef(userId: $0, name: names[$0] ?? "someone") },
                waitingSince: progress.status == .pending ? request.stepStartedAt : nil, createdAt: request.createdAt, decidedAt: request.decidedAt)
        }
    }

    /// Waits per step (template and step name) and per approver over the last `days`: every
    /// answered wait, and the waits still open (counted as long as they have lasted so far).
    static func waits(_ access: WorkspaceAccess, templateID: UUID?, days: Int, now: Date, on db: any Database) async throws -> ApprovalWaitsDTO {
        try access.requireAdmin()
        let since = now.addingTimeInterval(-Double(days) * 86_400)
        let templateCondition: SQLQueryString = templateID.map { "AND r.template_id = \(bind: $0)" } ?? ""
        let answered = try await PlainSQL.rows(on: db, """
            SELECT a.actor_id, a.acting_for, a.step_name, a.waited_seconds, t.name AS template_name
            FROM approval_actions a JOIN approval_requests r ON r.id = a.request_id JOIN approval_templates t ON t.id = r.template_id
            WHERE a.workspace_id = \(bind: access.workspaceID) AND a.waited_seconds IS NOT NULL AND a.created_at >= \(bind: since) \(templateCondition)
            """)
        let open = try await PlainSQL.rows(on: db, """
            SELECT w.user_id, w.since, r.progress, t.name AS template_name
            FROM approval_waits w JOIN approval_requests r ON r.id = w.request_id JOIN approval_templates t ON t.id = r.template_id
            WHERE w.workspace_id = \(bind: access.workspaceID) \(templateCondition)
            """)
        var byStep: [(key: String, seconds: TimeInterval)] = []
        var byApprover: [(key: String, seconds: TimeInterval)] = []
        for row in answered {
            guard let actor = try row.decode(column: "actor_id", as: UUID?.self) else { continue }
            let seconds = try row.decode(column: "waited_seconds", as: Double.self)
            let step = "\(try row.decode(column: "template_name", as: String.self)) · \(try row.decode(column: "step_name", as: String?.self) ?? "")"
            byStep.append((step, seconds))
            byApprover.append((actor.uuidString, seconds))
        }
        for row in open {
            let person = try row.decode(column: "user_id", as: UUID.self)
            let seconds = now.timeIntervalSince(try row.decode(column: "since", as: Date.self))
            let progress = try StoredJSON.decode(ApprovalProgress.self, try row.decode(column: "progress", as: String.self))
            let stepName = progress.openSteps.first { progress.steps[$0].approvers.contains(person) }.map { progress.steps[$0].name } ?? ""
            byStep.append(("\(try row.decode(column: "template_name", as: String.self)) · \(stepName)", seconds))
            byApprover.append((person.uuidString, seconds))
        }
        let approverSummaries = WaitSummary.of(byApprover)
        let names = try await UserNames.load(approverSummaries.compactMap { UUID(uuidString: $0.key) }, on: db)
        func dto(_ summary: WaitSummary, label: String) -> WaitSummaryDTO {
            WaitSummaryDTO(key: summary.key, label: label, count: summary.count, averageSeconds: summary.average, p90Seconds: summary.p90)
        }
        return ApprovalWaitsDTO(steps: WaitSummary.of(byStep).map { dto($0, label: $0.key) },
                                approvers: approverSummaries.map { dto($0, label: UUID(uuidString: $0.key).flatMap { names[$0] } ?? "someone") },
                                since: since)
    }
}
