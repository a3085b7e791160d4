import Fluent
import Vapor
import BatonCore

/// Reads of someone's inbox: the entries of the workspaces they are still an active member of.
enum Inbox {
    struct Filter: Sendable {
        var workspace: UUID?
        var unread: Bool?
        var archived = false
        var after: Int?
        var limit = PageSize.standard
    }

    static func unreadCount(user: UUID, workspace: UUID, on db: any Database) async throws -> Int {
        try await InboxEntry.query(on: db).filter(\.$userID == user).filter(\.$workspaceID == workspace)
            .filter(\.$readAt == nil).filter(\.$archivedAt == nil).count()
    }

    static func activeWorkspaces(of user: UUID, on db: any Database) async throws -> [UUID] {
        try await Membership.query(on: db).filter(\.$user.$id == user).filter(\.$deactivatedAt == nil).all().map(\.workspaceID)
    }

    /// Newest first; the next page starts below the last entry's position.
    static func page(user: UUID, _ filter: Filter, on db: any Database) async throws -> (entries: [InboxEntry], next: Int?) {
        let workspaces = try await activeWorkspaces(of: user, on: db).filter { filter.workspace == nil || $0 == filter.workspace }
        guard !workspaces.isEmpty else { return ([], nil) }
        let query = InboxEntry.query(on: db).filter(\.$userID == user).filter(\.$workspaceID ~~ workspaces)
        if filter.archived { query.filter(\.$archivedAt != nil) } else { query.filter(\.$archivedAt == nil) }
        switch filter.unread {
        case true?: query.filter(\.$readAt == nil)
        case false?: query.filter(\.$readAt != nil)
        case nil: break
        }
        if let after = filter.after { query.filter(\.$position < after) }
        let rows = try await query.sort(\.$position, .descending).limit(filter.limit + 1).all()
        let entries = Array(rows.prefix(filter.limit))
        return (entries, rows.count > filter.limit ? entries.last?.position : nil)
    }

    /// Entries as people read them: each change a sentence in the reader's time zone, and a link
    /// to the subject from the module that owns it.
    static func items(_ entries: [InboxEntry], timeZone: String, app: Application, on db: any Database) async throws -> [InboxItem] {
        let ids = Array(Set(entries.flatMap(\.events)))
        let records = ids.isEmpty ? [] : try await EventRecord.query(on: db).filter(\.$id ~~ ids).all().map(\.logged)
        let sentences = try await EventSentences.describe(records, in: app.modules.events, timeZone: timeZone, on: db)
        let lines = Dictionary(zip(records.map(\.id), sentences)) { first, _ in first }
        let names = try await actorNames(entries, on: db)
        let kinds = app.modules.noticeKinds
        return entries.map { entry in
            InboxItem(
                id: entry.id!, workspaceId: entry.workspaceID, kind: entry.kind,
                kindLabel: kinds.first { $0.rawValue == entry.kind }?.label ?? entry.kind,
                actorId: entry.actorID, actorName: entry.actorID.flatMap { names[$0] } ?? "Baton",
                subjectType: entry.subjectType, subjectId: entry.subjectID, subjectTitle: entry.subjectTitle,
                link: app.modules.subjectLink(type: entry.subjectType, id: entry.subjectID, workspaceID: entry.workspaceID),
                lines: entry.events.compactMap { lines[$0] }, count: entry.lines, position: entry.position,
                createdAt: entry.firstAt, updatedAt: entry.lastAt, readAt: entry.readAt, archivedAt: entry.archivedAt)
        }
    }

    private static func actorNames(_ entries: [InboxEntry], on db: any Database) async throws -> [UUID: String] {
        let ids = Array(Set(entries.compactMap(\.actorID)))
        guard !ids.isEmpty else { return [:] }
        let users = try await User.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(users.compactMap { user in user.id.map { ($0, user.name) } }) { first, _ in first }
    }
}

/// An inbox entry as the API and the inbox page show it.
struct InboxItem: Content {
    let id: UUID
    let workspaceId: UUID
    let kind: String
    let kindLabel: String
    let actorId: UUID?
    let actorName: String
    let subjectType: String
    let subjectId: UUID?
    let subjectTitle: String
    let link: String?
    /// Each change it stands for, oldest first: "Maya Chen changed the priority of “Budget”".
    let lines: [String]
    let count: Int
    let position: Int
    let createdAt: Date
    let updatedAt: Date
    let readAt: Date?
    let archivedAt: Date?
}
