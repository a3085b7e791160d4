import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// The route a request with these values takes now: the branches, each step's people (with who
/// acts for whom, and why), and who is copied.
struct RoutePlan: Sendable {
    let requesterID: UUID
    let branches: [String]
    let steps: [ResolvedStep]
    let cc: [UUID]
    let repeatApproverAutoApproves: Bool

    static func make(_ template: ApprovalTemplate, values: [String: ApprovalValue], requester: UUID, org: ApprovalOrg,
                     at moment: Date) throws -> RoutePlan {
        let fields = try template.fields
        let policy = try template.policy
        let flow = try template.flow
        let route = flow.route(values, fields: fields)
        let directory = org.directory(for: requester, size: DecisionSize(values: values, fields: fields))
        let steps = ApproverResolution.resolve(route.steps, requester: requester, owner: template.ownerID, directory: directory,
                                               policy: policy, at: moment)
        let copied = flow.cc.isEmpty ? [] : ApproverResolution.resolve([ApprovalStep(name: "CC", approvers: flow.cc)], requester: requester,
                                                                        owner: template.ownerID, directory: directory,
                                                                        policy: ApprovalPolicy(requesterIsApprover: .skip), at: moment)
        let cc = copied.first?.approvers.filter { $0.note != .noApprover }.map(\.person) ?? []
        if let empty = steps.first(where: { $0.approvers.isEmpty }) {
            throw BatonError.validation("values", "Nobody but you could approve “\(empty.name)”: ask an admin to set your manager or change the template.")
        }
        return RoutePlan(requesterID: requester, branches: route.branches, steps: steps, cc: cc, repeatApproverAutoApproves: policy.repeatApproverAutoApproves)
    }

    /// Everyone the route names (approvers, whom they act for, CC), for loading their names.
    var people: [UUID] {
        steps.flatMap { $0.approvers.flatMap { [$0.person] + ($0.actingFor.map { [$0] } ?? []) } } + cc
    }

    var progress: ApprovalProgress {
        ApprovalProgress(requester: requesterID, steps: steps.map { step in
            ApprovalProgress.Step(name: step.name, quorum: step.quorum, approvers: step.approvers.map(\.person),
                                  preApproved: Set(step.approvers.filter(\.preApproved).map(\.person)), parallelGroup: step.parallelGroup,
                                  merge: step.merge)
        }, repeatApproverAutoApproves: repeatApproverAutoApproves)
    }
}

/// What a submit sends.
struct SubmitDraft: Sendable {
    var title: String?
    var values: [String: StoredValue]
    var taskID: UUID?
    var waitingForApproval: Bool

    init(title: String? = nil, values: [String: StoredValue], taskID: UUID? = nil, waitingForApproval: Bool = false) {
        self.title = title
        self.values = values
        self.taskID = taskID
        self.waitingForApproval = waitingForApproval
    }

    init(_ body: PatchReader) throws {
        let reading = Reading()
        title = reading.read { try body.string("title") }
        values = reading.read { try FormValues.read(body) } ?? [:]
        taskID = reading.read { try body.nullableUUID("task_id") } ?? nil
        waitingForApproval = reading.read { try body.bool("waiting_for_approval") } ?? false
        try reading.finish()
        if waitingForApproval && taskID == nil { throw BatonError.validation("waiting_for_approval", "Name the task (task_id) that waits.") }
    }
}

/// The only way requests change: submit, then the actions of `ApprovalProgress`, each checked
/// against who may do what now, written with its event in one transaction.
struct ApprovalRequestService: Sendable {
    let store: Store

    func preview(_ template: ApprovalTemplate, access: WorkspaceAccess, values raw: [String: StoredValue], on db: any Database,
                 now: Date) async throws -> RoutePlan {
        let values = try FormValues.typed(raw, fields: try template.fields)
        let org = try await ApprovalOrg.load(access.workspaceID, at: now, on: db)
        return try RoutePlan.make(template, values: values, requester: access.userID, org: org, at: now)
    }

