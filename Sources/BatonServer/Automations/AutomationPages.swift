import Fluent
import Vapor
import BatonCore

/// Rules in the browser: a project's rules (on/off, templates one click away), the editor
/// (trigger → conditions → actions, the dry run beside it) and each rule's run history.
struct AutomationPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(AutomationPaths.rules.inWorkspace, use: list)
        routes.post(AutomationPaths.fromTemplate.inWorkspace, use: addFromTemplate)
        routes.get(AutomationPaths.newRule.inWorkspace, use: newRule)
        routes.post(AutomationPaths.newRule.inWorkspace, use: create)
        routes.post(AutomationPaths.previewNew.inWorkspace, use: previewNew)
        routes.get(AutomationPaths.rule.inWorkspace, use: edit)
        routes.post(AutomationPaths.rule.inWorkspace, use: save)
        routes.post(AutomationPaths.previewRule.inWorkspace, use: previewSaved)
        routes.post(AutomationPaths.toggleRule.inWorkspace, use: toggle)
        routes.post(AutomationPaths.deleteRule.inWorkspace, use: delete)
        routes.get(AutomationPaths.runs.inWorkspace, use: runs)
    }

    struct RuleRow: Encodable {
        let id: UUID
        let name: String
        let enabled: Bool
        let sentence: String
        let isDefault: Bool
        let lastRun: String?
        let lastStatus: String?
    }
    struct TemplateRow: Encodable { let key: String; let name: String; let summary: String; let added: Bool }
    struct ListContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let canManage: Bool
        let rules: [RuleRow]
        let templates: [TemplateRow]
    }

    // MARK: scopes

    private func project(_ req: Request) async throws -> WorkScope.ProjectAccess {
        let scope = try await WorkScope.project(try await req.workspaceAccess(), id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
        guard scope.access.role != .guest else { throw BatonError.notFound("Project") }
        return scope
    }

    /// The rule of the URL, in the URL's workspace (another workspace's is a 404 like a missing one).
    private func rule(_ req: Request) async throws -> (Rule, WorkScope.ProjectAccess) {
        let access = try await req.workspaceAccess()
        let (rule, scope) = try await AutomationService.rule(try req.uuidParameter("ruleID", label: "Rule"), for: access.userID, on: req.reader)
        guard rule.workspaceID == access.workspaceID else { throw BatonError.notFound("Rule") }
        return (rule, scope)
    }

    // MARK: the list

    func list(req: Request) async throws -> Response {
        let scope = try await project(req)
        let rules = try await RuleQueries.rules(of: scope.projectID, on: req.reader)
        let choices = try await RuleEditorContext.Choices.load(scope, viewer: scope.access.userID, on: req.reader)
        let words = choices.words
        let timeZone = choices.viewerTimeZone
        var rows: [RuleRow] = []
        for rule in rules {
            let last = try await RuleRun.query(on: req.reader).filter(\.$ruleID == rule.requireID()).sort(\.$createdAt, .descending).first()
            rows.append(RuleRow(id: try rule.requireID(), name: rule.name, enabled: rule.enabled,
                                sentence: (try? rule.definition).map(words.sentence) ?? "",
                                isDefault: RuleTemplates.isDefault(rule.templateKey),
                                lastRun: last.map { BatonDate.long($0.createdAt, timeZone: timeZone) }, lastStatus: last?.status))
        }
        let keys = Set(rules.compactMap(\.templateKey))
        let context = ListContext(workspaceId: scope.access.workspaceID, projectId: scope.projectID, projectName: scope.project.name,
                                  canManage: scope.canManage, rules: rows,
                                  templates: RuleTemplates.all.map { TemplateRow(key: $0.key, name: $0.name, summary: $0.summary, added: keys.contains($0.key)) })
        let page = Page(title: "\(scope.project.name) · Rules", layout: try await PageRenderer.layout(for: req, workspace: scope.access, nav: "work"),
                        page: context)
        return try await PageRenderer.render("automations/rules", page, for: req)
    }

    func addFromTemplate(req: Request) async throws -> Response {
        let scope = try await project(req)
        let form = try req.content.decode([String: String].self)
        var draft = RuleDraft()
        draft.templateKey = form["template_key"] ?? ""
        let rule = try await req.automations.create(in: scope, draft)
        return PageRenderer.redirect(req, to: AutomationPaths.rules.url(scope.access.workspaceID, scope.projectID),
                                     notice: "Rule “\(rule.name)” added and on.")
    }

    func toggle(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        var draft = RuleDraft()
        draft.enabled = !rule.enabled
        let saved = try await req.automations.update(try rule.requireID(), by: scope.access.userID, draft)
        return PageRenderer.redirect(req, to: AutomationPaths.rules.url(scope.access.workspaceID, scope.projectID),
                                     notice: "“\(saved.name)” is \(saved.enabled ? "on" : "off").")
    }

    func delete(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        try await req.automations.delete(try rule.requireID(), by: scope.access.userID)
        return PageRenderer.redirect(req, to: AutomationPaths.rules.url(scope.access.workspaceID, scope.projectID),
                                     notice: "Rule “\(rule.name)” deleted.")
    }

    // MARK: the editor

    func newRule(req: Request) async throws -> Response {
        let scope = try await project(req)
        try scope.requireManage()
        let template = req.queryText("template").flatMap(RuleTemplates.named)
        let values = template.map { RuleForm.values(of: $0.definition, name: $0.name) } ?? ["trigger_type": RuleTrigger.Kind.stageChanged.rawValue]
        return try await editor(req, scope: scope, rule: nil, values: values)
    }

    func edit(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        try scope.requireManage()
        return try await editor(req, scope: scope, rule: rule, values: RuleForm.values(of: try rule.definition, name: rule.name))
    }

    func create(req: Request) async throws -> Response {
        let scope = try await project(req)
        let form = RuleForm(try req.content.decode([String: String].self))
        do {
            let rule = try await req.automations.create(in: scope, try RuleDraft(PatchReader(form.body), editing: false))
            return PageRenderer.redirect(req, to: AutomationPaths.rules.url(scope.access.workspaceID, scope.projectID),
                                         notice: "Rule “\(rule.name)” saved and on.")
        } catch let error as BatonError where error.status == .unprocessableEntity {
            return try await editor(req, scope: scope, rule: nil, values: form.values, errors: [form.formKey(for: error.field): error.message],
                                    status: .unprocessableEntity)
        }
    }

    func save(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        let values = try req.content.decode([String: String].self)
        let form = RuleForm(values)
        var body = form.body
        if let version = values["version"].flatMap(Double.init) { body["version"] = .number(version) }
        body["enabled"] = .bool(values["enabled"] != nil)
        do {
            let saved = try await req.automations.update(try rule.requireID(), by: scope.access.userID, try RuleDraft(PatchReader(body), editing: true))
            return PageRenderer.redirect(req, to: AutomationPaths.rules.url(scope.access.workspaceID, scope.projectID),
                                         notice: "Rule “\(saved.name)” saved.")
        } catch let error as BatonError where [.unprocessableEntity, .conflict].contains(error.status) {
            return try await editor(req, scope: scope, rule: rule, values: form.values, errors: [form.formKey(for: error.field): error.message],
                                    status: error.status)
        }
    }

    func previewNew(req: Request) async throws -> Response {
        let scope = try await project(req)
        try scope.requireManage()
        let form = RuleForm(try req.content.decode([String: String].self))
        return try await preview(req, scope: scope, rule: nil, form: form) {
            try await RuleDryRun.tryDraft(try RuleDraft(PatchReader(form.body), editing: false), scope: scope, req: req)
        }
    }

    func previewSaved(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        try scope.requireManage()
        let form = RuleForm(try req.content.decode([String: String].self))
        return try await preview(req, scope: scope, rule: rule, form: form) {
            try await RuleDryRun.trySaved(rule, with: try RuleDraft(PatchReader(form.body), editing: true), scope: scope, req: req)
        }
    }

    /// The editor again, as typed, with the dry run beside it (or the problem that stops it).
    private func preview(_ req: Request, scope: WorkScope.ProjectAccess, rule: Rule?, form: RuleForm,
                         _ run: () async throws -> RuleDryRun.Result) async throws -> Response {
        do {
            return try await editor(req, scope: scope, rule: rule, values: form.values, preview: try await run())
        } catch let error as BatonError where error.status == .unprocessableEntity {
            return try await editor(req, scope: scope, rule: rule, values: form.values, errors: [form.formKey(for: error.field): error.message],
                                    previewError: error.message, status: .unprocessableEntity)
        }
    }

    private func editor(_ req: Request, scope: WorkScope.ProjectAccess, rule: Rule?, values: [String: String],
                        errors: [String: String] = [:], preview: RuleDryRun.Result? = nil, previewError: String? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let choices = try await RuleEditorContext.Choices.load(scope, viewer: scope.access.userID, on: req.reader)
        let saved = try rule?.definition.actions ?? []
        let context = RuleEditorContext(
            scope: scope, rule: rule, values: values, choices: choices, errors: errors, preview: preview, previewError: previewError,
            hasSecret: { _, url in saved.contains { $0.type == .webhook && $0.url == url && $0.secret != nil } })
        let title = rule.map { "\($0.name) · Rules" } ?? "New rule · \(scope.project.name)"
        let page = Page(title: title, layout: try await PageRenderer.layout(for: req, workspace: scope.access, nav: "work"), page: context)
        return try await PageRenderer.render("automations/rule-editor", page, for: req, status: status)
    }

    // MARK: run history

    struct RunRow: Encodable {
        let when: String
        let taskId: UUID?
        let taskTitle: String?
        let status: String
        let depth: Int
        let lines: [String]
        let error: String?
    }
    struct RunsContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let ruleId: UUID
        let ruleName: String
        let sentence: String
        let status: String
        let statusOptions: [WorkPages.Option]
        let runs: [RunRow]
        let next: Int?
    }

    func runs(req: Request) async throws -> Response {
        let (rule, scope) = try await rule(req)
        let status = req.queryText("status").flatMap { ["done", "skipped", "failed"].contains($0) ? $0 : nil }
        let choices = try await RuleEditorContext.Choices.load(scope, viewer: scope.access.userID, on: req.reader)
        let (runs, next) = try await RuleQueries.runs(of: try rule.requireID(), status: status, after: try req.cursorParameter("after"),
                                                      limit: 50, on: req.reader)
        let context = RunsContext(
            workspaceId: scope.access.workspaceID, projectId: scope.projectID, projectName: scope.project.name, ruleId: try rule.requireID(),
            ruleName: rule.name, sentence: (try? rule.definition).map(choices.words.sentence) ?? "", status: status ?? "",
            statusOptions: RuleEditorContext.options([("done", "Done"), ("skipped", "Skipped"), ("failed", "Failed")], selected: status, none: "All runs"),
            runs: runs.map { RunRow(when: BatonDate.long($0.createdAt, timeZone: choices.viewerTimeZone), taskId: $0.taskId, taskTitle: $0.taskTitle,
                                    status: $0.status, depth: $0.depth, lines: $0.summary, error: $0.error) },
            next: next)
        let page = Page(title: "\(rule.name) · Run history", layout: try await PageRenderer.layout(for: req, workspace: scope.access, nav: "work"),
                        page: context)
        return try await PageRenderer.render("automations/rule-runs", page, for: req)
    }
}
