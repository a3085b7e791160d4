import Fluent
import Vapor
import BatonCore

struct ImportResultDTO: Content {
    struct Problem: Content { let line: Int; let reason: String }
    let dryRun: Bool
    let validRows: Int
    let problems: [Problem]
    let created: Int
}

extension WorkService {
    /// CSV import: a dry run reports every bad row; the real import creates every row or none.
    ///
    /// Parsing, planning and building the tasks (through the same `createTask` as one at a time,
    /// on a context that only keeps what it would write, finished into multi-row statements)
    /// happen before the write, on a thread of their own; the write then checks that the project
    /// is as it was read and runs the statements. The writer is held for seconds, not for the
    /// whole import. The tasks'
    /// own events are kept (every task's history says it was imported) but announced once, as
    /// one `tasks.imported` with the count.
    func importTasks(_ scope: WorkScope.ProjectAccess, csv text: String, dryRun: Bool) async throws -> ImportResultDTO {
        guard WorkPermission.canCreateTasks(role: scope.access.role) else { throw BatonError.forbidden("Guests cannot import tasks.") }
        let reader = store.reader
        let now = store.clock.now()
        let cache = try await WorkCache.load(scope, on: reader)
        let members = try await Self.memberEmails(scope.access, on: reader)
        let stages = cache.stages.map(\.name)
        let fields = cache.fields.map(\.definition)
        let importID = UUID()
        let prepared = WriteContext(db: reader, now: now, preparing: true, eventTag: [EventVisibility.bulkKey: importID.uuidString])
        // Parsing, planning and building are long and seldom wait: on a thread of their own.
        let (plan, taskIDs) = try await DedicatedThread.run { () throws -> (TaskImport.Plan, [UUID]) in
            let records: [CSV.Record]
            do {
                records = try CSV.parse(text)
            } catch let error as CSV.ParseError {
                throw BatonError.validation("file", "Line \(error.line): \(error.message)")
            }
            let plan = TaskImport.plan(records, stages: stages, members: members, fields: fields)
            guard !dryRun, plan.problems.isEmpty else { return (plan, []) }
            var taskIDs: [UUID] = []
            let stageIDs = Dictionary(cache.stages.compactMap { stage in stage.id.map { (stage.name, $0) } }, uniquingKeysWith: { first, _ in first })
            for row in plan.rows {
                do {
                    let task = try await Self.createTask(scope, Self.changes(for: row, stageIDs: stageIDs, members: members), ctx: prepared, cache: cache)
                    taskIDs.append(try task.requireID())
                } catch let error as BatonError {
                    throw BatonError.validation("file", "Line \(row.line): \(error.message)")
                }
            }
            try prepared.finishPreparing()
            return (plan, taskIDs)
        }
        let problems = plan.problems.map { ImportResultDTO.Problem(line: $0.line, reason: $0.reason) }
        if dryRun || !problems.isEmpty {
            if !dryRun {
                let sample = problems.prefix(3).map { "line \($0.line): \($0.reason)" }.joined(separator: "; ")
                throw BatonError.validation("file", "\(problems.count) rows have problems, nothing was imported (\(sample)). Run a dry run to see them all.")
            }
            return ImportResultDTO(dryRun: true, validRows: plan.rows.count, problems: problems, created: 0)
        }
        let count = plan.rows.count
        try await store.write { ctx in
            guard try await WorkCache.load(scope, on: ctx.db) == cache else {
                throw BatonError.conflict("file", "The project’s stages, fields or members changed while the file was read. Import it again.")
            }
            try await ctx.adopt(prepared)
            try await TaskNumbers.assign(workspace: scope.access.workspaceID, inOrder: taskIDs, ctx: ctx)
            ctx.record(WorkEvent.tasksImported, workspace: scope.access.workspaceID, actor: scope.access.userID, subject: .project(scope.projectID),
                       data: ["count": String(count), "project": scope.project.name, EventVisibility.bulkKey: importID.uuidString])
        }
        // A bulk load can change which index is best for every later list query.
        try await store.refreshPlannerStatistics(tables: [WorkTask.schema, TaskTag.schema, TaskWatcher.schema, TaskFieldValue.schema])
        return ImportResultDTO(dryRun: false, validRows: count, problems: [], created: count)
    }

