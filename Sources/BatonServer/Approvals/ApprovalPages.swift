import Fluent
import Vapor
import BatonCore

/// Approvals in the browser: the four views, a request's page with its whole path and the
/// actions open to the viewer, and the one form post every action goes through.
struct ApprovalPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(ApprovalPaths.list.inWorkspace, use: list)
        routes.get(ApprovalPaths.request.inWorkspace, use: show)
        routes.post(ApprovalPaths.act.inWorkspace, use: act)
        try routes.register(collection: ApprovalFormPages())
        try routes.register(collection: ApprovalTemplatePages())
        try routes.register(collection: DecisionRightsPages())
    }

    struct Tab: Encodable { let key: String; let label: String; let current: Bool; let count: Int }
    struct Row: Encodable {
        let id: UUID
        let title: String
        let templateName: String
        let requesterName: String
        let status: String
        let statusLabel: String
        let currentStep: String?
        let waitingOn: String
        /// The title does not start with the template's name already.
        let showTemplate: Bool
        let waited: String?
        let created: String
    }
    struct TemplateLink: Encodable { let id: UUID; let name: String; let description: String }
    struct WaitRow: Encodable { let label: String; let count: Int; let average: String; let p90: String }
    struct ListContext: Encodable {
        let tab = "requests"
        let workspaceId: UUID
        let view: String
        let tabs: [Tab]
        let rows: [Row]
        let templates: [TemplateLink]
        let isAdmin: Bool
        let statusOptions: [WorkPages.Option]
        let templateOptions: [WorkPages.Option]
        let next: Int?
        let empty: String
        let stepWaits: [WaitRow]
        let approverWaits: [WaitRow]
        let query: String
    }

    func list(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { throw BatonError.notFound("Page") }
        let view = ApprovalQueries.View(rawValue: req.queryText("view") ?? "") ?? .toApprove
        guard view != .all || access.role.canAdminister else { throw BatonError.forbidden("Only admins see every request.") }
        var filter = ApprovalQueries.Filter(view: view)
        filter.status = req.queryText("status").flatMap { ApprovalProgress.Status(rawValue: $0)?.rawValue }
        filter.templateID = req.queryText("template_id").flatMap(UUID.init(uuidString:))
        filter.offset = try req.cursorParameter("after") ?? 0
        let (items, next) = try await ApprovalQueries.list(access, filter, on: req.reader)
        let timeZone = try req.principal().timeZone
        let now = req.application.clock.now()
        let templates = try await Tenancy.query(access, ApprovalTemplate.self, on: req.reader).sort(\.$name).all()
        let toApprove = try await ApprovalWait.query(on: req.reader).filter(\.$userID == access.userID).filter(\.$workspaceID == access.workspaceID).count()
        var tabs = [Tab(key: "to_approve", label: "To approve", current: view == .toApprove, count: toApprove),
                    Tab(key: "mine", label: "My requests", current: view == .mine, count: 0),
                    Tab(key: "cc", label: "Copied to me", current: view == .cc, count: 0)]
        if access.role.canAdminister { tabs.append(Tab(key: "all", label: "All requests", current: view == .all, count: 0)) }
        var stepWaits: [WaitRow] = []
        var approverWaits: [WaitRow] = []
        if view == .all {
            let waits = try await ApprovalQueries.waits(access, templateID: filter.templateID, days: 90, now: now, on: req.reader)
            func row(_ summary: WaitSummaryDTO) -> WaitRow {
                WaitRow(label: summary.label, count: summary.count, average: WaitWords.duration(summary.averageSeconds), p90: WaitWords.duration(summary.p90Seconds))
            }
            stepWaits = waits.steps.prefix(10).map(row)
            approverWaits = waits.approvers.prefix(10).map(row)
        }
        let context = ListContext(
            workspaceId: access.workspaceID, view: view.rawValue, tabs: tabs,
            rows: items.map { item in
                Row(id: item.id, title: item.title, templateName: item.templateName, requesterName: item.requesterName, status: item.status,
                    statusLabel: Self.statusLabel(item.status), currentStep: item.currentStep,
                    waitingOn: ListWords.join(item.waitingOn.map { $0.userId == access.userID ? "you" : $0.name }, "and"),
                    showTemplate: !item.title.hasPrefix(item.templateName),
                    waited: item.waitingSince.map { WaitWords.duration(now.timeIntervalSince($0)) },
                    created: BatonDate.format(item.createdAt, "MMM d", timeZone: timeZone))
            },
            templates: templates.filter(\.active).map { TemplateLink(id: $0.id!, name: $0.name, description: $0.description) },
            isAdmin: access.role.canAdminister,
            statusOptions: [WorkPages.Option(value: "", label: "Any status", selected: filter.status == nil)]
                + ApprovalProgress.Status.allCases.map { WorkPages.Option(value: $0.rawValue, label: Self.statusLabel($0.rawValue), selected: filter.status == $0.rawValue) },
            templateOptions: [WorkPages.Option(value: "", label: "Every template", selected: filter.templateID == nil)]
                + templates.map { WorkPages.Option(value: $0.id!.uuidString, label: $0.name, selected: filter.templateID == $0.id) },
            next: next,
            empty: view == .toApprove ? "Nothing waits for you. When someone needs your decision, it appears here and in your inbox."
                : view == .mine ? "You have not asked for anything yet. Choose a form on the right." : "Nothing here.",
            stepWaits: stepWaits, approverWaits: approverWaits,
            query: [filter.status.map { "&status=\($0)" }, filter.templateID.map { "&template_id=\($0)" }].compactMap { $0 }.joined())
        let page = Page(title: "Approvals", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"), page: context)
        return try await PageRenderer.render("approvals/list", page, for: req)
    }

    static func statusLabel(_ status: String) -> String {
        switch status {
        case "pending": "Waiting"
        case "approved": "Approved"
        case "rejected": "Rejected"
        case "changes_requested": "Changes requested"
        case "withdrawn": "Withdrawn"
        default: status
        }
    }

    // MARK: one request

    func show(req: Request) async throws -> Response {
        try await render(req)
    }

    /// Every action posts here with `action` and its fields; a refusal shows the page again with
    /// the message beside the form it came from, keeping what was typed.
    func act(req: Request) async throws -> Response {
        let (request, access) = try await Self.request(req)
        let id = try request.requireID()
        let form = try req.content.decode([String: String].self)
        let name = form["action"] ?? ""
        guard ApprovalAction.names.contains(name), name != "resubmit" else { throw BatonError.validation("action", "Choose what to do.") }
        var body: [String: JSONValue] = [:]
        for key in ["comment", "reason", "to", "user_id", "position"] {
            if let value = form[key], !value.isEmpty { body[key] = .string(value) }
        }
        if let step = form["step"].flatMap(Double.init) { body["step"] = .number(step) }
        do {
            _ = try await req.approvals.act(id, by: access.userID, try ApprovalAction.read(name, PatchReader(body)))
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            let key = "\(name.replacingOccurrences(of: "-", with: "_"))_\(error.field ?? "form")"
            return try await render(req, errors: [key: error.message], form: form.merging(["action": name]) { $1 }, status: error.status)
        }
        let notice = Self.doneNotice(name)
        if form["back"] == "inbox" { return PageRenderer.redirect(req, to: NotificationPaths.inbox.url(access.workspaceID), notice: notice) }
        return PageRenderer.redirect(req, to: ApprovalPaths.request.url(access.workspaceID, id), notice: notice)
    }

    static func doneNotice(_ action: String) -> String {
        switch action {
        case "approve": "Approved."
        case "reject": "Rejected; the requester has your comment."
        case "request-changes": "Sent back to the requester for changes."
        case "withdraw": "Withdrawn."
        case "transfer": "Handed over."
        case "add-approver": "Approver added."
        case "return": "Sent back to the earlier step."
        default: "Done."
        }
    }

    /// The request of the URL, in the URL's workspace (another workspace's is a 404 like a missing one).
    private static func request(_ req: Request) async throws -> (ApprovalRequest, WorkspaceAccess) {
        let access = try await req.workspaceAccess()
        let id = try req.uuidParameter("requestID", label: "Approval request")
        let (request, _) = try await ApprovalRequestService.request(id, for: access.userID, on: req.reader)
        guard request.workspaceID == access.workspaceID else { throw BatonError.notFound("Approval request") }
        return (request, access)
    }

    private func render(_ req: Request, errors: [String: String] = [:], form: [String: String] = [:],
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let (request, access) = try await Self.request(req)
        let dto = try await ApprovalQueries.detail(request, viewer: access.userID, on: req.reader)
        let context = try await ApprovalRequestView.make(dto, request: request, access: access, req: req)
        var page = Page(title: "\(request.title) · Approvals", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"),
                        page: context)
        page.errors = errors
        page.form = form
        return try await PageRenderer.render("approvals/request", page, for: req, status: status)
    }
}
