import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// The only way templates, the decision-rights matrix and absences change. Admins manage
/// templates and the matrix; every member reads them; another workspace's are a 404.
struct ApprovalTemplateService: Sendable {
    let store: Store

    static let templateLimit = 200

    func create(_ access: WorkspaceAccess, _ draft: TemplateDraft) async throws -> ApprovalTemplate {
        try access.requireAdmin()
        guard draft.name != nil else { throw BatonError.validation("name", "Name the template.") }
        guard draft.fields != nil else { throw BatonError.validation("fields", "Give the form its fields.") }
        guard draft.flow != nil else { throw BatonError.validation("flow", "Give the template its flow.") }
        return try await store.write { ctx in
            let count = try await Tenancy.query(access, ApprovalTemplate.self, on: ctx.db).count()
            guard count < Self.templateLimit else { throw BatonError.validation("name", "A workspace takes at most \(Self.templateLimit) templates.") }
            let template = ApprovalTemplate()
            template.id = UUID()
            template.workspaceID = access.workspaceID
            template.ownerID = access.userID
            template.name = ""
            template.description = ""
            template.fieldsJSON = "[]"
            template.flowJSON = try StoredJSON.encode(ApprovalFlow(branches: [], defaultSteps: []))
            template.policyJSON = try StoredJSON.encode(ApprovalPolicy())
            template.active = true
            template.version = 1
            template.createdAt = ctx.now
            template.updatedAt = ctx.now
            try await apply(draft, to: template, access: access, ctx: ctx)
            try await ctx.insert(template)
            ctx.record(ApprovalEvent.templateCreated, workspace: access.workspaceID, actor: access.userID, subject: .approvalTemplate(template),
                       data: ["name": template.name])
            return template
        }
    }

    func update(_ templateID: UUID, _ access: WorkspaceAccess, _ draft: TemplateDraft) async throws -> ApprovalTemplate {
        try access.requireAdmin()
        return try await store.write { ctx in
            let template = try await Self.template(templateID, access, on: ctx.db, lockingRow: true)
            if let version = draft.version, version != template.version {
                throw BatonError.conflict("version", "Someone else changed this template (now version \(template.version)). Reload and try again.")
            }
            try await apply(draft, to: template, access: access, ctx: ctx)
            template.version += 1
            template.updatedAt = ctx.now
            try await template.update(on: ctx.db)
            ctx.record(ApprovalEvent.templateUpdated, workspace: access.workspaceID, actor: access.userID, subject: .approvalTemplate(template),
                       data: ["name": template.name, "version": String(template.version)])
            return template
        }
    }

    /// Everything is checked before anything is set: a refused edit changes nothing.
    private func apply(_ draft: TemplateDraft, to template: ApprovalTemplate, access: WorkspaceAccess, ctx: WriteContext) async throws {
        let name = try draft.name.map { try DisplayText.validate($0, label: "Name", max: 120).orFail(field: "name") } ?? template.name
        let description = try draft.description.map {
            try DisplayText.validate($0, label: "Description", max: 4_000, required: false, lines: true).orFail(field: "description")
        } ?? template.description
        let fields = try draft.fields ?? template.fields
        if let problem = ApprovalFormCheck.problem(in: fields) { throw BatonError.validation(problem.field, problem.message) }
        let flow = try draft.flow ?? template.flow
        if let problem = ApprovalFlowCheck.problem(in: flow, fields: fields) { throw BatonError.validation(problem.field, problem.message) }
        let org = try await ApprovalOrg.load(access.workspaceID, at: ctx.now, on: ctx.db)
        try ApprovalReferences.check(flow, org: org)
        let decision = try (draft.decision ?? template.decision).map { key -> String in
            guard org.rights.decision(key) != nil else { throw BatonError.validation("decision", "The decision-rights matrix has no “\(key.prefix(40))”.") }
            return key
        }
        let remind = draft.remindAfterHours ?? template.remindAfterHours
        let escalate = draft.escalateAfterHours ?? template.escalateAfterHours
        let escalateTo = draft.escalateTo ?? template.escalateTo
        let escalateToID = draft.escalateToID ?? template.escalateToID
        if let remind, !(1...720).contains(remind) { throw BatonError.validation("remind_after_hours", "Remind after 1 to 720 hours.") }
        if let escalate {
            guard (1...2_160).contains(escalate) else { throw BatonError.validation("escalate_after_hours", "Escalate after 1 to 2,160 hours.") }
            if let remind, escalate <= remind {
                throw BatonError.validation("escalate_after_hours", "Escalate after the reminder: more than \(remind) hours.")
            }
        }
        switch escalateTo {
        case nil, "manager": break
        case "person":
            guard let person = escalateToID, org.directory.active.contains(person) else {
                throw BatonError.validation("escalate_to_id", "Choose an active member to escalate to.")
            }
        default: throw BatonError.validation("escalate_to", "escalate_to is manager or person.")
        }
        if escalate != nil && escalateTo == nil { throw BatonError.validation("escalate_to", "Say who a late step escalates to: manager or person.") }
        let owner = draft.ownerID ?? template.ownerID
        guard org.directory.active.contains(owner) else { throw BatonError.validation("owner_id", "The owner is an active member, not a guest.") }

        template.name = name
        template.description = description
        template.decision = decision
        template.fieldsJSON = try StoredJSON.encode(fields)
        template.flowJSON = try StoredJSON.encode(flow)
        template.policyJSON = try StoredJSON.encode(draft.policy ?? template.policy)
        template.remindAfterHours = remind
        template.escalateAfterHours = escalate
        template.escalateTo = escalateTo
        template.escalateToID = escalateTo == "person" ? escalateToID : nil
        template.ownerID = owner
        if let active = draft.active { template.active = active }
    }