    private static func changes(for row: TaskImport.Row, stageIDs: [String: UUID], members: [String: String]) -> TaskChanges {
        var changes = TaskChanges(title: row.title, description: row.description)
        if let email = row.assigneeEmail, let id = members[email].flatMap(UUID.init(uuidString:)) { changes.assigneeID = .some(id) }
        if let stage = row.stage { changes.stageID = stageIDs[stage] }
        changes.priority = row.priority
        if let due = row.due { changes.dueAt = .some(due) }
        if !row.tags.isEmpty { changes.tags = row.tags }
        if !row.customFields.isEmpty {
            changes.customFields = row.customFields.mapValues { value in value.map { FieldInput.string($0) } ?? .null }
        }
        return changes
    }

    /// Active members' emails → user ids (as strings).
    static func memberEmails(_ access: WorkspaceAccess, on db: any Database) async throws -> [String: String] {
        let members = try await Tenancy.query(access, Membership.self, on: db).filter(\.$deactivatedAt == nil).with(\.$user).all()
        return Dictionary(members.map { ($0.user.email.lowercased(), $0.$user.id.uuidString) }, uniquingKeysWith: { first, _ in first })
    }

    /// The CSV of a task list: the same columns the import reads, so an export re-imports cleanly.
    static func exportCSV(_ scope: WorkScope.ProjectAccess, query: TaskListQuery, on db: any Database) async throws -> String {
        guard scope.access.role != .guest else { throw BatonError.forbidden("Guests cannot export a project's tasks.") }
        let stages = try await Stage.query(on: db).filter(\.$projectID == scope.projectID).all()
        let stageNames = Dictionary(stages.compactMap { stage in stage.id.map { ($0, stage.name) } }, uniquingKeysWith: { first, _ in first })
        let fields = try await CustomField.query(on: db).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let emails = Dictionary(try await memberEmails(scope.access, on: db).map { ($0.value, $0.key) }, uniquingKeysWith: { first, _ in first })
        var rows: [[String]] = [["title", "description", "assignee email", "stage", "priority", "due", "tags"] + fields.map(\.name)]
        var page = query
        page.limit = PageSize.maximum
        while true {
            let result = try await page.page(projectID: scope.projectID, on: db)
            for task in result.data {
                var row = [task.title, task.description, task.assigneeId.flatMap { emails[$0.uuidString] } ?? "",
                           stageNames[task.stageId] ?? "", task.priority.rawValue, TaskImport.formatDue(task.dueAt),
                           task.tags.joined(separator: ";")]
                for field in fields {
                    let value = task.customFields[field.name] ?? ""
                    row.append(field.type == .person ? (emails[value] ?? value) : value)
                }
                rows.append(row)
            }
            guard let next = result.nextCursor, let cursor = TaskSort.Cursor(next) else { break }
            // A page that ends where the last one did would repeat forever: say so instead.
            guard page.cursor.map({ $0.encoded != cursor.encoded }) ?? true else {
                throw BatonError(.internalServerError, code: "internal", message: "The export stopped advancing at \(rows.count - 1) rows.")
            }
            page.cursor = cursor
        }
        return CSV.format(rows)
    }
}

/// What creating many tasks in one transaction needs once, not per task. Two loads compare
/// equal when the project's stages, fields and active members are the same.
struct WorkCache: Sendable, Equatable {
    let stages: [Stage]
    let fields: [CustomField]
    /// Active members' ids, lowercased.
    let members: Set<String>

    static func load(_ scope: WorkScope.ProjectAccess, on db: any Database) async throws -> WorkCache {
        WorkCache(
            stages: try await WorkService.stages(of: scope.projectID, on: db),
            fields: try await CustomField.query(on: db).filter(\.$projectID == scope.projectID).sort(\.$position).all(),
            members: Set(try await Tenancy.query(scope.access, Membership.self, on: db).filter(\.$deactivatedAt == nil).all()
                .map { $0.$user.id.uuidString.lowercased() }))
    }

    static func == (lhs: WorkCache, rhs: WorkCache) -> Bool {
        lhs.members == rhs.members
            && lhs.stages.map { [$0.id?.uuidString, $0.name, $0.category.rawValue] } == rhs.stages.map { [$0.id?.uuidString, $0.name, $0.category.rawValue] }
            && lhs.fields.map { [$0.id?.uuidString, $0.name, $0.type.rawValue, $0.options, $0.currency] }
                == rhs.fields.map { [$0.id?.uuidString, $0.name, $0.type.rawValue, $0.options, $0.currency] }
    }
}
