import Fluent
import Vapor
import BatonCore

/// JSON routes for projects, stages, fields, tasks, handoffs, comments and history.
struct WorkAPI {
    func register(_ api: APIRoutes) {
        let routes = api.signedIn
        let workspace = api.workspace.grouped("projects")
        workspace.get(use: listProjects)
        workspace.post(use: createProject)

        let project = routes.grouped("projects", ":projectID")
        project.get(use: showProject)
        project.patch(use: updateProject)
        project.post("members", use: addProjectMember)
        project.post("archive", use: archiveProject)
        project.post("restore", use: restoreProject)
        project.post("stages", use: createStage)
        project.put("stages", "order", use: reorderStages)
        project.patch("stages", ":stageID", use: updateStage)
        project.delete("stages", ":stageID", use: removeStage)
        project.post("fields", use: createField)
        project.get("tasks", use: listTasks)
        project.post("tasks", use: createTask)
        project.post("tasks", "bulk", use: bulk)
        project.upload("tasks", "import", upTo: 64 << 20, use: importTasks)
        project.get("tasks", "export.csv", use: exportTasks)

        let task = routes.grouped("tasks", ":taskID")
        task.get(use: showTask)
        task.patch(use: updateTask)
        task.post("accept", use: accept)
        task.post("clarification", use: clarify)
        task.post("checklist", use: addChecklistItem)
        task.patch("checklist", ":itemID", use: changeChecklistItem)
        task.post("checkpoints", use: addCheckpoint)
        task.post("checkpoints", ":checkpointID", "review", use: reviewCheckpoint)
        task.get("comments", use: listComments)
        task.post("comments", use: comment)
        task.get("history", use: history)

        routes.get("dashboards", "manager", ":userID", use: managerDashboard)
        routes.get("dashboards", "projects", ":projectID", use: projectDashboard)
    }

    // MARK: dashboards

    /// `?workspace_id=` picks the workspace; by default the first one the caller and the manager share.
    func managerDashboard(req: Request) async throws -> DashboardDTO {
        let principal = try req.principal()
        let managerID = try req.uuidParameter("userID", label: "Manager")
        let access: WorkspaceAccess
        if let id = try req.queryID("workspace_id") {
            access = try await Tenancy.access(id, for: principal.userID, on: req.reader)
        } else {
            guard let shared = try await Tenancy.sharedAccess(with: managerID, for: principal.userID, on: req.reader) else {
                throw BatonError.notFound("Manager")
            }
            access = shared
        }
        let cover = try Self.cover(req)
        let now = req.application.clock.now()
        return try await req.store.snapshot(on: req.eventLoop) { db in
            try await DashboardQueries.manager(access, managerID: managerID, cover: cover, timeZone: principal.timeZone, now: now, on: db)
        }
    }

    /// `?cover=` delegated, reports or both (the default).
    static func cover(_ req: Request) throws -> DashboardQueries.Cover {
        guard let raw = req.queryText("cover"), !raw.isEmpty else { return .both }
        guard let cover = DashboardQueries.Cover(rawValue: raw) else {
            throw BatonError.validation("cover", "cover is delegated, reports or both.")
        }
        return cover
    }

    func projectDashboard(req: Request) async throws -> DashboardDTO {
        let scope = try await projectScope(req)
        let (timeZone, now) = (try req.principal().timeZone, req.application.clock.now())
        return try await req.store.snapshot(on: req.eventLoop) { db in
            try await DashboardQueries.project(scope, timeZone: timeZone, now: now, on: db)
        }
    }

    private func projectScope(_ req: Request) async throws -> WorkScope.ProjectAccess {
        try await WorkScope.project(id: try req.uuidParameter("projectID", label: "Project"), for: try req.principal().userID, on: req.reader)
    }

    private func taskID(_ req: Request) throws -> UUID { try req.uuidParameter("taskID", label: "Task") }