    /// The route is computed from reads before the write (SQLite has one writer: reads inside it
    /// hold everyone up), as Work's PATCH does; the write then checks that the template is still
    /// the version routed by and takes new requests.
    func submit(_ templateID: UUID, by userID: UUID, _ draft: SubmitDraft) async throws -> ApprovalRequest {
        let reader = store.reader
        let (template, access) = try await ApprovalTemplateService.template(templateID, for: userID, on: reader)
        guard template.active else { throw BatonError.conflict(nil, "“\(template.name)” takes no new requests: it was turned off.") }
        let fields = try template.fields
        let values = try FormValues.typed(draft.values, fields: fields)
        try await Self.checkReferences(values, fields: fields, access: access, on: reader)
        let title = try Self.title(draft.title, template: template, values: values, fields: fields)
        let routedAt = store.clock.now()
        let org = try await ApprovalOrg.load(access.workspaceID, at: routedAt, on: reader)
        let plan = try RoutePlan.make(template, values: values, requester: userID, org: org, at: routedAt)
        return try await store.write { ctx in
            let current = try await PlainSQL.rows(on: ctx.db, """
                SELECT version, active FROM approval_templates WHERE id = \(bind: templateID)
                """).first
            guard let current, try current.decode(column: "active", as: Bool.self) else {
                throw BatonError.conflict(nil, "“\(template.name)” takes no new requests: it was turned off.")
            }
            guard try current.decode(column: "version", as: Int.self) == template.version else {
                throw BatonError.conflict(nil, "“\(template.name)” was changed a moment ago: send the request again.")
            }

            let request = ApprovalRequest()
            request.id = UUID()
            request.workspaceID = access.workspaceID
            request.templateID = templateID
            request.title = title
            request.requesterID = userID
            request.valuesJSON = try StoredJSON.encode(values.mapValues(StoredValue.init))
            request.branches = plan.branches.joined(separator: "; ")
            request.status = ApprovalProgress.Status.pending.rawValue
            request.progressJSON = "{}"
            request.stepStartedAt = ctx.now
            request.taskID = draft.taskID
            request.blocksTask = draft.waitingForApproval
            request.generation = 0
            request.version = 0
            request.createdAt = ctx.now
            request.updatedAt = ctx.now
            if let taskID = draft.taskID {
                try await ApprovalTaskLink.attach(taskID, request: request, block: draft.waitingForApproval, access: access, ctx: ctx)
            }
            try await ctx.insert(request)
            let ledger = ApprovalLedger(request: request, template: template, ctx: ctx, isNew: true)
            try await ledger.addParticipant(userID, role: "requester")
            for person in plan.cc { try await ledger.addParticipant(person, role: "cc") }
            try await ledger.addApprovers(of: plan)
            try await ledger.commit(before: nil, after: plan.progress,
                                    as: .init(event: .submitted, actor: userID, data: ["branches": request.branches]), cc: plan.cc)
            return request
        }
    }

    /// One action by `userID` on a request they can see (404 otherwise).
    func act(_ requestID: UUID, by userID: UUID, _ action: ApprovalAction) async throws -> ApprovalRequest {
        try await store.write { ctx in
            let (request, access) = try await Self.request(requestID, for: userID, on: ctx.db, lockingRow: true)
            guard let template = try await ApprovalTemplate.find(request.templateID, on: ctx.db) else { throw BatonError.notFound("Approval template") }
            let ledger = ApprovalLedger(request: request, template: template, ctx: ctx)
            let before = try request.progress
            var after = before
            // the organisation matters only for a new route or a person named by the action
            let needsOrg: Bool = if case .resubmit(_?, _) = action { true } else { action.target != nil }
            let org = needsOrg ? try await ApprovalOrg.load(access.workspaceID, at: ctx.now, on: ctx.db) : nil
            if case .resubmit(let values?, _) = action, let org {
                // New values take a new route, resolved now.
                let fields = try template.fields
                let typed = try FormValues.typed(values, fields: fields)
                try await Self.checkReferences(typed, fields: fields, access: access, on: ctx.db)
                guard before.status == .changesRequested, userID == request.requesterID else {
                    throw Self.refusal(userID == request.requesterID ? .closed : .notYourTurn, action: action)
                }
                let plan = try RoutePlan.make(template, values: typed, requester: request.requesterID, org: org, at: ctx.now)
                after = plan.progress
                request.valuesJSON = try StoredJSON.encode(typed.mapValues(StoredValue.init))
                request.branches = plan.branches.joined(separator: "; ")
                try await ledger.addApprovers(of: plan)
            } else {
                do throws(ApprovalProgress.Refusal) {
                    try after.apply(action.progressAction, by: userID)
                } catch {
                    throw Self.refusal(error, action: action)
                }
            }
            if let target = action.target, let org {
                guard org.directory.active.contains(target) else {
                    throw BatonError.validation(action.targetField, "Choose an active member of this workspace (guests do not approve).")
                }
                try await ledger.addParticipant(target, role: "approver", note: action.participantNote)
            }
            let actingFor = try await ledger.actingFor(userID)
            try await ledger.commit(before: before, after: after,
                                    as: .init(event: action.event, actor: userID, actingFor: actingFor, comment: action.comment,
                                              target: action.target, data: action.eventData(before: before)))
            return request
        }
    }

