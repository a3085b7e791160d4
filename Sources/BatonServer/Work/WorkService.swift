import Fluent
import Vapor
import BatonCore

/// The only way Work state changes: projects, stages, fields (here), tasks (WorkService+Tasks),
/// checklists, checkpoints, comments (WorkService+Handoff) and bulk edits.
struct WorkService: Sendable {
    let store: Store

    // MARK: projects

    struct ProjectInput: Sendable {
        var name: String
        var description = ""
        var leadID: UUID?
        var memberIDs: [UUID] = []
    }

    func createProject(_ access: WorkspaceAccess, _ input: ProjectInput) async throws -> Project {
        guard access.role != .guest else { throw BatonError.forbidden("Guests cannot create projects.") }
        let name = try DisplayText.validate(input.name, label: "Project name", max: 100).orFail(field: "name")
        let description = try DisplayText.validate(input.description, label: "Description", max: 5000, required: false, lines: true).orFail(field: "description")
        return try await store.write { ctx in
            try await Self.requireFreeProjectName(name, in: access, ctx: ctx)
            let lead = input.leadID ?? access.userID
            try await Self.requireActiveMember(access, lead, field: "lead_id", ctx: ctx)
            let project = Project()
            project.workspaceID = access.workspaceID
            project.name = name
            project.description = description
            project.leadID = lead
            project.createdAt = ctx.now
            try await project.create(on: ctx.db)
            let projectID = try project.requireID()
            ctx.record(WorkEvent.projectCreated, workspace: access.workspaceID, actor: access.userID, subject: .project(projectID),
                       data: ["name": name])
            for (position, template) in DefaultStages.all.enumerated() {
                let stage = Stage()
                stage.projectID = projectID
                stage.name = template.name
                stage.color = template.color
                stage.category = template.category
                stage.position = position
                try await stage.create(on: ctx.db)
            }
            for userID in Array(Set([access.userID, lead] + input.memberIDs)) {
                try await Self.requireActiveMember(access, userID, field: "member_ids", ctx: ctx)
                try await Self.addMember(project: project, userID: userID, actor: access.userID, ctx: ctx)
            }
            return project
        }
    }

    func updateProject(_ scope: WorkScope.ProjectAccess, name rawName: String?, description rawDescription: String?,
                       leadID: UUID?) async throws -> Project {
        try scope.requireManage()
        let name = try rawName.map { try DisplayText.validate($0, label: "Project name", max: 100).orFail(field: "name") }
        let description = try rawDescription.map {
            try DisplayText.validate($0, label: "Description", max: 5000, required: false, lines: true).orFail(field: "description")
        }
        return try await store.write { ctx in
            guard let project = try await Project.find(scope.projectID, on: ctx.db) else { throw BatonError.notFound("Project") }
            let subject = EventSubject.project(scope.projectID)
            if let name, name != project.name {
                try await Self.requireFreeProjectName(name, in: scope.access, ctx: ctx)
                ctx.record(WorkEvent.projectUpdated, workspace: project.workspaceID, actor: scope.access.userID, subject: subject,
                           data: ["field": "name", "from": project.name, "to": name])
                project.name = name
            }
            if let description, description != project.description {
                ctx.record(WorkEvent.projectUpdated, workspace: project.workspaceID, actor: scope.access.userID, subject: subject,
                           data: ["field": "description"])
                project.description = description
            }
            if let leadID, leadID != project.leadID {
                try await Self.requireActiveMember(scope.access, leadID, field: "lead_id", ctx: ctx)
                ctx.record(WorkEvent.projectUpdated, workspace: project.workspaceID, actor: scope.access.userID, subject: subject,
                           data: ["field": "lead", "from": project.leadID?.uuidString ?? "", "to": leadID.uuidString])
                project.leadID = leadID
                if try await !WorkScope.isProjectMember(leadID, of: scope.projectID, on: ctx.db) {
                    try await Self.addMember(project: project, userID: leadID, actor: scope.access.userID, ctx: ctx)
                }
            }
            try await project.save(on: ctx.db)
            return project
        }
    }

    /// An archived project leaves the lists and takes no new work; its tasks and history stay, and
    /// restoring brings it back as it was.
    func setProjectArchived(_ scope: WorkScope.ProjectAccess, _ archived: Bool) async throws -> Project {
        try scope.requireManage()
        return try await store.write { ctx in
            guard let project = try await Project.find(scope.projectID, on: ctx.db) else { throw BatonError.notFound("Project") }
            guard (project.archivedAt != nil) != archived else {
                throw BatonError.conflict(nil, archived ? "This project is archived already." : "This project is not archived.")
            }
            project.archivedAt = archived ? ctx.now : nil
            try await project.save(on: ctx.db)
            ctx.record(archived ? WorkEvent.projectArchived : .projectRestored, workspace: project.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["name": project.name])
            return project
        }
    }

