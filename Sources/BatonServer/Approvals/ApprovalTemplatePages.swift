import Fluent
import Vapor
import BatonCore

/// Templates for admins: the list, and an editor whose form and flow are written as JSON (the
/// API's own shape), read back as sentences ("amount < 1000 → Manager") with the warnings beside.
struct ApprovalTemplatePages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(ApprovalPaths.templates.inWorkspace, use: list)
        routes.get(ApprovalPaths.newTemplate.inWorkspace, use: newTemplate)
        routes.post(ApprovalPaths.newTemplate.inWorkspace, use: create)
        routes.get(ApprovalPaths.template.inWorkspace, use: edit)
        routes.post(ApprovalPaths.template.inWorkspace, use: save)
    }

    struct Row: Encodable { let id: UUID; let name: String; let description: String; let active: Bool; let fields: Int; let branches: Int; let routes: [String] }
    struct ListContext: Encodable { let tab = "templates"; let workspaceId: UUID; let rows: [Row] }

    func list(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        let templates = try await Tenancy.query(access, ApprovalTemplate.self, on: req.reader).sort(\.$name).all()
        let rows = try templates.map { template in
            Row(id: try template.requireID(), name: template.name, description: template.description, active: template.active,
                fields: try template.fields.count, branches: try template.flow.branches.count,
                routes: FlowWords.lines(try template.flow, fields: try template.fields))
        }
        let page = Page(title: "Approval templates", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"),
                        page: ListContext(workspaceId: access.workspaceID, rows: rows))
        return try await PageRenderer.render("approvals/templates", page, for: req)
    }

    struct EditorContext: Encodable {
        let tab = "templates"
        let workspaceId: UUID
        let templateId: UUID?
        let version: Int
        let values: [String: String]
        let routes: [String]
        let warnings: [String]
        let decisions: [WorkPages.Option]
        let policies: [WorkPages.Option]
        let escalations: [WorkPages.Option]
        let active: Bool
    }

    func newTemplate(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        let fields = [ApprovalField(key: "item", label: "What is it for?", type: .text, required: true),
                      ApprovalField(key: "amount", label: "Amount", type: .money, required: true, currency: "EUR")]
        let flow = ApprovalFlow(branches: [ApprovalBranch(name: "Large", conditions: [ApprovalCondition("amount", .greater, "5000")],
                                                          steps: [ApprovalStep(name: "Department head", approvers: [.managerUp(levels: 2)])])],
                                defaultSteps: [ApprovalStep(name: "Manager", approvers: [.requesterManager])])
        return try await editor(req, access, template: nil, values: try Self.values(name: "", description: "", fields: fields, flow: flow))
    }

    func edit(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        try access.requireAdmin()
        let template = try await ApprovalTemplateService.template(try req.uuidParameter("templateID", label: "Approval template"), access, on: req.reader)
        var values = try Self.values(name: template.name, description: template.description, fields: try template.fields, flow: try template.flow)
        values["decision"] = template.decision ?? ""
        values["requester_is_approver"] = try template.policy.requesterIsApprover.rawValue
        values["repeat_approver_auto_approves"] = try template.policy.repeatApproverAutoApproves ? "on" : ""
        values["remind_after_hours"] = template.remindAfterHours.map(String.init) ?? ""
        values["escalate_after_hours"] = template.escalateAfterHours.map(String.init) ?? ""
        values["escalate_to"] = template.escalateTo == "person" ? template.escalateToID?.uuidString ?? "" : (template.escalateTo ?? "")
        values["active"] = template.active ? "on" : ""
        return try await editor(req, access, template: template, values: values)
    }

    func create(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        do {
            let template = try await req.approvalTemplates.create(access, try Self.draft(form, editing: false, contract: req.application.modules.contract))
            return PageRenderer.redirect(req, to: ApprovalPaths.template.url(access.workspaceID, template.id!), notice: "Template “\(template.name)” saved.")
        } catch let error as BatonError where [.unprocessableEntity, .badRequest].contains(error.status) {
            return try await editor(req, access, template: nil, values: form, errors: [Self.formKey(error.field): error.message], status: error.status)
        }
    }

    func save(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let id = try req.uuidParameter("templateID", label: "Approval template")
        let template = try await ApprovalTemplateService.template(id, access, on: req.reader)
        let form = try req.content.decode([String: String].self)
        do {
            let saved = try await req.approvalTemplates.update(id, access, try Self.draft(form, editing: true, contract: req.application.modules.contract))
            return PageRenderer.redirect(req, to: ApprovalPaths.template.url(access.workspaceID, id), notice: "Template “\(saved.name)” saved.")
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .badRequest].contains(error.status) {
            return try await editor(req, access, template: template, values: form, errors: [Self.formKey(error.field): error.message], status: error.status)
        }
    }

    /// A problem's place as the form shows it: `flow.branches.0…` beside the flow, `fields.2…` beside the fields.
    static func formKey(_ field: String?) -> String {
        guard let field else { return "form" }
        for part in ["fields", "flow", "policy"] where field == part || field.hasPrefix(part + ".") { return part == "policy" ? "requester_is_approver" : part }
        return field
    }

    static func values(name: String, description: String, fields: [ApprovalField], flow: ApprovalFlow) throws -> [String: String] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return ["name": name, "description": description, "fields": String(decoding: try encoder.encode(fields), as: UTF8.self),
                "flow": String(decoding: try encoder.encode(flow), as: UTF8.self), "repeat_approver_auto_approves": "on", "active": "on",
                "requester_is_approver": ApprovalPolicy.SelfApproval.manager.rawValue]
    }

    /// The editor's form as the API's draft: the JSON parts read exactly as the API reads them.
    static func draft(_ form: [String: String], editing: Bool, contract: OpenAPIContract) throws -> TemplateDraft {
        func json(_ key: String, schema: String) throws -> JSONValue {
            let data = Data((form[key] ?? "").utf8)
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), let any = try? JSONSerialization.jsonObject(with: data) else {
                throw BatonError.validation(key, "This is not valid JSON: check the brackets, quotes and commas.")
            }
            // as the API refuses a key it does not know, so does the editor
            if let unknown = contract.unknownKey(in: any, schema: ["$ref": "#/components/schemas/\(schema)"], path: key) {
                throw BatonError.validation(unknown, "Unknown field “\(unknown)”.")
            }
            return value
        }
        var body: [String: JSONValue] = [
            "name": .string(form["name"] ?? ""), "description": .string(form["description"] ?? ""),
            "fields": try json("fields", schema: "ApprovalFieldList"), "flow": try json("flow", schema: "ApprovalFlow"),
            "policy": .object(["requester_is_approver": .string(form["requester_is_approver"] ?? "manager"),
                               "repeat_approver_auto_approves": .bool(form["repeat_approver_auto_approves"] != nil)]),
            "active": .bool(form["active"] != nil),
        ]
        body["decision"] = (form["decision"] ?? "").isEmpty ? .null : .string(form["decision"]!)
        for key in ["remind_after_hours", "escalate_after_hours"] {
            let text = (form[key] ?? "").trimmingCharacters(in: .whitespaces)
            if text.isEmpty { body[key] = .null } else if let hours = Double(text) { body[key] = .number(hours) } else { body[key] = .string(text) }
        }
        switch form["escalate_to"] ?? "" {
        case "": body["escalate_to"] = .null; body["escalate_to_id"] = .null
        case "manager": body["escalate_to"] = .string("manager"); body["escalate_to_id"] = .null
        case let person: body["escalate_to"] = .string("person"); body["escalate_to_id"] = .string(person)
        }
        if editing, let version = form["version"].flatMap(Double.init) { body["version"] = .number(version) }
        return try TemplateDraft(PatchReader(body), editing: editing)
    }

    private func editor(_ req: Request, _ access: WorkspaceAccess, template: ApprovalTemplate?, values: [String: String],
                        errors: [String: String] = [:], status: HTTPResponseStatus = .ok) async throws -> Response {
        let decoder = JSONDecoder()
        let fields = (try? decoder.decode([ApprovalField].self, from: Data((values["fields"] ?? "").utf8))) ?? []
        let flow = try? decoder.decode(ApprovalFlow.self, from: Data((values["flow"] ?? "").utf8))
        let rights = try await Tenancy.query(access, DecisionRightsRecord.self, on: req.reader).first()?.matrix ?? DecisionRights()
        let members = try await WorkQueries.members(access, on: req.reader)
        let decision = values["decision"] ?? ""
        let escalateTo = values["escalate_to"] ?? ""
        let policy = values["requester_is_approver"] ?? "manager"
        let context = EditorContext(
            workspaceId: access.workspaceID, templateId: template?.id, version: template?.version ?? 0, values: values,
            routes: flow.map { FlowWords.lines($0, fields: fields) } ?? [],
            warnings: flow.map { ApprovalFlowCheck.warnings(in: $0, fields: fields).map(\.message) } ?? [],
            decisions: [WorkPages.Option(value: "", label: "None", selected: decision.isEmpty)]
                + rights.decisions.map { WorkPages.Option(value: $0.key, label: $0.label, selected: $0.key == decision) },
            policies: [("manager", "Their manager approves instead"), ("skip", "They are skipped"), ("auto_approve", "They count as approved")].map {
                WorkPages.Option(value: $0.0, label: $0.1, selected: $0.0 == policy)
            },
            escalations: [WorkPages.Option(value: "", label: "Nobody: no escalation", selected: escalateTo.isEmpty),
                          WorkPages.Option(value: "manager", label: "The waiting approver’s manager", selected: escalateTo == "manager")]
                + ApprovalPeople.choosable(members).map {
                    WorkPages.Option(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == escalateTo)
                },
            active: values["active"] != nil)
        var page = Page(title: template.map { "\($0.name) · Template" } ?? "New approval template",
                        layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"), page: context)
        page.errors = errors
        return try await PageRenderer.render("approvals/template-editor", page, for: req, status: status)
    }
}

/// A flow read as sentences, one per branch: "If amount > 10000 or risk = high: Department head, then Finance (all)".
enum FlowWords {
    static func lines(_ flow: ApprovalFlow, fields: [ApprovalField]) -> [String] {
        func label(_ key: String) -> String { fields.first { $0.key == key }?.label ?? key }
        func condition(_ condition: ApprovalCondition) -> String {
            condition.op == .empty ? "\(label(condition.field)) is empty" : "\(label(condition.field)) \(condition.op.symbol) \(condition.value ?? "")"
        }
        func steps(_ steps: [ApprovalStep]) -> String {
            steps.map { step in step.approvers.count > 1 || step.quorum != .anyOne ? "\(step.name) (\(step.quorum.words))" : step.name }
                .joined(separator: ", then ")
        }
        var lines = flow.branches.map { branch -> String in
            let test = branch.conditions.map(condition).joined(separator: branch.match == .all ? " and " : " or ")
            return branch.effect == .add ? "Also when \(test): add \(steps(branch.steps))" : "If \(test): \(steps(branch.steps))"
        }
        lines.append("Otherwise: \(flow.defaultSteps.isEmpty ? "nobody (add a step)" : steps(flow.defaultSteps))")
        return lines
    }
}
