import Fluent
import Vapor
import BatonCore

/// Rules of a project: `GET/POST /projects/{id}/rules`, `GET/PATCH/DELETE /rules/{id}`,
/// `POST /rules/{id}/dry-run`, `GET /rules/{id}/runs`, and the templates.
struct AutomationsAPI {
    func register(_ api: APIRoutes) {
        api.signedIn.get("projects", ":projectID", "rules", use: list)
        api.signedIn.post("projects", ":projectID", "rules", use: create)
        api.signedIn.post("projects", ":projectID", "rules", "dry-run", use: dryRunDraft)
        api.signedIn.get("rule-templates", use: templates)
        api.signedIn.get("rules", ":ruleID", use: show)
        api.signedIn.patch("rules", ":ruleID", use: update)
        api.signedIn.delete("rules", ":ruleID", use: delete)
        api.signedIn.post("rules", ":ruleID", "dry-run", use: dryRun)
        api.signedIn.get("rules", ":ruleID", "runs", use: runs)
    }

    private func project(_ req: Request) async throws -> WorkScope.ProjectAccess {
        let id = try req.uuidParameter("projectID", label: "Project")
        let scope = try await WorkScope.project(id: id, for: try req.principal().userID, on: req.reader)
        guard scope.access.role != .guest else { throw BatonError.notFound("Project") }
        return scope
    }

    private func ruleID(_ req: Request) throws -> UUID { try req.uuidParameter("ruleID", label: "Rule") }

    func list(req: Request) async throws -> ListPage<RuleDTO> {
        let scope = try await project(req)
        let now = req.application.clock.now()
        return ListPage(data: try await RuleQueries.rules(of: scope.projectID, on: req.reader).map { try RuleDTO($0, now: now) }, nextCursor: nil)
    }

    func create(req: Request) async throws -> Response {
        let scope = try await project(req)
        let rule = try await req.automations.create(in: scope, try RuleDraft(try PatchReader.body(req), editing: false))
        return try await RuleDTO(rule, now: req.application.clock.now()).encodeResponse(status: .created, for: req)
    }

    func show(req: Request) async throws -> RuleDTO {
        let (rule, _) = try await AutomationService.rule(try ruleID(req), for: try req.principal().userID, on: req.reader)
        return try RuleDTO(rule, now: req.application.clock.now())
    }

    func update(req: Request) async throws -> RuleDTO {
        let rule = try await req.automations.update(try ruleID(req), by: try req.principal().userID, try RuleDraft(try PatchReader.body(req), editing: true))
        return try RuleDTO(rule, now: req.application.clock.now())
    }

    func delete(req: Request) async throws -> HTTPStatus {
        try await req.automations.delete(try ruleID(req), by: try req.principal().userID)
        return .noContent
    }

    /// The saved rule, or the saved rule with the body's changes, tried on today's tasks.
    func dryRun(req: Request) async throws -> RuleDryRun.Result {
        let userID = try req.principal().userID
        let (rule, scope) = try await AutomationService.rule(try ruleID(req), for: userID, on: req.reader)
        try scope.requireManage()
        let draft = try RuleDraft(try PatchReader.body(req), editing: true)
        let old = try rule.definition
        let definition = RuleDefinition(trigger: draft.trigger ?? old.trigger, match: draft.match ?? old.match,
                                        conditions: draft.conditions ?? old.conditions, actions: draft.actions ?? old.actions)
        let checked = try await RuleReferences.check(definition, keepingSecretsOf: old, scope: scope, on: req.reader)
        return try await RuleDryRun.run(rule, checked, project: scope.project, baseURL: req.application.publicBaseURL,
                                        now: req.application.clock.now(), on: req.reader)
    }

    /// A rule not saved yet (the editor's preview while it is being made).
    func dryRunDraft(req: Request) async throws -> RuleDryRun.Result {
        let scope = try await project(req)
        try scope.requireManage()
        let draft = try RuleDraft(try PatchReader.body(req), editing: false)
        let template = draft.templateKey.flatMap(RuleTemplates.named)?.definition
        guard let trigger = draft.trigger ?? template?.trigger else { throw BatonError.validation("trigger", "Choose what sets the rule off.") }
        var definition = RuleDefinition(trigger: trigger, match: draft.match ?? template?.match ?? .all,
                                        conditions: draft.conditions ?? template?.conditions ?? [], actions: draft.actions ?? template?.actions ?? [])
        // The preview needs no secret: it posts nothing.
        for index in definition.actions.indices where definition.actions[index].type == .webhook && definition.actions[index].secret == nil {
            definition.actions[index].secret = String(repeating: "x", count: 16)
        }
        let checked = try await RuleReferences.check(definition, keepingSecretsOf: nil, scope: scope, on: req.reader)
        let rule = Rule()
        rule.workspaceID = scope.access.workspaceID
        rule.projectID = scope.projectID
        rule.name = draft.name ?? "New rule"
        rule.createdAt = req.application.clock.now()
        rule.updatedAt = rule.createdAt
        return try await RuleDryRun.run(rule, checked, project: scope.project, baseURL: req.application.publicBaseURL,
                                        now: req.application.clock.now(), on: req.reader)
    }

    func runs(req: Request) async throws -> ListPage<RuleRunDTO> {
        let (rule, _) = try await AutomationService.rule(try ruleID(req), for: try req.principal().userID, on: req.reader)
        let status = req.queryText("status").flatMap { $0.isEmpty ? nil : $0 }
        if let status, !["done", "skipped", "failed"].contains(status) {
            throw BatonError.validation("status", "status is done, skipped or failed.")
        }
        let (runs, next) = try await RuleQueries.runs(of: try rule.requireID(), status: status, after: try req.cursorParameter("after"),
                                                      limit: try req.pageSize(), on: req.reader)
        return ListPage(data: runs, nextCursor: next.map(String.init))
    }

    func templates(req: Request) async throws -> ListPage<RuleTemplateDTO> {
        _ = try req.principal()
        return ListPage(data: RuleQueries.templates, nextCursor: nil)
    }
}
