import Fluent
import Vapor
import BatonCore

/// Reminders in the browser: the "Remind me" section of a task page (a subject panel), its forms,
/// and the list of one's reminders.
struct ReminderPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(NotificationPaths.reminders.inWorkspace, use: list)
        routes.post(NotificationPaths.taskReminders.inWorkspace, use: create)
        routes.post(NotificationPaths.reminder.inWorkspace, use: update)
        routes.post(NotificationPaths.cancelReminder.inWorkspace, use: cancel)
    }

    struct Row: Encodable {
        let id: UUID
        let taskId: UUID
        let title: String
        let when: String
        /// For the datetime-local field, in the viewer's zone.
        let local: String
        let note: String
        let delivered: Bool
    }

    struct PanelContext: Encodable {
        let workspaceId: UUID
        let taskId: UUID
        let csrf: String
        let timeZone: String
        let reminders: [Row]
        let errors: [String: String]
        let form: [String: String]
    }

    static func rows(_ reminders: [Reminder], titles: [UUID: String], timeZone: String) -> [Row] {
        reminders.map { reminder in
            Row(id: reminder.id!, taskId: reminder.subjectID, title: titles[reminder.subjectID] ?? "a task",
                when: BatonDate.long(reminder.remindAt, timeZone: timeZone),
                local: BatonDate.format(reminder.remindAt, "yyyy-MM-dd'T'HH:mm", timeZone: timeZone), note: reminder.note,
                delivered: reminder.deliveredAt != nil)
        }
    }

    /// The section on a task's page: the viewer's own waiting reminders for it, and the form.
    static func panel(_ request: SubjectPanelRequest, errors: [String: String] = [:], form: [String: String] = [:]) async throws -> String {
        let req = request.req
        let principal = try req.principal()
        let (reminders, _) = try await ReminderQueries.page(user: principal.userID, status: "pending", task: request.subjectID, after: nil,
                                                            limit: 20, on: req.reader)
        let context = PanelContext(workspaceId: request.access.workspaceID, taskId: request.subjectID, csrf: CSRF.token(for: req),
                                   timeZone: principal.timeZone, reminders: rows(reminders, titles: [:], timeZone: principal.timeZone),
                                   errors: errors, form: form)
        let view = try await req.view.render("notifications/task-reminders", context)
        return String(buffer: view.data)
    }

    static let subjectPanels: @Sendable (SubjectPanelRequest) async throws -> [String] = { request in
        guard request.subjectType == "task" else { return [] }
        return [try await panel(request)]
    }

    /// After a save: the task page (its panels show the change); a refusal: the section alone,
    /// with the message next to the field and what was typed (baton.js swaps it into the page).
    private func answer(_ req: Request, taskID: UUID, notice: String, _ action: () async throws -> Void) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = (try? req.content.decode([String: String].self)) ?? [:]
        do {
            try await action()
        } catch let error as BatonError where error.status == .unprocessableEntity || error.status == .conflict {
            let html = try await Self.panel(.init(req: req, access: access, subjectType: "task", subjectID: taskID),
                                            errors: [error.field ?? "remind_at": error.message], form: form)
            struct ErrorContext: Encodable { let html: String; let taskLink: String }
            let page = Page(title: "Reminder not saved", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "work"),
                            page: ErrorContext(html: html, taskLink: req.application.modules.subjectLink(type: "task", id: taskID,
                                                                                                        workspaceID: access.workspaceID) ?? ""))
            return try await PageRenderer.render("notifications/reminder-refused", page, for: req, status: error.status)
        }
        let back = form["return"] == "reminders" ? NotificationPaths.reminders.url(access.workspaceID)
            : req.application.modules.subjectLink(type: "task", id: taskID, workspaceID: access.workspaceID) ?? NotificationPaths.reminders.url(access.workspaceID)
        return PageRenderer.redirect(req, to: back, notice: notice)
    }

    private func draft(_ req: Request) throws -> ReminderService.Draft {
        let form = try req.content.decode([String: String].self)
        let principal = try req.principal()
        let raw = (form["remind_at"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !raw.isEmpty else { return .init(remindAt: nil, note: form["note"]) }
        guard let date = BatonDate.parseLocal(raw, timeZone: principal.timeZone) else {
            throw BatonError.validation("remind_at", "Choose a date and time.")
        }
        return .init(remindAt: date, note: form["note"])
    }

    func create(req: Request) async throws -> Response {
        let taskID = try req.uuidParameter("taskID", label: "Task")
        let userID = try req.principal().userID
        // someone else's task: the service's 404 comes before any check of the form, and is not caught here
        return try await answer(req, taskID: taskID, notice: "Reminder set.") {
            _ = try await req.reminders.create(onTask: taskID, by: userID, try draft(req))
        }
    }

    func update(req: Request) async throws -> Response {
        let id = try req.uuidParameter("reminderID", label: "Reminder")
        let userID = try req.principal().userID
        let reminder = try await ReminderService.own(id, userID, on: req.reader)
        try await requireWorkspace(reminder, req)
        return try await answer(req, taskID: reminder.subjectID, notice: "Reminder moved.") {
            _ = try await req.reminders.update(id, by: userID, try draft(req))
        }
    }

    func cancel(req: Request) async throws -> Response {
        let id = try req.uuidParameter("reminderID", label: "Reminder")
        let userID = try req.principal().userID
        let reminder = try await ReminderService.own(id, userID, on: req.reader)
        try await requireWorkspace(reminder, req)
        return try await answer(req, taskID: reminder.subjectID, notice: "Reminder cancelled.") {
            try await req.reminders.cancel(id, by: userID)
        }
    }

    private func requireWorkspace(_ reminder: Reminder, _ req: Request) async throws {
        guard reminder.workspaceID == (try await req.workspaceAccess()).workspaceID else { throw BatonError.notFound("Reminder") }
    }

    struct ListContext: Encodable {
        let pending: [Row]
        let delivered: [Row]
    }

    func list(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let principal = try req.principal()
        let (pending, _) = try await ReminderQueries.page(user: access.userID, status: "pending", task: nil, after: nil, limit: 200, on: req.reader)
        let (delivered, _) = try await ReminderQueries.page(user: access.userID, status: "delivered", task: nil, after: nil, limit: 20, on: req.reader)
        let here = { (reminders: [Reminder]) in reminders.filter { $0.workspaceID == access.workspaceID } }
        let titles = try await ReminderQueries.titles(here(pending) + here(delivered), on: req.reader)
        let context = ListContext(pending: Self.rows(here(pending), titles: titles, timeZone: principal.timeZone),
                                  delivered: Self.rows(here(delivered), titles: titles, timeZone: principal.timeZone))
        let layout = try await PageRenderer.layout(for: req, workspace: access, nav: "inbox")
        return try await PageRenderer.render("notifications/reminders", Page(title: "Reminders", layout: layout, page: context), for: req)
    }
}