    /// A template of the caller's workspace; guests see none.
    static func template(_ id: UUID, _ access: WorkspaceAccess, on db: any Database, lockingRow: Bool = false) async throws -> ApprovalTemplate {
        guard access.role != .guest else { throw BatonError.notFound("Approval template") }
        let lock = PlainSQL.rowLock(lockingRow, on: db)
        guard let template = try await PlainSQL.first(ApprovalTemplate.self, on: db, """
            SELECT * FROM approval_templates WHERE id = \(bind: id) AND workspace_id = \(bind: access.workspaceID)\(unsafeRaw: lock)
            """) else { throw BatonError.notFound("Approval template") }
        return template
    }

    /// A template by id alone, with the caller's access to its workspace: 404 unless a member.
    static func template(_ id: UUID, for userID: UUID, on db: any Database) async throws -> (ApprovalTemplate, WorkspaceAccess) {
        guard let workspace = try await PlainSQL.rows(on: db, "SELECT workspace_id FROM approval_templates WHERE id = \(bind: id)").first
        else { throw BatonError.notFound("Approval template") }
        let access: WorkspaceAccess
        do {
            access = try await Tenancy.access(try workspace.decode(column: "workspace_id", as: UUID.self), for: userID, on: db)
        } catch let error as BatonError where error.status == .notFound {
            throw BatonError.notFound("Approval template")
        }
        return (try await template(id, access, on: db), access)
    }

    // MARK: the decision-rights matrix

    func putDecisionRights(_ access: WorkspaceAccess, _ matrix: DecisionRights, version: Int?) async throws -> DecisionRightsRecord {
        try access.requireAdmin()
        return try await store.write { ctx in
            let org = try await ApprovalOrg.load(access.workspaceID, at: ctx.now, on: ctx.db)
            if let problem = matrix.problem(teams: org.teamIDs, people: org.directory.active) { throw BatonError.validation(problem.field, problem.message) }
            let existing = try await PlainSQL.first(DecisionRightsRecord.self, on: ctx.db, """
                SELECT * FROM decision_rights WHERE workspace_id = \(bind: access.workspaceID)\(unsafeRaw: PlainSQL.rowLock(on: ctx.db))
                """)
            if let version, version != (existing?.version ?? 0) {
                throw BatonError.conflict("version", "Someone else changed the matrix (now version \(existing?.version ?? 0)). Reload and try again.")
            }
            let record = existing ?? DecisionRightsRecord()
            let before = try existing?.matrix ?? DecisionRights()
            record.workspaceID = access.workspaceID
            record.matrixJSON = try StoredJSON.encode(matrix)
            record.version = (existing?.version ?? 0) + 1
            record.updatedAt = ctx.now
            record.updatedBy = access.userID
            if existing == nil {
                // two first saves at once: one inserts, the other hears of it (never a 500 on the unique key)
                record.id = UUID()
                let inserted = try await PlainSQL.rows(on: ctx.db, """
                    INSERT INTO decision_rights (id, workspace_id, matrix, version, updated_at, updated_by)
                    VALUES (\(bind: record.id!), \(bind: record.workspaceID), \(bind: record.matrixJSON), \(bind: record.version),
                            \(bind: record.updatedAt), \(bind: record.updatedBy))
                    ON CONFLICT (workspace_id) DO NOTHING RETURNING id
                    """)
                guard !inserted.isEmpty else { throw BatonError.conflict("version", "Someone else saved the matrix a moment ago. Reload and try again.") }
            } else {
                try await record.update(on: ctx.db)
            }
            let added = matrix.decisions.map(\.key).filter { before.decision($0) == nil }
            let removed = before.decisions.map(\.key).filter { matrix.decision($0) == nil }
            ctx.record(ApprovalEvent.decisionRightsChanged, workspace: access.workspaceID, actor: access.userID, subject: .workspace(access.workspaceID),
                       data: ["version": String(record.version), "decisions": String(matrix.decisions.count),
                              "added": added.joined(separator: ","), "removed": removed.joined(separator: ",")])
            return record
        }
    }