    static func refusal(_ refusal: ApprovalProgress.Refusal, action: ApprovalAction) -> BatonError {
        switch refusal {
        case .notYourTurn: .forbidden(action.isRequesterAction ? "Only the requester can do this." : "It is not your turn on this request.")
        case .alreadyActed: .conflict(nil, "You have already acted on this step.")
        case .closed: .conflict(nil, "This request is not open to that any more.")
        case .needsComment: .validation(action.commentField, action.commentField == "reason" ? "Give a reason." : "Say why (a comment is needed).")
        case .badTarget: .validation(action.targetField, action.targetField == "step"
                                     ? "Choose an earlier step." : "Choose someone who is neither you, the requester nor already an approver here.")
        }
    }

    /// A request and the caller's access: its participants and the workspace's admins see it; anyone else gets 404.
    static func request(_ id: UUID, for userID: UUID, on db: any Database, lockingRow: Bool = false) async throws -> (ApprovalRequest, WorkspaceAccess) {
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let request = try await PlainSQL.first(ApprovalRequest.self, on: db, "SELECT * FROM approval_requests WHERE id = \(bind: id)\(unsafeRaw: lock)")
        else { throw BatonError.notFound("Approval request") }
        let access: WorkspaceAccess
        do {
            access = try await Tenancy.access(request.workspaceID, for: userID, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Approval request")
        }
        if !access.role.canAdminister {
            let involved = try await PlainSQL.rows(on: db, """
                SELECT 1 FROM approval_participants WHERE request_id = \(bind: id) AND user_id = \(bind: userID) LIMIT 1
                """).count
            guard involved > 0 else { throw BatonError.notFound("Approval request") }
        }
        return (request, access)
    }

    /// People and tasks named in the values must be in the workspace (and the task visible to the requester).
    private static func checkReferences(_ values: [String: ApprovalValue], fields: [ApprovalField], access: WorkspaceAccess,
                                        on db: any Database) async throws {
        for field in fields {
            guard case .reference(let text)? = values[field.key], let id = UUID(uuidString: text) else { continue }
            switch field.type {
            case .person:
                let found = try await Tenancy.query(access, Membership.self, on: db).filter(\.$user.$id == id).filter(\.$deactivatedAt == nil).count()
                if found == 0 { throw BatonError.validation("values.\(field.key)", "Not an active member of this workspace.") }
            case .taskLink:
                do {
                    let (task, _) = try await WorkScope.task(id: id, for: access.userID, on: db)
                    guard task.workspaceID == access.workspaceID else { throw BatonError.notFound("Task") }
                } catch let error as BatonError where error.status == .notFound {
                    throw BatonError.validation("values.\(field.key)", "No such task that you can see.")
                }
            default: continue
            }
        }
    }

    /// The requester's title, else the template's name with the first text value.
    private static func title(_ given: String?, template: ApprovalTemplate, values: [String: ApprovalValue], fields: [ApprovalField]) throws -> String {
        if let given { return try DisplayText.validate(given, label: "Title", max: 200).orFail(field: "title") }
        let first = fields.first { $0.type == .text }.flatMap { field -> String? in
            if case .text(let text)? = values[field.key] { return text.trimmingCharacters(in: .whitespacesAndNewlines) } else { return nil }
        }
        let title = [template.name, first].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
        return String(title.replacingOccurrences(of: "\n", with: " ").prefix(200))
    }
}

extension Request {
    var approvals: ApprovalRequestService { ApprovalRequestService(store: application.store) }
}