    func addProjectMember(_ scope: WorkScope.ProjectAccess, userID: UUID) async throws {
        try scope.requireManage()
        try await store.write { ctx in
            try await Self.requireActiveMember(scope.access, userID, field: "user_id", ctx: ctx)
            if try await WorkScope.isProjectMember(userID, of: scope.projectID, on: ctx.db) {
                throw BatonError.conflict("user_id", "Already a member of this project.")
            }
            try await Self.addMember(project: scope.project, userID: userID, actor: scope.access.userID, ctx: ctx)
        }
    }

    private static func requireFreeProjectName(_ name: String, in access: WorkspaceAccess, ctx: WriteContext) async throws {
        if try await Tenancy.query(access, Project.self, on: ctx.db).filter(\.$name == name).count() > 0 {
            throw BatonError.conflict("name", "A project called \(name) already exists.")
        }
    }

    // MARK: stages

    struct StageInput: Sendable {
        var name: String?
        var color: String?
        var category: StageCategory?
    }

    func createStage(_ scope: WorkScope.ProjectAccess, _ input: StageInput) async throws -> Stage {
        try scope.requireManage()
        let name = try DisplayText.validate(input.name ?? "", label: "Stage name", max: 60).orFail(field: "name")
        let color = try Self.color(input.color ?? "#8a94a6")
        return try await store.write { ctx in
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            try Self.requireFreeStageName(name, among: stages)
            let stage = Stage()
            stage.projectID = scope.projectID
            stage.name = name
            stage.color = color
            stage.category = input.category ?? .inProgress
            stage.position = (stages.map(\.position).max() ?? -1) + 1
            try await stage.create(on: ctx.db)
            ctx.record(WorkEvent.stageCreated, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["name": name, "stage_id": try stage.requireID().uuidString])
            return stage
        }
    }

    /// Renaming or recolouring; a new category is copied to the stage's tasks in the same transaction.
    func updateStage(_ scope: WorkScope.ProjectAccess, stageID: UUID, _ input: StageInput) async throws -> Stage {
        try scope.requireManage()
        let name = try input.name.map { try DisplayText.validate($0, label: "Stage name", max: 60).orFail(field: "name") }
        let color = try input.color.map(Self.color)
        return try await store.write { ctx in
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            guard let stage = stages.first(where: { $0.id == stageID }) else { throw BatonError.notFound("Stage") }
            if let name { try Self.requireFreeStageName(name, among: stages.filter { $0.id != stageID }) }
            var data = ["name": name ?? stage.name, "stage_id": stageID.uuidString]
            if let name { data["from_name"] = stage.name; stage.name = name }
            if let color { stage.color = color }
            if let category = input.category, category != stage.category {
                try Self.requireAnotherDoneStage(besides: stage, among: stages, field: "category")
                data["category"] = category.rawValue
                try await Self.recategorize(stage, to: category, scope: scope, ctx: ctx)
            }
            try await stage.save(on: ctx.db)
            ctx.record(WorkEvent.stageUpdated, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: data)
            return stage
        }
    }

    /// A stage's tasks follow its new category one by one, as if each had been moved: each gets
    /// its event, version and completion time, and a stage becomes done only if every task in it
    /// may be done (otherwise 422 saying how many may not, and which items hold them).
    private static func recategorize(_ stage: Stage, to category: StageCategory, scope: WorkScope.ProjectAccess,
                                     ctx: WriteContext) async throws {
        let actor = scope.access.userID
        let before = Stage()
        before.id = stage.id
        before.name = stage.name
        before.category = stage.category
        stage.category = category
        let tasks = try await PlainSQL.all(WorkTask.self, on: ctx.db, "SELECT * FROM tasks WHERE stage_id = \(bind: try stage.requireID())")
        if category == .done {
            try TaskReview.requireStageChangeMayComplete(tasks, scope: scope)
            var held: [(title: String, items: [String])] = []
            for task in tasks where task.stageCategory != .done {
                let open = try await openAcceptanceItems(of: try task.requireID(), ctx: ctx)
                if !open.isEmpty { held.append((task.title, open)) }
            }
            if !held.isEmpty {
                throw BatonError.validation("category", StageRules.recategorizeRefusal(held))
            }
        }
        for task in tasks {
            let readAtVersion = task.version
            try await moveStage(task, from: before, to: stage, actor: actor, ctx: ctx, field: "category")
            try await GuardedTaskSave.saveNextVersion(task, readAtVersion: readAtVersion, ctx: ctx)
        }
    }

