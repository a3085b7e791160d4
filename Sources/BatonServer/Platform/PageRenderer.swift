import Fluent
import Leaf
import Vapor

/// What every page's layout needs: who is signed in, which workspace, the CSRF token, a notice.
struct LayoutContext: Encodable {
    struct WorkspaceLink: Encodable { let id: UUID; let name: String; let current: Bool }
    struct NavigationLink: Encodable {
        let title: String
        let href: String
        let shortcut: String?
        let current: Bool
        let page: String
        /// A count beside the link (the inbox's unread), when its module gives one; the live
        /// socket keeps it current, so it is on the page even at zero.
        var hasBadge = false
        var badge = 0
    }

    var signedIn = false
    var userName = ""
    var workspaces: [WorkspaceLink] = []
    var workspaceId: UUID?
    var workspaceName = ""
    var isAdmin = false
    var csrf = ""
    var nav = ""
    /// The installed modules' links for this workspace and viewer.
    var navigation: [NavigationLink] = []
    var notice: String?
    var noticeLink: String?
}

/// A page: its template, title and the context the template reads.
struct Page<Context: Encodable>: Encodable {
    let title: String
    var layout: LayoutContext
    let page: Context
    var errors: [String: String] = [:]
    var form: [String: String] = [:]
}

struct NoContext: Encodable {}

enum PageRenderer {
    static let currentWorkspaceCookie = "baton_ws"
    static let flashCookie = "baton_flash"

    /// Builds the layout for the caller, remembering `workspace` as their current one.
    static func layout(for req: Request, workspace: WorkspaceAccess? = nil, nav: String = "") async throws -> LayoutContext {
        var layout = LayoutContext()
        layout.csrf = CSRF.token(for: req)
        layout.nav = nav
        if let flash = req.cookies[flashCookie]?.string, let data = Data(base64Encoded: flash),
           let decoded = try? JSONDecoder().decode(Flash.self, from: data) {
            layout.notice = decoded.notice
            layout.noticeLink = decoded.link
        }
        guard let principal = req.optionalPrincipal else { return layout }
        layout.signedIn = true
        layout.userName = principal.name
        let workspaces = try await IdentityQueries.workspaces(of: principal.userID, on: req.reader)
        let current = workspace?.workspaceID ?? currentWorkspaceID(req, among: workspaces)
        layout.workspaces = workspaces.map { .init(id: $0.id, name: $0.name, current: $0.id == current) }
        if let chosen = workspaces.first(where: { $0.id == current }) {
            layout.workspaceId = chosen.id
            layout.workspaceName = chosen.name
            layout.isAdmin = chosen.role?.canAdminister ?? false
            let badges = try await req.application.modules.badges(workspaceID: chosen.id, userID: principal.userID, on: req.reader)
            let isGuest = chosen.role == .guest
            layout.navigation = req.application.modules.navigation.filter { (!$0.adminsOnly || layout.isAdmin) && (!$0.membersOnly || !isGuest) }.map {
                .init(title: $0.title, href: $0.path.url(chosen.id), shortcut: $0.shortcut, current: $0.page == nav, page: $0.page,
                      hasBadge: badges[$0.page] != nil, badge: badges[$0.page] ?? 0)
            }
        } else {
            layout.workspaceName = "No workspace"
        }
        return layout
    }

    static func currentWorkspaceID(_ req: Request, among workspaces: [WorkspaceDTO]) -> UUID? {
        let remembered = (req.cookies[currentWorkspaceCookie]?.string).flatMap(UUID.init(uuidString:))
        return workspaces.first { $0.id == remembered }?.id ?? workspaces.first?.id
    }

    static func render<Context: Encodable>(_ template: String, _ page: Page<Context>, for req: Request,
                                           status: HTTPResponseStatus = .ok) async throws -> Response {
        let view = try await req.view.render(template, page)
        let response = try await view.encodeResponse(status: status, for: req)
        response.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        if page.layout.notice != nil { response.cookies[flashCookie] = BatonCookie.expired(for: req) }
        if let workspace = page.layout.workspaceId {
            response.cookies[currentWorkspaceCookie] = BatonCookie.value(workspace.uuidString, maxAge: 365 * 24 * 3600, for: req)
        }
        CSRF.attachCookie(to: response, for: req)
        return response
    }

    struct Flash: Codable { let notice: String; let link: String? }

    /// Post/redirect/get: the notice shows once on the next page.
    static func redirect(_ req: Request, to path: String, notice: String? = nil, link: String? = nil) -> Response {
        let response = req.redirect(to: path, redirectType: .normal)
        if let notice, let data = try? JSONEncoder().encode(Flash(notice: notice, link: link)) {
            response.cookies[flashCookie] = BatonCookie.value(data.base64EncodedString(), maxAge: 60, for: req)
        }
        CSRF.attachCookie(to: response, for: req)
        return response
    }

    static func errorPage(_ error: BatonError, for req: Request) async throws -> Response {
        struct ErrorContext: Encodable { let status: String; let message: String }
        var layout = try await layout(for: req)
        layout.notice = nil
        let page = Page(title: error.status.reasonPhrase, layout: layout,
                        page: ErrorContext(status: "\(error.status.code) · \(error.status.reasonPhrase)", message: error.message))
        return try await render("error", page, for: req, status: error.status)
    }
}
