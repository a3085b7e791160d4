import Fluent
import Vapor
import BatonCore

/// Reminders on tasks: `POST /tasks/{id}/reminders`, `GET /me/reminders`, `PATCH`/`DELETE /reminders/{id}`.
struct RemindersAPI {
    func register(_ api: APIRoutes) {
        api.signedIn.post("tasks", ":taskID", "reminders", use: create)
        api.signedIn.get("me", "reminders", use: list)
        api.signedIn.patch("reminders", ":reminderID", use: update)
        api.signedIn.delete("reminders", ":reminderID", use: cancel)
    }

    private func draft(_ req: Request) throws -> ReminderService.Draft {
        let body = try PatchReader.body(req)
        let (remindAt, note) = (Result { try body.nullableDate("remind_at") }, Result { try body.string("note") })
        return ReminderService.Draft(remindAt: try remindAt.get() ?? nil, note: try note.get())
    }

    func create(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let taskID = try req.uuidParameter("taskID", label: "Task")
        let (reminder, title) = try await req.reminders.create(onTask: taskID, by: userID, try draft(req))
        return try await ReminderDTO(reminder, title: title).encodeResponse(status: .created, for: req)
    }

    func update(req: Request) async throws -> ReminderDTO {
        let userID = try req.principal().userID
        let id = try req.uuidParameter("reminderID", label: "Reminder")
        let (reminder, title) = try await req.reminders.update(id, by: userID, try draft(req))
        return ReminderDTO(reminder, title: title)
    }

    func cancel(req: Request) async throws -> HTTPStatus {
        try await req.reminders.cancel(try req.uuidParameter("reminderID", label: "Reminder"), by: try req.principal().userID)
        return .noContent
    }

    func list(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let status = req.queryText("status") ?? "pending"
        guard ["pending", "delivered", "all"].contains(status) else {
            throw BatonError.validation("status", "status is pending, delivered or all.")
        }
        let task = try req.queryID("task_id")
        let (reminders, next) = try await ReminderQueries.page(user: userID, status: status, task: task, after: try req.cursorParameter("after"),
                                                               limit: try req.pageSize(), on: req.reader)
        let titles = try await ReminderQueries.titles(reminders, on: req.reader)
        return try await ListPage(data: reminders.map { ReminderDTO($0, title: titles[$0.subjectID] ?? "") }, nextCursor: next.map(String.init))
            .encodeResponse(for: req)
    }
}

enum ReminderQueries {
    /// Soonest first; the cursor is how many came before. Reminders of workspaces the person has
    /// left are not shown.
    static func page(user: UUID, status: String, task: UUID?, after: Int?, limit: Int,
                     on db: any Database) async throws -> (reminders: [Reminder], next: Int?) {
        let workspaces = try await Inbox.activeWorkspaces(of: user, on: db)
        let query = Reminder.query(on: db).filter(\.$userID == user).filter(\.$workspaceID ~~ workspaces).filter(\.$cancelledAt == nil)
        switch status {
        case "pending": query.filter(\.$deliveredAt == nil)
        case "delivered": query.filter(\.$deliveredAt != nil)
        default: break
        }
        if let task { query.filter(\.$subjectID == task) }
        let offset = after ?? 0
        let rows = try await query.sort(\.$remindAt, status == "delivered" ? .descending : .ascending).sort(\.$id)
            .offset(offset).limit(limit + 1).all()
        return (Array(rows.prefix(limit)), rows.count > limit ? offset + limit : nil)
    }

    static func titles(_ reminders: [Reminder], on db: any Database) async throws -> [UUID: String] {
        let ids = Array(Set(reminders.map(\.subjectID)))
        guard !ids.isEmpty else { return [:] }
        let tasks = try await WorkTask.query(on: db).filter(\.$id ~~ ids).all()
        return Dictionary(tasks.compactMap { task in task.id.map { ($0, task.title) } }) { first, _ in first }
    }
}