    func reorderStages(_ scope: WorkScope.ProjectAccess, order: [UUID]) async throws {
        try scope.requireManage()
        try await store.write { ctx in
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            guard Set(order) == Set(stages.compactMap(\.id)), order.count == stages.count else {
                throw BatonError.validation("stage_ids", "List every stage of the project exactly once.")
            }
            for stage in stages {
                stage.position = order.firstIndex(of: stage.id!)!
                try await stage.save(on: ctx.db)
            }
            ctx.record(WorkEvent.stagesReordered, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["order": order.map(\.uuidString).joined(separator: ",")])
        }
    }

    /// Removes a stage after moving its tasks to `moveTo` (each move is recorded on the task).
    func removeStage(_ scope: WorkScope.ProjectAccess, stageID: UUID, moveTo: UUID?) async throws {
        try scope.requireManage()
        try await store.write { ctx in
            let stages = try await Self.stages(of: scope.projectID, ctx: ctx)
            guard let stage = stages.first(where: { $0.id == stageID }) else { throw BatonError.notFound("Stage") }
            guard stages.count > 1 else { throw BatonError.validation("stage_id", "A project needs at least one stage.") }
            try Self.requireAnotherDoneStage(besides: stage, among: stages, field: "stage_id")
            let tasks = try await WorkTask.query(on: ctx.db).filter(\.$stageID == stageID).all()
            if !tasks.isEmpty {
                guard let moveTo else { throw BatonError.validation("move_to", "Choose the stage its \(tasks.count) tasks move to.") }
                guard let target = stages.first(where: { $0.id == moveTo && $0.id != stageID }) else {
                    throw BatonError.validation("move_to", "Choose another stage of this project.")
                }
                // into a done stage only what may be done: items checked or waived, and accepted where the level asks
                if target.category == .done { try TaskReview.requireStageChangeMayComplete(tasks, scope: scope) }
                for task in tasks {
                    let readAtVersion = task.version
                    try await Self.moveStage(task, from: stage, to: target, actor: scope.access.userID, ctx: ctx, field: "move_to")
                    TaskReview.settleStageMove(task, to: target, actor: scope.access.userID, ctx: ctx)
                    try await GuardedTaskSave.saveNextVersion(task, readAtVersion: readAtVersion, ctx: ctx)
                }
            }
            try await stage.delete(on: ctx.db)
            ctx.record(WorkEvent.stageRemoved, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID),
                       data: ["name": stage.name, "moved_to": stages.first { $0.id == moveTo }?.name ?? ""])
        }
    }

    private static func requireFreeStageName(_ name: String, among stages: [Stage]) throws {
        if stages.contains(where: { $0.name.lowercased() == name.lowercased() }) {
            throw BatonError.conflict("name", "This project already has a stage called \(name).")
        }
    }

    /// A done stage may stop being one (or go) only if the project keeps another.
    private static func requireAnotherDoneStage(besides stage: Stage, among stages: [Stage], field: String) throws {
        if stage.category == .done, !stages.contains(where: { $0.id != stage.id && $0.category == .done }) {
            throw BatonError.validation(field, "A project needs at least one done stage.")
        }
    }

    // MARK: custom fields

    func createField(_ scope: WorkScope.ProjectAccess, name rawName: String, type: CustomFieldType, options: [String],
                     currency: String?) async throws -> CustomField {
        try scope.requireManage()
        let name = try DisplayText.validate(rawName, label: "Field name", max: 60).orFail(field: "name")
        let cleaned = options.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if let problem = DisplayText.problem(inEach: cleaned) {
            throw BatonError.validation("options", "Each option \(problem).")
        }
        if [.singleSelect, .multiSelect].contains(type) {
            guard !cleaned.isEmpty else { throw BatonError.validation("options", "A select field needs at least one option.") }
            guard !cleaned.contains(where: { $0.contains(";") }) else { throw BatonError.validation("options", "Options cannot contain “;”.") }
        }
        if type == .money {
            guard let currency, currency.unicodeScalars.count == 3, currency.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("a"..."z").contains($0) }) else {
                throw BatonError.validation("currency", "A money field needs a three-letter currency code such as EUR.")
            }
        }
        return try await store.write { ctx in
            let existing = try await CustomField.query(on: ctx.db).filter(\.$projectID == scope.projectID).all()
            if existing.contains(where: { $0.name.lowercased() == name.lowercased() }) {
                throw BatonError.conflict("name", "This project already has a field called \(name).")
            }
            let field = CustomField()
            field.projectID = scope.projectID
            field.name = name
            field.type = type
            field.options = cleaned.joined(separator: ";")
            field.currency = type == .money ? currency?.uppercased() : nil
            field.position = existing.count
            try await field.create(on: ctx.db)
            ctx.record(WorkEvent.fieldCreated, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["name": name, "type": type.rawValue])
            return field
        }
    }

    // MARK: saved views

    /// Only its owner deletes a saved view; anyone else's is not there (404).
    func deleteView(_ scope: WorkScope.ProjectAccess, viewID: UUID) async throws {
        try await store.write { ctx in
            guard let view = try await SavedView.query(on: ctx.db).filter(\.$id == viewID).filter(\.$userID == scope.access.userID)
                .filter(\.$projectID == scope.projectID).first() else { throw BatonError.notFound("View") }
            try await view.delete(on: ctx.db)
            ctx.record(WorkEvent.viewDeleted, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["name": view.name])
        }
    }

    func saveView(_ scope: WorkScope.ProjectAccess, name rawName: String, query: String) async throws -> SavedView {
        let name = try DisplayText.validate(rawName, label: "View name", max: 60).orFail(field: "name")
        guard query.count <= 2000 else { throw BatonError.validation("query", "The filters are too long to save.") }
        if let problem = DisplayText.problem(in: query, lines: false) { throw BatonError.validation("query", "The filters \(problem).") }
        return try await store.write { ctx in
            let existing = try await SavedView.query(on: ctx.db).filter(\.$userID == scope.access.userID)
                .filter(\.$projectID == scope.projectID).filter(\.$name == name).first()
            let view = existing ?? SavedView()
            view.workspaceID = scope.access.workspaceID
            view.userID = scope.access.userID
            view.projectID = scope.projectID
            view.name = name
            view.query = query
            view.createdAt = existing?.createdAt ?? ctx.now
            try await view.save(on: ctx.db)
            ctx.record(WorkEvent.viewSaved, workspace: scope.access.workspaceID, actor: scope.access.userID,
                       subject: .project(scope.projectID), data: ["name": name, "query": query])
            return view
        }
    }

    // MARK: shared building blocks

    static func stages(of projectID: UUID, ctx: WriteContext) async throws -> [Stage] {
        try await stages(of: projectID, on: ctx.db)
    }

    static func stages(of projectID: UUID, on db: any Database) async throws -> [Stage] {
        try await PlainSQL.all(Stage.self, on: db, "SELECT * FROM stages WHERE project_id = \(bind: projectID) ORDER BY position")
    }

    static func color(_ raw: String) throws -> String {
        guard let color = StageColor.normalized(raw) else { throw BatonError.validation("color", "Colour must look like #3451d1.") }
        return color
    }

    static func requireActiveMember(_ access: WorkspaceAccess, _ userID: UUID, field: String, ctx: WriteContext) async throws {
        let active = try await Tenancy.query(access, Membership.self, on: ctx.db)
            .filter(\.$user.$id == userID).filter(\.$deactivatedAt == nil).count()
        guard active > 0 else { throw BatonError.validation(field, "Not an active member of this workspace.") }
    }

    static func addMember(project: Project, userID: UUID, actor: UUID, ctx: WriteContext) async throws {
        let member = ProjectMember()
        member.projectID = try project.requireID()
        member.userID = userID
        try await member.create(on: ctx.db)
        ctx.record(WorkEvent.projectMemberAdded, workspace: project.workspaceID, actor: actor, subject: .project(try project.requireID()),
                   data: ["user_id": userID.uuidString, "project": project.name])
    }
}

extension EventSubject {
    public static func project(_ id: UUID) -> EventSubject { .init(type: "project", id: id, projectID: id) }
    /// A task's events carry its project, so guests see those of their projects only.
    static func task(_ task: WorkTask) -> EventSubject { .init(type: "task", id: task.id, projectID: task.projectID) }
}

extension Application {
    var work: WorkService { WorkService(store: store) }
}

extension Request {
    var work: WorkService { application.work }
}