    /// The task and its parts, read as of one moment.
    private func detail(_ req: Request, _ taskID: UUID, status: HTTPResponseStatus = .ok) async throws -> Response {
        let userID = try req.principal().userID
        return JSONText.response(try await req.store.snapshot(on: req.eventLoop, point: true) { db in
            let (task, _) = try await WorkScope.task(id: taskID, for: userID, on: db)
            return try await WorkQueries.detail(task, on: db)
        }, status: status)
    }

    // MARK: projects

    func listProjects(req: Request) async throws -> ListPage<ProjectDTO> {
        let access = try await req.workspaceAccess()
        var projects: [ProjectDTO] = []
        for project in try await WorkQueries.projects(access, on: req.reader) {
            projects.append(try await WorkQueries.project(try await WorkScope.project(access, id: project.requireID(), on: req.reader), on: req.reader))
        }
        return ListPage(data: projects, nextCursor: nil)
    }

    func createProject(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let body = try PatchReader.body(req)
        guard let name = try body.string("name") else { throw BatonError.validation("name", "name is required.") }
        let project = try await req.work.createProject(access, .init(
            name: name, description: try body.string("description") ?? "", leadID: try body.uuid("lead_id"),
            memberIDs: try body.uuids("member_ids") ?? []))
        let scope = try await WorkScope.project(access, id: try project.requireID(), on: req.reader)
        return try await WorkQueries.project(scope, on: req.reader).encodeResponse(status: .created, for: req)
    }

    func showProject(req: Request) async throws -> ProjectDTO {
        try await WorkQueries.project(try await projectScope(req), on: req.reader)
    }

    func updateProject(req: Request) async throws -> ProjectDTO {
        let scope = try await projectScope(req)
        let body = try PatchReader.body(req)
        _ = try await req.work.updateProject(scope, name: try body.string("name"), description: try body.string("description"),
                                             leadID: try body.uuid("lead_id"))
        return try await WorkQueries.project(try await projectScope(req), on: req.reader)
    }

    func archiveProject(req: Request) async throws -> ProjectDTO { try await setArchived(req, true) }
    func restoreProject(req: Request) async throws -> ProjectDTO { try await setArchived(req, false) }

    private func setArchived(_ req: Request, _ archived: Bool) async throws -> ProjectDTO {
        var scope = try await projectScope(req)
        scope = WorkScope.ProjectAccess(access: scope.access, project: try await req.work.setProjectArchived(scope, archived), projectID: scope.projectID)
        return try await WorkQueries.project(scope, on: req.reader)
    }

    func addProjectMember(req: Request) async throws -> ProjectDTO {
        let scope = try await projectScope(req)
        guard let userID = try PatchReader.body(req).uuid("user_id") else { throw BatonError.validation("user_id", "user_id is required.") }
        try await req.work.addProjectMember(scope, userID: userID)
        return try await WorkQueries.project(scope, on: req.reader)
    }

    // MARK: stages and fields

    private func stageInput(_ body: PatchReader) throws -> WorkService.StageInput {
        .init(name: try body.string("name"), color: try body.string("color"),
              category: try body.enumValue("category", StageCategory.self, allowed: "todo, in_progress, blocked, done"))
    }

    func createStage(req: Request) async throws -> Response {
        let stage = try await req.work.createStage(try await projectScope(req), try stageInput(try PatchReader.body(req)))
        return try await StageDTO(stage).encodeResponse(status: .created, for: req)
    }

    func updateStage(req: Request) async throws -> StageDTO {
        let stageID = try req.uuidParameter("stageID", label: "Stage")
        return try StageDTO(try await req.work.updateStage(try await projectScope(req), stageID: stageID, try stageInput(try PatchReader.body(req))))
    }

    func reorderStages(req: Request) async throws -> ProjectDTO {
        let scope = try await projectScope(req)
        guard let order = try PatchReader.body(req).uuids("stage_ids") else { throw BatonError.validation("stage_ids", "stage_ids is required.") }
        try await req.work.reorderStages(scope, order: order)
        return try await WorkQueries.project(scope, on: req.reader)
    }

