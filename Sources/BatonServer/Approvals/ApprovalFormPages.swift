import Fluent
import Vapor
import BatonCore

/// Asking for approval in the browser: the template's form, with the route it would take shown
/// beside it as it is filled in ("This goes to Maya Chen, then Finance") before anything is sent.
struct ApprovalFormPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(ApprovalPaths.newRequest.inWorkspace, use: newRequest)
        routes.post(ApprovalPaths.newRequest.inWorkspace, use: submit)
        routes.post(ApprovalPaths.previewRequest.inWorkspace, use: preview)
    }

    struct Option: Encodable { let value: String; let label: String; let selected: Bool; let name: String }
    struct FieldRow: Encodable {
        let key: String
        let name: String
        let label: String
        let type: String
        let required: Bool
        let value: String
        let options: [Option]
        let currency: String?
        let error: String?
    }
    struct RouteStep: Encodable { let name: String; let people: String; let rule: String }
    struct Context: Encodable {
        let workspaceId: UUID
        let templateId: UUID
        let templateName: String
        let description: String
        let fields: [FieldRow]
        let title: String
        let again: String
        let taskId: String
        let taskTitle: String?
        let waiting: Bool
        let route: [RouteStep]
        let summary: String?
        let cc: String
        let routeProblem: String?
        let error: String?
    }

    private func template(_ req: Request) async throws -> (ApprovalTemplate, WorkspaceAccess) {
        let access = try await req.workspaceAccess()
        let template = try await ApprovalTemplateService.template(try req.uuidParameter("templateID", label: "Approval template"), access, on: req.reader)
        guard template.active else { throw BatonError.notFound("Approval template") }
        return (template, access)
    }

    func newRequest(req: Request) async throws -> Response {
        let (template, access) = try await template(req)
        var form: [String: String] = [:]
        if let again = req.queryText("again").flatMap(UUID.init(uuidString:)) {
            // resubmitting after changes were asked for: the values as sent, to change
            let (request, _) = try await ApprovalRequestService.request(again, for: access.userID, on: req.reader)
            guard request.templateID == template.id, request.requesterID == access.userID else { throw BatonError.notFound("Approval request") }
            form["again"] = again.uuidString
            form["title"] = request.title
            for (key, value) in try request.rawValues {
                switch value {
                case .string(let text): form["f__\(key)"] = text
                case .number(let number): form["f__\(key)"] = number.rounded() == number ? String(Int(number)) : String(number)
                case .strings(let list):
                    let options = try template.fields.first { $0.key == key }?.options ?? []
                    for (index, option) in options.enumerated() where list.contains(option) { form["f__\(key)__\(index)"] = option }
                }
            }
        }
        if let task = req.queryText("task").flatMap(UUID.init(uuidString:)) { form["task_id"] = task.uuidString }
        for field in try template.fields where field.type == .taskLink { form["f__\(field.key)"] = form["task_id"] }
        return try await render(req, template, access, form: form, preview: false)
    }

    func preview(req: Request) async throws -> Response {
        let (template, access) = try await template(req)
        return try await render(req, template, access, form: try req.content.decode([String: String].self), preview: true)
    }

    func submit(req: Request) async throws -> Response {
        let (template, access) = try await template(req)
        let form = try req.content.decode([String: String].self)
        var body: [String: JSONValue] = ["values": .object(Self.values(form, fields: try template.fields).mapValues(\.json))]
        if let title = form["title"], !title.trimmingCharacters(in: .whitespaces).isEmpty { body["title"] = .string(title) }
        if let task = form["task_id"], !task.isEmpty { body["task_id"] = .string(task) }
        if form["waiting_for_approval"] != nil && form["task_id"]?.isEmpty == false { body["waiting_for_approval"] = .bool(true) }
        do {
            if let again = form["again"].flatMap(UUID.init(uuidString:)) {
                let values = Self.values(form, fields: try template.fields)
                let comment = form["comment"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
                _ = try await req.approvals.act(again, by: access.userID, .resubmit(values: values, comment: comment))
                return PageRenderer.redirect(req, to: ApprovalPaths.request.url(access.workspaceID, again), notice: "Resubmitted.")
            }
            let request = try await req.approvals.submit(try template.requireID(), by: access.userID, try SubmitDraft(PatchReader(body)))
            return PageRenderer.redirect(req, to: ApprovalPaths.request.url(access.workspaceID, request.id!), notice: "Sent. You will hear when it is decided.")
        } catch let error as BatonError where [.unprocessableEntity, .conflict].contains(error.status) {
            return try await render(req, template, access, form: form, preview: true, error: error, status: error.status)
        }
    }

    /// The form's posted fields as values: `f__amount`, and `f__tags__0`… for the options of a multi-select.
    static func values(_ form: [String: String], fields: [ApprovalField]) -> [String: StoredValue] {
        var values: [String: StoredValue] = [:]
        for field in fields {
            if field.type == .multiSelect {
                let chosen = (field.options ?? []).indices.compactMap { form["f__\(field.key)__\($0)"] }
                if !chosen.isEmpty { values[field.key] = .strings(chosen) }
            } else if let text = form["f__\(field.key)"], !text.trimmingCharacters(in: .whitespaces).isEmpty {
                values[field.key] = .string(text)
            }
        }
        return values
    }

    private func render(_ req: Request, _ template: ApprovalTemplate, _ access: WorkspaceAccess, form: [String: String], preview: Bool,
                        error: BatonError? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let fields = try template.fields
        let values = Self.values(form, fields: fields)
        var plan: RoutePlan?
        var routeProblem: String?
        if preview || !values.isEmpty {
            do {
                plan = try await req.approvals.preview(template, access: access, values: values, on: req.reader, now: req.application.clock.now())
            } catch let problem as BatonError where problem.status == .unprocessableEntity {
                routeProblem = problem.message
            }
        } else {
            routeProblem = "Fill in the form to see who it goes to."
        }
        let names = try await UserNames.load(plan?.people ?? [], on: req.reader)
        let people = ApprovalPeople.choosable(try await WorkQueries.members(access, on: req.reader)).map { ($0.id.uuidString, $0.name) }
        let task = await form["task_id"].flatMap(UUID.init(uuidString:)).asyncMap { id in
            try? await WorkScope.task(id: id, for: access.userID, on: req.reader).0
        } ?? nil
        let fieldError = error?.field.flatMap { $0.hasPrefix("values.") ? String($0.dropFirst(7)) : nil }
        let rows = fields.map { field -> FieldRow in
            let name = "f__\(field.key)"
            let value = form[name] ?? ""
            let options: [Option]
            switch field.type {
            case .person:
                options = [Option(value: "", label: "Choose…", selected: value.isEmpty, name: name)]
                    + people.map { Option(value: $0.0, label: $0.1, selected: $0.0 == value, name: name) }
            case .multiSelect:
                options = (field.options ?? []).enumerated().map { index, option in
                    Option(value: option, label: option, selected: form["f__\(field.key)__\(index)"] != nil, name: "f__\(field.key)__\(index)")
                }
            default:
                options = (field.choices ?? []).map { Option(value: $0, label: $0.capitalized, selected: $0 == value, name: name) }
            }
            return FieldRow(key: field.key, name: name, label: field.label, type: field.type.rawValue, required: field.required, value: value,
                            options: options, currency: field.currency, error: fieldError == field.key ? error?.message : nil)
        }
        func name(_ id: UUID) -> String { names[id] ?? "someone" }
        let context = Context(
            workspaceId: access.workspaceID, templateId: try template.requireID(), templateName: template.name, description: template.description,
            fields: rows, title: form["title"] ?? "", again: form["again"] ?? "", taskId: form["task_id"] ?? "", taskTitle: task?.title,
            waiting: form["waiting_for_approval"] != nil,
            route: plan?.steps.map { step in
                RouteStep(name: step.name, people: RouteWords.people(of: step, name: name), rule: step.approvers.count > 1 ? step.quorum.words : "")
            } ?? [],
            summary: plan.map { RouteWords.summary($0, name: name) }, cc: ListWords.join((plan?.cc ?? []).map(name), "and"),
            routeProblem: routeProblem, error: fieldError == nil ? error?.message : nil)
        let page = Page(title: "\(template.name) · New request", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"),
                        page: context)
        return try await PageRenderer.render("approvals/new-request", page, for: req, status: status)
    }
}

extension StoredValue {
    var json: JSONValue {
        switch self {
        case .string(let text): .string(text)
        case .number(let number): .number(number)
        case .strings(let list): .array(list.map(JSONValue.string))
        }
    }
}