    // MARK: out of office

    /// Names who approves for the caller from `from` to `until`; the substitute must be an active
    /// member of a workspace the caller is in.
    func setOutOfOffice(_ userID: UUID, substitute: UUID, from: Date, until: Date) async throws -> OutOfOffice {
        guard substitute != userID else { throw BatonError.validation("substitute_id", "Choose someone else to approve for you.") }
        guard until > from else { throw BatonError.validation("until", "until comes after from.") }
        guard until.timeIntervalSince(from) <= 366 * 86_400 else { throw BatonError.validation("until", "An absence lasts at most a year.") }
        return try await store.write { ctx in
            guard until > ctx.now else { throw BatonError.validation("until", "until is in the past.") }
            guard try await Tenancy.sharedAccess(with: substitute, for: userID, on: ctx.db) != nil else {
                throw BatonError.validation("substitute_id", "Choose an active member of one of your workspaces.")
            }
            // one row per person, written in one statement: two saves at once never meet on the unique key
            try await PlainSQL.run(on: ctx.db, """
                INSERT INTO out_of_office (id, user_id, substitute_id, starts_at, ends_at)
                VALUES (\(bind: UUID()), \(bind: userID), \(bind: substitute), \(bind: from), \(bind: until))
                ON CONFLICT (user_id) DO UPDATE SET substitute_id = excluded.substitute_id, starts_at = excluded.starts_at, ends_at = excluded.ends_at
                """)
            guard let row = try await PlainSQL.first(OutOfOffice.self, on: ctx.db, "SELECT * FROM out_of_office WHERE user_id = \(bind: userID)")
            else { throw BatonError.notFound("Out of office") }
            ctx.record(ApprovalEvent.outOfOfficeSet, workspace: nil, actor: userID, subject: .user(userID), data: [
                "to": substitute.uuidString, "from": BatonDate.iso(from), "until": BatonDate.iso(until),
            ])
            return row
        }
    }

    func clearOutOfOffice(_ userID: UUID) async throws {
        try await store.write { ctx in
            guard let row = try await OutOfOffice.query(on: ctx.db).filter(\.$userID == userID).first() else { return }
            try await row.delete(on: ctx.db)
            ctx.record(ApprovalEvent.outOfOfficeCleared, workspace: nil, actor: userID, subject: .user(userID))
        }
    }
}

/// People, teams and matrix types a flow names must exist in the workspace (a 422 naming the place).
enum ApprovalReferences {
    static func check(_ flow: ApprovalFlow, org: ApprovalOrg) throws {
        func check(_ spec: ApproverSpec, _ path: String) throws {
            switch spec {
            case .people(let people):
                if let missing = people.firstIndex(where: { !org.directory.active.contains($0) }) {
                    throw BatonError.validation("\(path).people.\(missing)", "Not an active member of this workspace (guests do not approve).")
                }
            case .teamLead(let team):
                guard org.teamIDs.contains(team) else {
                    throw BatonError.validation("\(path).team_id", "No such team in this workspace.")
                }
            case .matrix(let decision):
                guard org.rights.decision(decision) != nil else {
                    throw BatonError.validation("\(path).decision", "The decision-rights matrix has no “\(decision.prefix(40))”.")
                }
            case .requesterManager, .managerUp, .role: break
            }
        }
        func check(_ steps: [ApprovalStep], _ path: String) throws {
            for (index, step) in steps.enumerated() {
                for (number, spec) in step.approvers.enumerated() { try check(spec, "\(path).\(index).approvers.\(number)") }
            }
        }
        for (index, branch) in flow.branches.enumerated() { try check(branch.steps, "flow.branches.\(index).steps") }
        try check(flow.defaultSteps, "flow.default_steps")
        for (index, spec) in flow.cc.enumerated() { try check(spec, "flow.cc.\(index)") }
    }
}

extension EventSubject {
    static func approvalTemplate(_ template: ApprovalTemplate) -> EventSubject { .init(type: "approval_template", id: template.id) }
    static func approvalRequest(_ id: UUID) -> EventSubject { .init(type: "approval_request", id: id) }
}

extension Request {
    var approvalTemplates: ApprovalTemplateService { ApprovalTemplateService(store: application.store) }
}