    func removeStage(req: Request) async throws -> HTTPStatus {
        let scope = try await projectScope(req)
        let stageID = try req.uuidParameter("stageID", label: "Stage")
        var moveTo: UUID?
        if let raw = req.queryText("move_to"), !raw.isEmpty {
            guard let id = UUID(uuidString: raw) else { throw BatonError.validation("move_to", "move_to must be a stage id.") }
            moveTo = id
        }
        try await req.work.removeStage(scope, stageID: stageID, moveTo: moveTo)
        return .noContent
    }

    func createField(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        let body = try PatchReader.body(req)
        guard let name = try body.string("name") else { throw BatonError.validation("name", "name is required.") }
        guard let type = try body.enumValue("type", CustomFieldType.self, allowed: CustomFieldType.allCases.map(\.rawValue).joined(separator: ", ")) else {
            throw BatonError.validation("type", "type is required.")
        }
        let field = try await req.work.createField(scope, name: name, type: type, options: try body.strings("options") ?? [],
                                                   currency: try body.string("currency"))
        return try await FieldDTO(field).encodeResponse(status: .created, for: req)
    }

    // MARK: tasks

    func listTasks(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        return JSONText.response(try await TaskListQuery(req, me: scope.access.userID)
            .page(projectID: scope.projectID, withCustomFields: scope.hasCustomFields, on: req.reader))
    }

    func createTask(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        let task = try await req.work.createTask(scope, try TaskChanges(try PatchReader.body(req)))
        return try await detail(req, try task.requireID(), status: .created)
    }

    func showTask(req: Request) async throws -> Response {
        try await detail(req, try taskID(req))
    }

    func updateTask(req: Request) async throws -> Response {
        let body = try PatchReader.body(req)
        guard let version = try body.int("version") else {
            throw BatonError.validation("version", "version is required: send the version you last read.")
        }
        let task = try await req.work.updateTask(try taskID(req), for: try req.principal().userID, version: version, try TaskChanges(body))
        // The service checked the caller's access a moment ago; the task in hand is what was committed.
        return JSONText.response(try await WorkQueries.detail(task, on: req.pointReader))
    }

    func accept(req: Request) async throws -> Response {
        let id = try taskID(req)
        _ = try await req.work.acceptHandoff(id, by: try req.principal().userID)
        return try await detail(req, id)
    }

    func clarify(req: Request) async throws -> Response {
        let id = try taskID(req)
        let question = try PatchReader.body(req).string("question") ?? ""
        _ = try await req.work.askClarification(id, by: try req.principal().userID, question: question)
        return try await detail(req, id)
    }

    func addChecklistItem(req: Request) async throws -> Response {
        let id = try taskID(req)
        let item = try await req.work.addChecklistItem(id, by: try req.principal().userID, text: try PatchReader.body(req).string("text") ?? "")
        return try await ChecklistItemDTO(item).encodeResponse(status: .created, for: req)
    }

    func changeChecklistItem(req: Request) async throws -> ChecklistItemDTO {
        let body = try PatchReader.body(req)
        let change: WorkService.ChecklistChange
        let checked = try body.bool("checked")
        if let reason = try body.string("waived_reason") {
            guard checked == nil else {
                throw BatonError.validation("waived_reason", "Send checked or waived_reason, not both: a waived item is not checked.")
            }
            change = .waive(reason: reason)
        } else if let checked {
            change = checked ? .check : .uncheck
        } else {
            throw BatonError.validation("checked", "Send checked (true/false) or waived_reason.")
        }
        return try ChecklistItemDTO(try await req.work.changeChecklistItem(
            try taskID(req), itemID: try req.uuidParameter("itemID", label: "Acceptance item"), by: try req.principal().userID, change))
    }

