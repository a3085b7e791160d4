import Fluent
import Vapor
import BatonCore

/// Filters of the task list, read from the query string; every filter is served by an index that
/// starts with the project, and pages are cut by a (created_at, id) cursor, newest first.
struct TaskListQuery: Sendable {
    var assignee: UUID??
    var delegator: UUID?
    var stageID: UUID?
    var category: StageCategory?
    var priority: Priority?
    var tag: String?
    var dueBefore: Date?
    var dueAfter: Date?
    var cursor: (createdAt: Date, id: UUID)?
    var limit = PageSize.standard

    init() {}

    init(_ req: Request, me: UUID) throws {
        func text(_ name: String) -> String? {
            guard let value = req.query[String.self, at: name], !value.isEmpty else { return nil }
            return value
        }
        func id(_ name: String) throws -> UUID? {
            guard let value = text(name) else { return nil }
            if value == "me" { return me }
            guard let id = UUID(uuidString: value) else { throw BatonError.validation(name, "\(name) must be an id or “me”.") }
            return id
        }
        func date(_ name: String) throws -> Date? {
            guard let value = text(name) else { return nil }
            // A bare day (from a date input) means its start, in UTC.
            guard let date = ISODate.parse(value) ?? DateText.parseDay(value).flatMap({ ISODate.parse("\($0)T00:00:00Z") }) else {
                throw BatonError.validation(name, "\(name) must be a date (YYYY-MM-DD) or an ISO-8601 date-time.")
            }
            return date
        }
        if text("assignee") == "none" { assignee = .some(nil) } else if let value = try id("assignee") { assignee = .some(value) }
        delegator = try id("delegator")
        stageID = try id("stage")
        if let value = text("category") {
            guard let category = StageCategory(rawValue: value) else {
                throw BatonError.validation("category", "category must be todo, in_progress, blocked or done.")
            }
            self.category = category
        }
        if let value = text("priority") {
            guard let priority = Priority(rawValue: value) else { throw BatonError.validation("priority", "priority must be urgent, high, normal or low.") }
            self.priority = priority
        }
        tag = text("tag")?.lowercased()
        dueBefore = try date("due_before")
        dueAfter = try date("due_after")
        if let raw = text("after") {
            guard let decoded = Self.decodeCursor(raw) else { throw BatonError.validation("after", "after must be a cursor returned by a previous page.") }
            cursor = decoded
        }
        limit = try req.pageSize()
    }

    static func encodeCursor(_ task: WorkTask) -> String {
        Data("\(task.createdAt.timeIntervalSince1970)|\(task.id!.uuidString)".utf8).base64EncodedString()
    }

    static func decodeCursor(_ raw: String) -> (Date, UUID)? {
        guard let data = Data(base64Encoded: raw) else { return nil }
        let parts = String(decoding: data, as: UTF8.self).split(separator: "|")
        guard parts.count == 2, let seconds = Double(parts[0]), let id = UUID(uuidString: String(parts[1])) else { return nil }
        return (Date(timeIntervalSince1970: seconds), id)
    }

    func page(projectID: UUID, on db: any Database) async throws -> ListPage<TaskDTO> {
        var query = WorkTask.query(on: db).filter(\.$projectID == projectID)
        if let assignee { query = query.filter(\.$assigneeID == assignee) }
        if let delegator { query = query.filter(\.$delegatorID == delegator) }
        if let stageID { query = query.filter(\.$stageID == stageID) }
        if let category { query = query.filter(\.$stageCategory == category) }
        if let priority { query = query.filter(\.$priority == priority) }
        if let dueBefore { query = query.filter(\.$dueAt < dueBefore) }
        if let dueAfter { query = query.filter(\.$dueAt >= dueAfter) }
        if let tag {
            query = query.join(TaskTag.self, on: \WorkTask.$id == \TaskTag.$taskID).filter(TaskTag.self, \.$tag == tag)
        }
        if let cursor {
            query = query.group(.or) { group in
                group.filter(\.$createdAt < cursor.createdAt)
                group.group(.and) { same in same.filter(\.$createdAt == cursor.createdAt).filter(\.$id < cursor.id) }
            }
        }
        let rows = try await query.sort(\.$createdAt, .descending).sort(\.$id, .descending).limit(limit + 1).all()
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map(Self.encodeCursor) : nil
        return ListPage(data: try await WorkQueries.dtos(page, on: db), nextCursor: next)
    }
}
