import Fluent
import Vapor
import BatonCore

/// Templates, requests and their actions, the decision-rights matrix and out of office.
struct ApprovalsAPI {
    func register(_ api: APIRoutes) {
        api.workspace.get("approval-templates", use: templates)
        api.workspace.post("approval-templates", use: createTemplate)
        api.signedIn.get("approval-templates", ":templateID", use: template)
        api.signedIn.patch("approval-templates", ":templateID", use: updateTemplate)
        api.signedIn.post("approval-templates", ":templateID", "preview-route", use: previewRoute)
        api.signedIn.post("approval-templates", ":templateID", "requests", use: submit)
        api.signedIn.get("approval-requests", ":requestID", use: request)
        for action in ApprovalAction.names {
            api.signedIn.post("approval-requests", ":requestID", PathComponent(stringLiteral: action)) { req in
                try await act(req, action: action)
            }
        }
        api.workspace.get("approval-requests", use: requests)
        api.workspace.get("approval-waits", use: waits)
        api.workspace.get("decision-rights", use: decisionRights)
        api.workspace.put("decision-rights", use: putDecisionRights)
        api.signedIn.get("me", "out-of-office", use: outOfOffice)
        api.signedIn.put("me", "out-of-office", use: setOutOfOffice)
        api.signedIn.delete("me", "out-of-office", use: clearOutOfOffice)
    }

    private func templateID(_ req: Request) throws -> UUID { try req.uuidParameter("templateID", label: "Approval template") }

    func templates(req: Request) async throws -> ListPage<ApprovalTemplateDTO> {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { return ListPage(data: [], nextCursor: nil) }
        let query = Tenancy.query(access, ApprovalTemplate.self, on: req.reader).sort(\.$name)
        if !access.role.canAdminister { query.filter(\.$active == true) }
        return ListPage(data: try await query.all().map(ApprovalTemplateDTO.init), nextCursor: nil)
    }

    func createTemplate(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let template = try await req.approvalTemplates.create(access, try TemplateDraft(try PatchReader.body(req), editing: false))
        return try await ApprovalTemplateDTO(template).encodeResponse(status: .created, for: req)
    }

    func template(req: Request) async throws -> ApprovalTemplateDTO {
        let (template, _) = try await ApprovalTemplateService.template(try templateID(req), for: try req.principal().userID, on: req.reader)
        return try ApprovalTemplateDTO(template)
    }

    func updateTemplate(req: Request) async throws -> ApprovalTemplateDTO {
        let (_, access) = try await ApprovalTemplateService.template(try templateID(req), for: try req.principal().userID, on: req.reader)
        return try ApprovalTemplateDTO(try await req.approvalTemplates.update(try templateID(req), access, try TemplateDraft(try PatchReader.body(req), editing: true)))
    }

    /// The route the values would take now, with the people resolved; creates nothing.
    func previewRoute(req: Request) async throws -> RoutePreviewDTO {
        let (template, access) = try await ApprovalTemplateService.template(try templateID(req), for: try req.principal().userID, on: req.reader)
        let values = try FormValues.read(try PatchReader.body(req)) ?? [:]
        let plan = try await req.approvals.preview(template, access: access, values: values, on: req.reader, now: req.application.clock.now())
        return RoutePreviewDTO(plan, names: try await UserNames.load(plan.people, on: req.reader))
    }

    func submit(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let request = try await req.approvals.submit(try templateID(req), by: userID, try SubmitDraft(try PatchReader.body(req)))
        return try await ApprovalQueries.detail(request, viewer: userID, on: req.application.store.reader).encodeResponse(status: .created, for: req)
    }

    func request(req: Request) async throws -> ApprovalRequestDTO {
        let userID = try req.principal().userID
        let (request, _) = try await ApprovalRequestService.request(try req.uuidParameter("requestID", label: "Approval request"), for: userID,
                                                                    on: req.reader)
        return try await ApprovalQueries.detail(request, viewer: userID, on: req.reader)
    }