    func addCheckpoint(req: Request) async throws -> Response {
        let body = try PatchReader.body(req)
        guard case .some(.some(let due)) = try body.nullableDate("due_at") else { throw BatonError.validation("due_at", "due_at is required.") }
        let checkpoint = try await req.work.addCheckpoint(try taskID(req), by: try req.principal().userID,
                                                          title: try body.string("title") ?? "", dueAt: due)
        return try await CheckpointDTO(checkpoint).encodeResponse(status: .created, for: req)
    }

    func reviewCheckpoint(req: Request) async throws -> CheckpointDTO {
        let body = try PatchReader.body(req)
        guard let status = try body.enumValue("status", CheckpointStatus.self, allowed: "on_track, at_risk, off_track") else {
            throw BatonError.validation("status", "status is required.")
        }
        return try CheckpointDTO(try await req.work.reviewCheckpoint(
            try taskID(req), checkpointID: try req.uuidParameter("checkpointID", label: "Checkpoint"), by: try req.principal().userID,
            status: status, note: try body.string("note") ?? ""))
    }

    func listComments(req: Request) async throws -> ListPage<CommentDTO> {
        let (task, _) = try await WorkScope.task(id: try taskID(req), for: try req.principal().userID, on: req.reader)
        let comments = try await TaskComment.query(on: req.reader).filter(\.$taskID == task.requireID()).sort(\.$createdAt).all()
        return ListPage(data: try comments.map(CommentDTO.init), nextCursor: nil)
    }

    func comment(req: Request) async throws -> Response {
        let comment = try await req.work.comment(try taskID(req), by: try req.principal().userID,
                                                 body: try PatchReader.body(req).string("body") ?? "")
        return try await CommentDTO(comment).encodeResponse(status: .created, for: req)
    }

    func history(req: Request) async throws -> ListPage<HistoryEntryDTO> {
        let (task, _) = try await WorkScope.task(id: try taskID(req), for: try req.principal().userID, on: req.reader)
        return ListPage(data: try await WorkQueries.history(task, in: req.application.modules.events, timeZone: try req.principal().timeZone, on: req.reader), nextCursor: nil)
    }

    /// Body: the CSV file itself (text/csv). `?dry_run=true` checks every row and writes nothing.
    func importTasks(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        guard let buffer = req.body.data, let text = buffer.getString(at: buffer.readerIndex, length: buffer.readableBytes) else {
            throw BatonError.validation("file", "Send the CSV file as the request body.")
        }
        let dryRun = ["true", "1", "yes"].contains(req.queryText("dry_run")?.lowercased() ?? "")
        let result = try await req.work.importTasks(scope, csv: text, dryRun: dryRun)
        return try await result.encodeResponse(status: dryRun ? .ok : .created, for: req)
    }

    func exportTasks(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        let csv = try await WorkService.exportCSV(scope, query: try TaskListQuery(req, me: scope.access.userID), on: req.reader)
        var headers = HTTPHeaders()
        headers.contentType = HTTPMediaType(type: "text", subType: "csv", parameters: ["charset": "utf-8"])
        headers.add(name: .contentDisposition, value: ContentDisposition.attachment(filename: scope.project.name + ".csv"))
        return Response(status: .ok, headers: headers, body: .init(string: csv))
    }

    func bulk(req: Request) async throws -> Response {
        let scope = try await projectScope(req)
        let body = try PatchReader.body(req)
        guard let ids = try body.uuids("task_ids") else { throw BatonError.validation("task_ids", "task_ids is required.") }
        guard let changes = try body.objectReader("changes") else { throw BatonError.validation("changes", "changes is required.") }
        let skip = try body.bool("skip_failing") ?? false
        let tasks: [WorkTask]
        do {
            tasks = try await req.work.bulkUpdate(scope, taskIDs: ids, try .bulk(changes), skipFailing: skip)
        } catch let refused as BulkRefused {
            throw BatonError.validation("task_ids", refused.message)
        }
        return JSONText.response(ListPage(data: try await WorkQueries.dtos(tasks, on: req.reader), nextCursor: nil))
    }
}
