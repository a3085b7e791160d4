import Fluent
import Vapor
import BatonCore

/// The admins' view of the workspace's email: what was sent, what waits (and why), what was
/// held for lack of a mail server or given up. Bodies are not shown (they may carry links).
struct OutboxViews: RouteCollection {
    static let path = PagePath("identity.outbox", "/w/:workspaceID/outbox")

    struct Row: Content {
        let id: UUID
        let to: String
        let subject: String
        let status: String
        let attempts: Int
        let lastError: String?
        let createdAt: Date
        let sentAt: Date?

        init(_ message: OutboxEmail) {
            id = message.id!
            to = message.toAddress
            subject = message.subject
            status = message.status ?? "queued"
            attempts = message.attempts ?? 0
            lastError = message.lastError
            createdAt = message.createdAt
            sentAt = message.sentAt
        }
    }

    /// Newest first; the cursor is how many came before.
    static func rows(_ access: WorkspaceAccess, after: Int?, limit: Int, on db: any Database) async throws -> ([Row], Int?) {
        try access.requireAdmin()
        let offset = after ?? 0
        let messages = try await OutboxEmail.query(on: db).filter(\.$workspaceID == access.workspaceID)
            .sort(\.$createdAt, .descending).sort(\.$id).offset(offset).limit(limit + 1).all()
        return (messages.prefix(limit).map(Row.init), messages.count > limit ? offset + limit : nil)
    }

    func boot(routes: any RoutesBuilder) throws {
        routes.get(Self.path.inWorkspace) { req -> Response in
            let access = try await req.workspaceAccess()
            let (rows, next) = try await Self.rows(access, after: try req.cursorParameter("after"), limit: 100, on: req.reader)
            struct Context: Encodable {
                struct Line: Encodable { let row: Row; let when: String; let sent: String? }
                let lines: [Line]
                let configured: Bool
                let next: Int?
            }
            let zone = try req.principal().timeZone
            let context = Context(lines: rows.map { .init(row: $0, when: BatonDate.long($0.createdAt, timeZone: zone),
                                                          sent: $0.sentAt.map { BatonDate.long($0, timeZone: zone) }) },
                                  configured: req.application.batonConfig.smtp != nil, next: next)
            let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "outbox")
            return try await PageRenderer.render("people/outbox", Page(title: "Outbox", layout: layout, page: context), for: req)
        }
    }
}

struct OutboxAPI {
    func register(_ api: APIRoutes) {
        api.workspace.get("outbox") { req -> Response in
            let (rows, next) = try await OutboxViews.rows(try await req.workspaceAccess(), after: try req.cursorParameter("after"),
                                                          limit: try req.pageSize(), on: req.reader)
            return try await ListPage(data: rows, nextCursor: next.map(String.init)).encodeResponse(for: req)
        }
    }
}
