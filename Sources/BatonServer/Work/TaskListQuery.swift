import Fluent
import FluentSQL
import SQLKit
import Vapor
import BatonCore

/// Filters and order of the task list, read from the query string. Every filter is served by an
/// index that starts with the project; pages are cut by a keyset cursor on (sort value, id), so a
/// page costs the same on page 1 and page 1,000. Default order: newest first.
struct TaskListQuery: Sendable {
    var assignee: UUID??
    var delegator: UUID?
    var stageID: UUID?
    var category: StageCategory?
    var priority: Priority?
    var tag: String?
    var dueBefore: Date?
    var dueAfter: Date?
    /// A custom field by name or id, and the value it must have (for multi-select: one of its choices).
    var field: (key: String, value: String)?
    var sort = TaskSort.default
    var cursor: TaskSort.Cursor?
    var limit = PageSize.standard
    /// The archived tasks instead of the others.
    var archived = false

    init() {}

    init(_ req: Request, me: UUID) throws {
        func text(_ name: String) -> String? {
            guard let value = req.queryText(name), !value.isEmpty else { return nil }
            return value
        }
        if let raw = text("archived") {
            guard let flag = Bool(raw) else { throw BatonError.validation("archived", "archived is true or false.") }
            archived = flag
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
            guard let date = BatonDate.parseISO(value) ?? BatonDate.validDay(value).flatMap({ BatonDate.parseISO("\($0)T00:00:00Z") }) else {
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
        if let key = text("field") {
            field = (key, text("field_value") ?? "")
        } else if text("field_value") != nil {
            throw BatonError.validation("field", "Choose the custom field that field_value filters on.")
        }
        if let raw = text("sort") {
            guard let sort = TaskSort(raw) else {
                throw BatonError.validation("sort", "sort must be one of \(TaskSort.Key.allCases.map(\.rawValue).joined(separator: ", ")), with - in front for descending.")
            }
            self.sort = sort
        }
        if let raw = text("after") {
            guard let decoded = TaskSort.Cursor(raw), decoded.sort == sort else {
                throw BatonError.validation("after", "after must be a cursor returned by a previous page (with the same sort).")
            }
            cursor = decoded
        }
        limit = try req.pageSize()
    }

    /// What a list row shows (TaskDTO) and its cursor read; the brief's long texts stay on disk.
    /// The models come back partly loaded and are only turned into DTOs.
    private static let listedColumns = ["id", "project_id", "title", "description", "delegator_id", "assignee_id", "stage_id",
                                        "stage_category", "priority", "start_at", "due_at", "time_zone", "blocked", "blocked_reason",
                                        "estimate", "tags", "parent_id", "version", "created_by", "created_at", "updated_at",
                                        "completed_at", "handoff_accepted_at", "clarification_requested_at", "acceptance_requested_at",
                                        "archived_at"]
        .map { "\(WorkTask.schema).\($0)" }.joined(separator: ", ")

    /// One page, built with SQLKit rather than Fluent: Fluent selects every column as
    /// `"tasks"."x" AS "tasks_x"` and decodes each through a prefixed key.
    func page(projectID: UUID, withCustomFields: Bool = true, on db: any Database) async throws -> ListPage<TaskDTO> {
        let column = { (name: String) in SQLColumn(name, table: WorkTask.schema) }
        func equal(_ name: String, _ value: (any Encodable & Sendable)?) -> any SQLExpression {
            guard let value else { return SQLBinaryExpression(column(name), .is, SQLLiteral.null) }
            return SQLBinaryExpression(column(name), .equal, SQLBind(value))
        }
        var query = (db as! any SQLDatabase).select()
            .column(SQLRaw(Self.listedColumns))
            .from(WorkTask.schema)
            .where(equal("project_id", projectID))
            .where(SQLBinaryExpression(column("archived_at"), archived ? .isNot : .is, SQLLiteral.null))
        if let assignee { query = query.where(equal("assignee_id", assignee.map { $0 as any Encodable & Sendable })) }
        if let delegator { query = query.where(equal("delegator_id", delegator)) }
        if let stageID { query = query.where(equal("stage_id", stageID)) }
        if let category { query = query.where(equal("stage_category", category.rawValue)) }
        if let priority { query = query.where(equal("priority", priority.rawValue)) }
        if let dueBefore { query = query.where(column("due_at"), .lessThan, SQLBind(dueBefore)) }
        if let dueAfter { query = query.where(column("due_at"), .greaterThanOrEqual, SQLBind(dueAfter)) }
        if let tag {
            query = query.join(TaskTag.schema, on: SQLColumn("task_id", table: TaskTag.schema), .equal, column("id"))
                .where(SQLColumn("tag", table: TaskTag.schema), .equal, SQLBind(tag))
        }
        if let field { query = try await filter(query, projectID: projectID, field: field.key, value: field.value, on: db) }
        if let cursor { query = query.where(sort.after(cursor)) }
        let rows = try await query.orderBy(sort.orderBy).limit(limit + 1).all(decodingFluent: WorkTask.self)
        let page = Array(rows.prefix(limit))
        let next = rows.count > limit ? page.last.map { sort.cursor(after: $0).encoded } : nil
        let data = withCustomFields ? try await WorkQueries.dtos(page, on: db) : try page.map { try TaskDTO($0, customFields: [:]) }
        return ListPage(data: data, nextCursor: next)
    }
}

extension TaskListQuery {
    /// Tasks whose value of the named field equals `value` (canonicalized by the field's type).
    private func filter(_ query: SQLSelectBuilder, projectID: UUID, field key: String, value: String,
                        on db: any Database) async throws -> SQLSelectBuilder {
        let fields = try await CustomField.query(on: db).filter(\.$projectID == projectID).all()
        guard let field = fields.first(where: { $0.name.lowercased() == key.lowercased() || $0.id?.uuidString.lowercased() == key.lowercased() }) else {
            throw BatonError.validation("field", "This project has no field called \(key).")
        }
        let stored = SQLColumn("value", table: TaskFieldValue.schema)
        let joined = query
            .join(TaskFieldValue.schema, on: SQLColumn("task_id", table: TaskFieldValue.schema), .equal, SQLColumn("id", table: WorkTask.schema))
            .where(SQLColumn("field_id", table: TaskFieldValue.schema), .equal, SQLBind(try field.requireID()))
        let definition = field.definition
        if definition.type == .multiSelect {
            guard let choice = definition.options.first(where: { $0.lowercased() == value.lowercased() }) else {
                throw BatonError.validation("field_value", "\(field.name) is one of: \(definition.options.joined(separator: ", ")).")
            }
            // Stored as "a;b;c": the choice alone, first, last or in the middle.
            return joined.where { any in
                any.where(stored, .equal, SQLBind(choice))
                    .orWhere(stored, .like, SQLBind("\(choice);%"))
                    .orWhere(stored, .like, SQLBind("%;\(choice)"))
                    .orWhere(stored, .like, SQLBind("%;\(choice);%"))
            }
        }
        switch CustomFieldValue.validate(.string(value), for: definition, isPerson: { _ in true }) {
        case .success(let canonical?): return joined.where(stored, .equal, SQLBind(canonical))
        case .success(nil): throw BatonError.validation("field_value", "Give a value to filter \(field.name) by.")
        case .failure(let problem): throw BatonError.validation("field_value", problem.message)
        }
    }
}
