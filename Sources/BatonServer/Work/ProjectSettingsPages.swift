import Fluent
import Vapor
import BatonCore

/// A project's settings: stages (add, rename, recolour, reorder, remove), custom fields, CSV in and out.
struct ProjectSettingsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(WorkPaths.settings.inWorkspace, use: settingsPage)
        routes.post(WorkPaths.stages.inWorkspace, use: addStage)
        routes.post(WorkPaths.stage.inWorkspace, use: updateStage)
        routes.post(WorkPaths.moveStage.inWorkspace, use: moveStage)
        routes.post(WorkPaths.removeStage.inWorkspace, use: removeStage)
        routes.post(WorkPaths.fields.inWorkspace, use: addField)
        routes.upload(WorkPaths.importCSV.inWorkspace, upTo: 64 << 20, use: importCSV)
    }

    typealias Option = WorkPages.Option

    struct StageRow: Encodable { let id: UUID; let name: String; let color: String; let categoryOptions: [Option]; let moveTargets: [Option]; let first: Bool; let last: Bool }
    struct FieldRow: Encodable { let name: String; let type: String; let options: String }
    struct SettingsContext: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let projectName: String
        let canManage: Bool
        let stages: [StageRow]
        let fields: [FieldRow]
        let fieldTypes: [Option]
        let importResult: ImportResultDTO?
        /// Other modules' sections of a project's settings (subject `project-settings`).
        let panels: [String]
    }

    private func scope(_ req: Request) async throws -> WorkScope.ProjectAccess {
        try await WorkScope.project(try await req.workspaceAccess(), id: try req.uuidParameter("projectID", label: "Project"), on: req.reader)
    }

    private func render(_ req: Request, errors: [String: String] = [:], result: ImportResultDTO? = nil,
                        status: HTTPResponseStatus = .ok) async throws -> Response {
        let scope = try await scope(req)
        guard scope.access.role != .guest else { throw BatonError.forbidden("A project's settings are the team's; guests work on their tasks.") }
        let stages = try await Stage.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let fields = try await CustomField.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all()
        let rows = try stages.enumerated().map { index, stage in
            StageRow(id: try stage.requireID(), name: stage.name, color: stage.color,
                     categoryOptions: StageCategory.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " ").capitalized, selected: $0 == stage.category) },
                     moveTargets: stages.filter { $0.id != stage.id }.compactMap { other in other.id.map { Option(value: $0.uuidString, label: other.name, selected: false) } },
                     first: index == 0, last: index == stages.count - 1)
        }
        let context = SettingsContext(
            workspaceId: scope.access.workspaceID, projectId: scope.projectID, projectName: scope.project.name, canManage: scope.canManage,
            stages: rows, fields: fields.map { FieldRow(name: $0.name, type: $0.type.rawValue.replacingOccurrences(of: "_", with: " "),
                                                        options: $0.optionList.joined(separator: ", ") + ($0.currency ?? "")) },
            fieldTypes: CustomFieldType.allCases.map { Option(value: $0.rawValue, label: $0.rawValue.replacingOccurrences(of: "_", with: " ").capitalized, selected: false) },
            importResult: result,
            panels: try await req.application.modules.panels(.init(req: req, access: scope.access, subjectType: "project-settings",
                                                                   subjectID: scope.projectID)))
        var page = Page(title: "\(scope.project.name) · Settings", layout: try await PageRenderer.layout(for: req, workspace: scope.access, nav: "work"), page: context)
        page.errors = errors
        return try await PageRenderer.render("work/settings", page, for: req, status: status)
    }

    func settingsPage(req: Request) async throws -> Response { try await render(req) }

    /// Runs a change; a refusal re-renders the page with the message under `key`.
    private func act(_ req: Request, key: String, notice: String, _ action: (WorkScope.ProjectAccess) async throws -> Void) async throws -> Response {
        let scope = try await scope(req)
        do {
            try await action(scope)
            return PageRenderer.redirect(req, to: WorkPaths.settings.url(scope.access.workspaceID, scope.projectID), notice: notice)
        } catch let error as BatonError where [.unprocessableEntity, .conflict, .forbidden].contains(error.status) {
            return try await render(req, errors: [key: error.message], status: error.status)
        }
    }

    func addStage(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, key: "new_stage", notice: "Stage added.") { scope in
            _ = try await req.work.createStage(scope, .init(name: form["name"], color: form["color"],
                                                            category: form["category"].flatMap(StageCategory.init(rawValue:))))
        }
    }

    func updateStage(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let stageID = try req.uuidParameter("stageID", label: "Stage")
        return try await act(req, key: "stage_error", notice: "Stage saved.") { scope in
            _ = try await req.work.updateStage(scope, stageID: stageID, .init(name: form["name"], color: form["color"],
                                                                             category: form["category"].flatMap(StageCategory.init(rawValue:))))
        }
    }

    func moveStage(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let stageID = try req.uuidParameter("stageID", label: "Stage")
        return try await act(req, key: "stage_error", notice: "Stages reordered.") { scope in
            var order = try await Stage.query(on: req.reader).filter(\.$projectID == scope.projectID).sort(\.$position).all().compactMap(\.id)
            guard let index = order.firstIndex(of: stageID) else { throw BatonError.notFound("Stage") }
            let target = form["direction"] == "up" ? index - 1 : index + 1
            guard order.indices.contains(target) else { return }
            order.swapAt(index, target)
            try await req.work.reorderStages(scope, order: order)
        }
    }

    func removeStage(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        let stageID = try req.uuidParameter("stageID", label: "Stage")
        return try await act(req, key: "stage_error", notice: "Stage removed.") { scope in
            try await req.work.removeStage(scope, stageID: stageID, moveTo: form["move_to"].flatMap(UUID.init(uuidString:)))
        }
    }

    func addField(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        return try await act(req, key: "new_field", notice: "Field added.") { scope in
            guard let type = form["type"].flatMap(CustomFieldType.init(rawValue:)) else { throw BatonError.validation("type", "Choose a type.") }
            _ = try await req.work.createField(scope, name: form["name"] ?? "", type: type,
                                               options: (form["options"] ?? "").split(separator: ",").map(String.init),
                                               currency: form["currency"]?.isEmpty == false ? form["currency"] : nil)
        }
    }

    struct ImportForm: Content {
        let file: File
        let dryRun: String?
        enum CodingKeys: String, CodingKey { case file, dryRun = "dry_run" }
    }

    func importCSV(req: Request) async throws -> Response {
        let scope = try await scope(req)
        let form = try req.content.decode(ImportForm.self)
        guard let text = form.file.data.getString(at: form.file.data.readerIndex, length: form.file.data.readableBytes) else {
            return try await render(req, errors: ["file": "The file is not UTF-8 text."], status: .unprocessableEntity)
        }
        do {
            let result = try await req.work.importTasks(scope, csv: text, dryRun: form.dryRun == "on")
            if result.dryRun { return try await render(req, result: result) }
            return PageRenderer.redirect(req, to: WorkPaths.table.url(scope.access.workspaceID, scope.projectID),
                                         notice: "Imported \(result.created) tasks.")
        } catch let error as BatonError where error.status == .unprocessableEntity || error.status == .forbidden {
            return try await render(req, errors: ["file": error.message], status: error.status)
        }
    }
}
