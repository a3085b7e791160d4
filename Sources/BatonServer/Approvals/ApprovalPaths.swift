/// The approvals' pages: every route and link to them is built from these.
enum ApprovalPaths {
    static let list = PagePath("approvals.list", "/w/:workspaceID/approvals")
    static let newRequest = PagePath("approvals.new", "/w/:workspaceID/approvals/new/:templateID")
    static let previewRequest = PagePath("approvals.preview", "/w/:workspaceID/approvals/new/:templateID/preview")
    static let request = PagePath("approvals.request", "/w/:workspaceID/approvals/requests/:requestID")
    static let act = PagePath("approvals.act", "/w/:workspaceID/approvals/requests/:requestID/act")
    static let templates = PagePath("approvals.templates", "/w/:workspaceID/approvals/templates")
    static let newTemplate = PagePath("approvals.newTemplate", "/w/:workspaceID/approvals/templates/new")
    static let template = PagePath("approvals.template", "/w/:workspaceID/approvals/templates/:templateID")
    static let matrix = PagePath("approvals.matrix", "/w/:workspaceID/decision-rights")
    static let away = PagePath("approvals.away", "/w/:workspaceID/out-of-office")

    static let all = [list, newRequest, previewRequest, request, act, templates, newTemplate, template, matrix, away]
}