    func act(_ req: Request, action name: String) async throws -> ApprovalRequestDTO {
        let userID = try req.principal().userID
        let id = try req.uuidParameter("requestID", label: "Approval request")
        // Who may see it is settled before the body is judged: an outsider hears 404, never what is wrong with the body.
        _ = try await ApprovalRequestService.request(id, for: userID, on: req.reader)
        let request = try await req.approvals.act(id, by: userID, try ApprovalAction.read(name, try PatchReader.body(req)))
        return try await ApprovalQueries.detail(request, viewer: userID, on: req.application.store.reader)
    }

    func requests(req: Request) async throws -> ListPage<ApprovalRequestSummaryDTO> {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { return ListPage(data: [], nextCursor: nil) }
        let raw = req.queryText("view") ?? "to_approve"
        guard let view = ApprovalQueries.View(rawValue: raw.isEmpty ? "to_approve" : raw) else {
            throw BatonError.validation("view", "view is to_approve, mine, cc or all.")
        }
        var filter = ApprovalQueries.Filter(view: view)
        if let status = req.queryText("status"), !status.isEmpty {
            guard ApprovalProgress.Status(rawValue: status) != nil else {
                throw BatonError.validation("status", "status is \(ApprovalProgress.Status.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
            filter.status = status
        }
        filter.templateID = try optionalID(req, "template_id")
        filter.requesterID = try optionalID(req, "requester_id")
        filter.offset = try req.cursorParameter("after") ?? 0
        filter.limit = try req.pageSize()
        let (items, next) = try await ApprovalQueries.list(access, filter, on: req.reader)
        return ListPage(data: items, nextCursor: next.map(String.init))
    }

    func waits(req: Request) async throws -> ApprovalWaitsDTO {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { throw BatonError.notFound("Workspace") }
        var days = 90
        if let raw = req.queryText("days"), !raw.isEmpty {
            guard let value = Int(raw), (1...365).contains(value) else { throw BatonError.validation("days", "days is 1 to 365.") }
            days = value
        }
        return try await ApprovalQueries.waits(access, templateID: try optionalID(req, "template_id"), days: days,
                                               now: req.application.clock.now(), on: req.reader)
    }

    private func optionalID(_ req: Request, _ name: String) throws -> UUID? {
        guard let raw = req.queryText(name), !raw.isEmpty else { return nil }
        guard let id = UUID(uuidString: raw) else { throw BatonError.validation(name, "\(name) must be an id.") }
        return id
    }

    func decisionRights(req: Request) async throws -> DecisionRightsDTO {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { throw BatonError.notFound("Decision rights") }
        let record = try await Tenancy.query(access, DecisionRightsRecord.self, on: req.reader).first()
        return DecisionRightsDTO(workspaceId: access.workspaceID, decisions: try record?.matrix.decisions ?? [], version: record?.version ?? 0,
                                 updatedAt: record?.updatedAt, updatedBy: record?.updatedBy)
    }

    func putDecisionRights(req: Request) async throws -> DecisionRightsDTO {
        let access = try await req.workspaceAccess()
        let body = try PatchReader.body(req)
        let reading = Reading()
        let version = reading.read { try body.int("version") }
        let matrix = DecisionRights(decisions: try DecisionRightsReader.decisions(body, reading))
        try reading.finish()
        let record = try await req.approvalTemplates.putDecisionRights(access, matrix, version: version)
        return DecisionRightsDTO(workspaceId: access.workspaceID, decisions: try record.matrix.decisions, version: record.version,
                                 updatedAt: record.updatedAt, updatedBy: record.updatedBy)
    }

    func outOfOffice(req: Request) async throws -> OutOfOfficeDTO {
        let userID = try req.principal().userID
        guard let row = try await OutOfOffice.query(on: req.reader).filter(\.$userID == userID).first(), row.until > req.application.clock.now()
        else { throw BatonError.notFound("Out of office") }
        return try await OutOfOfficeDTO(row, on: req.reader)
    }

    func setOutOfOffice(req: Request) async throws -> OutOfOfficeDTO {
        let userID = try req.principal().userID
        let body = try PatchReader.body(req)
        let reading = Reading()
        let substitute = reading.read { try body.uuid("substitute_id") }
        let from = reading.read { try body.nullableDate("from") } ?? nil
        let until = reading.read { try body.nullableDate("until") } ?? nil
        try reading.finish()
        guard let substitute else { throw BatonError.validation("substitute_id", "Choose who approves for you.") }
        guard let from else { throw BatonError.validation("from", "Say when you leave (from).") }
        guard let until else { throw BatonError.validation("until", "Say when you are back (until).") }
        let row = try await req.approvalTemplates.setOutOfOffice(userID, substitute: substitute, from: from, until: until)
        return try await OutOfOfficeDTO(row, on: req.application.store.reader)
    }

    func clearOutOfOffice(req: Request) async throws -> HTTPStatus {
        try await req.approvalTemplates.clearOutOfOffice(try req.principal().userID)
        return .noContent
    }
}

extension OutOfOfficeDTO {
    init(_ row: OutOfOffice, on db: any Database) async throws {
        let names = try await UserNames.load([row.substituteID], on: db)
        self.init(substituteId: row.substituteID, substituteName: names[row.substituteID] ?? "someone", from: row.from, until: row.until)
    }
}

/// The matrix as PUT sends it: `{"decisions": [{key, label, entries: [{holder: {type, …}, right, up_to_amount, …}]}]}`.
enum DecisionRightsReader {
    static func decisions(_ body: PatchReader, _ reading: Reading) throws -> [DecisionRights.Decision] {
        guard let decisions = try body.objects("decisions") else { throw BatonError.validation("decisions", "Send the decisions (a list).") }
        return decisions.compactMap { decision in
            reading.read {
                DecisionRights.Decision(key: reading.read { try decision.string("key") } ?? "", label: reading.read { try decision.string("label") } ?? "",
                                        entries: reading.read { try decision.objects("entries")?.compactMap { entry in reading.read { try Self.entry(entry, reading) } } } ?? [])
            }
        }
    }

    private static func entry(_ body: PatchReader, _ reading: Reading) throws -> DecisionRights.Entry {
        let amount = reading.read { try body.nullableDouble("up_to_amount") } ?? nil
        let tier = reading.read { try body.nullableString("up_to_tier") } ?? nil
        let risk = reading.read { try body.nullableString("up_to_risk") } ?? nil
        let team = reading.read { try body.nullableUUID("for_team") } ?? nil
        let right = reading.read { try body.enumValue("right", DecisionRights.Right.self, allowed: "decide, consult, approve") }
        let holder = reading.read { try body.objectReader("holder").map { try Self.holder($0, reading) } }
        guard let holder else { throw BatonError.validation(body.name("holder"), "Say who holds the right.") }
        guard let right else { throw BatonError.validation(body.name("right"), "Choose the right: decide, consult or approve.") }
        return DecisionRights.Entry(holder: holder, right: right, upToAmount: amount, upToTier: tier, upToRisk: risk, forTeam: team)
    }

    private static func holder(_ body: PatchReader, _ reading: Reading) throws -> DecisionRights.Holder {
        let role = reading.read { try body.string("role") }
        let team = reading.read { try body.uuid("team_id") }
        let user = reading.read { try body.uuid("user_id") }
        switch try body.enumValue("type", DecisionRights.Holder.Kind.self, allowed: "role, team, person") {
        case .role?: return .role(role ?? "")
        case .team?:
            guard let team else { throw BatonError.validation(body.name("team_id"), "Choose the team.") }
            return .team(team)
        case .person?:
            guard let user else { throw BatonError.validation(body.name("user_id"), "Choose the person.") }
            return .person(user)
        case nil: throw BatonError.validation(body.name("type"), "A holder is a role, a team or a person.")
        }
    }
}
