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
        return ListPage(data: try await RuleQueries.rules(of: scope.projectID, on: req.reader).map { try RuleDTO($0, now: now, canManage: scope.canManage) },
                        nextCursor: nil)
    }

    func create(req: Request) async throws -> Response {
        let scope = try await project(req)
        let rule = try await req.automations.create(in: scope, try RuleDraft(try PatchReader.body(req), editing: false))
        return try await RuleDTO(rule, now: req.application.clock.now()).encodeResponse(status: .created, for: req)
    }

    func show(req: Request) async throws -> RuleDTO {
        let (rule, scope) = try await AutomationService.rule(try ruleID(req), for: try req.principal().userID, on: req.reader)
        return try RuleDTO(rule, now: req.application.clock.now(), canManage: scope.canManage)
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
        let (rule, scope) = try await AutomationService.rule(try ruleID(req), for: try req.principal().userID, on: req.reader)
        try scope.requireManage()
        return try await RuleDryRun.trySaved(rule, with: try RuleDraft(try PatchReader.body(req), editing: true), scope: scope, req: req)
    }

    /// A rule not saved yet (the editor's preview while it is being made).
    func dryRunDraft(req: Request) async throws -> RuleDryRun.Result {
        let scope = try await project(req)
        try scope.requireManage()
        return try await RuleDryRun.tryDraft(try RuleDraft(try PatchReader.body(req), editing: false), scope: scope, req: req)
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
