import Fluent
import SQLKit

struct CreateWork: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(Project.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("name", .string, .required)
            .field("description", .string, .required)
            .field("lead_id", .uuid, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("archived_at", .datetime)
            .unique(on: "workspace_id", "name")
            .create()
        try await database.schema(ProjectMember.schema)
            .id()
            .field("project_id", .uuid, .required, .references(Project.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .unique(on: "project_id", "user_id")
            .create()
        try await database.schema(Stage.schema)
            .id()
            .field("project_id", .uuid, .required, .references(Project.schema, "id"))
            .field("name", .string, .required)
            .field("color", .string, .required)
            .field("category", .string, .required)
            .field("position", .int, .required)
            .create()
        try await SQLIndex.create("stages_project", on: Stage.schema, columns: ["project_id", "position"], database)
        try await database.schema(CustomField.schema)
            .id()
            .field("project_id", .uuid, .required, .references(Project.schema, "id"))
            .field("name", .string, .required)
            .field("type", .string, .required)
            .field("options", .string, .required)
            .field("currency", .string)
            .field("position", .int, .required)
            .unique(on: "project_id", "name")
            .create()
        try await database.schema(WorkTask.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("project_id", .uuid, .required, .references(Project.schema, "id"))
            .field("title", .string, .required)
            .field("description", .string, .required)
            .field("delegator_id", .uuid, .references(User.schema, "id"))
            .field("assignee_id", .uuid, .references(User.schema, "id"))
            .field("stage_id", .uuid, .required, .references(Stage.schema, "id"))
            .field("stage_category", .string, .required)
            .field("priority", .string, .required)
            .field("start_at", .datetime)
            .field("due_at", .datetime)
            .field("time_zone", .string, .required)
            .field("blocked", .bool, .required)
            .field("blocked_reason", .string)
            .field("blocked_at", .datetime)
            .field("estimate", .double)
            .field("tags", .string, .required)
            .field("parent_id", .uuid, .references(WorkTask.schema, "id"))
            .field("version", .int, .required)
            .field("created_by", .uuid, .required, .references(User.schema, "id"))
            .field("created_at", .datetime, .required)
            .field("updated_at", .datetime, .required)
            .field("completed_at", .datetime)
            .field("progress_at", .datetime, .required)
            .field("brief_outcome", .string, .required)
            .field("brief_constraints", .string, .required)
            .field("brief_success_criteria", .string, .required)
            .field("brief_risk_tolerance", .string)
            .field("brief_decision_rights", .string, .required)
            .field("brief_delegation_level", .int)
            .field("brief_stretch", .bool, .required)
            .field("brief_skills", .string, .required)
            .field("handoff_accepted_at", .datetime)
            .field("clarification_requested_at", .datetime)
            .create()
        // Every list, board and dashboard filter has an index that starts with its scope.
        try await SQLIndex.create("tasks_project_stage", on: WorkTask.schema, columns: ["project_id", "stage_id", "id"], database)
        try await SQLIndex.create("tasks_project_due", on: WorkTask.schema, columns: ["project_id", "due_at"], database)
        try await SQLIndex.create("tasks_assignee", on: WorkTask.schema, columns: ["workspace_id", "assignee_id", "stage_category"], database)
        try await SQLIndex.create("tasks_delegator", on: WorkTask.schema, columns: ["workspace_id", "delegator_id", "stage_category"], database)
        try await SQLIndex.create("tasks_workspace_due", on: WorkTask.schema, columns: ["workspace_id", "stage_category", "due_at"], database)
        try await SQLIndex.create("tasks_parent", on: WorkTask.schema, columns: ["parent_id"], database)
        try await database.schema(TaskTag.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("workspace_id", .uuid, .required)
            .field("tag", .string, .required)
            .unique(on: "task_id", "tag")
            .create()
        try await SQLIndex.create("task_tags_tag", on: TaskTag.schema, columns: ["workspace_id", "tag", "task_id"], database)
        try await database.schema(TaskWatcher.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .unique(on: "task_id", "user_id")
            .create()
        try await SQLIndex.create("task_watchers_user", on: TaskWatcher.schema, columns: ["user_id"], database)
        try await database.schema(TaskFieldValue.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("field_id", .uuid, .required, .references(CustomField.schema, "id"))
            .field("value", .string, .required)
            .unique(on: "task_id", "field_id")
            .create()
        try await SQLIndex.create("task_field_values_field", on: TaskFieldValue.schema, columns: ["field_id", "value"], database)
        try await database.schema(ChecklistItem.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("position", .int, .required)
            .field("text", .string, .required)
            .field("checked_at", .datetime)
            .field("checked_by", .uuid, .references(User.schema, "id"))
            .field("waived_reason", .string)
            .create()
        try await SQLIndex.create("checklist_items_task", on: ChecklistItem.schema, columns: ["task_id", "position"], database)
        try await database.schema(Checkpoint.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("title", .string, .required)
            .field("due_at", .datetime, .required)
            .field("status", .string)
            .field("note", .string, .required)
            .field("reviewed_at", .datetime)
            .field("reviewed_by", .uuid, .references(User.schema, "id"))
            .create()
        try await SQLIndex.create("checkpoints_task", on: Checkpoint.schema, columns: ["task_id", "due_at"], database)
        try await database.schema(TaskComment.schema)
            .id()
            .field("task_id", .uuid, .required, .references(WorkTask.schema, "id"))
            .field("author_id", .uuid, .required, .references(User.schema, "id"))
            .field("body", .string, .required)
            .field("mentions", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("task_comments_task", on: TaskComment.schema, columns: ["task_id", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        for schema in [TaskComment.schema, Checkpoint.schema, ChecklistItem.schema, TaskFieldValue.schema, TaskWatcher.schema,
                       TaskTag.schema, WorkTask.schema, CustomField.schema, Stage.schema, ProjectMember.schema, Project.schema] {
            try await database.schema(schema).delete()
        }
    }
}

struct CreateSavedViews: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(SavedView.schema)
            .id()
            .field("workspace_id", .uuid, .required, .references(Workspace.schema, "id"))
            .field("user_id", .uuid, .required, .references(User.schema, "id"))
            .field("project_id", .uuid, .required, .references(Project.schema, "id"))
            .field("name", .string, .required)
            .field("query", .string, .required)
            .field("created_at", .datetime, .required)
            .unique(on: "user_id", "project_id", "name")
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(SavedView.schema).delete()
    }
}

/// Indexes the task list and the dashboard read most: a project's tasks newest first, one
/// person's tasks in a project, and a manager's reports' open work.
struct AddTaskListIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await SQLIndex.create("tasks_project_created", on: WorkTask.schema, columns: ["project_id", "created_at", "id"], database)
        try await SQLIndex.create("tasks_project_assignee", on: WorkTask.schema, columns: ["project_id", "assignee_id", "created_at"], database)
        try await SQLIndex.create("memberships_manager", on: Membership.schema, columns: ["workspace_id", "manager_id"], database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in ["tasks_project_created", "tasks_project_assignee", "memberships_manager"] {
            try await sql.drop(index: name).run()
        }
    }
}

/// Covering indexes for dashboards: the per-person counts, the burn-up and the "needs attention"
/// filter read only the index, never the task rows (a manager's reports can have thousands).
struct AddDashboardIndexes: AsyncMigration {
    static let names = ["tasks_dashboard_people", "tasks_dashboard_project"]

    func prepare(on database: any Database) async throws {
        let counted = ["stage_category", "completed_at", "created_at", "estimate", "due_at", "blocked"]
        try await SQLIndex.create("tasks_dashboard_people", on: WorkTask.schema, columns: ["workspace_id", "assignee_id"] + counted, database)
        try await SQLIndex.create("tasks_dashboard_project", on: WorkTask.schema, columns: ["project_id"] + counted + ["assignee_id"], database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        for name in Self.names { try await sql.drop(index: name).run() }
    }
}

/// `tasks_assignee` (workspace, assignee, stage category) is a prefix of `tasks_dashboard_people`,
/// which serves every query it served and lets a dashboard test its conditions inside the index;
/// with both, SQLite picked the narrower one and read every report's task from the table.
/// Checkpoints at risk are found from their status, not by visiting every covered task.
struct TuneDashboardIndexes: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "tasks_assignee").run()
        try await SQLIndex.create("checkpoints_status", on: Checkpoint.schema, columns: ["status", "task_id"], database)
    }

    func revert(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.drop(index: "checkpoints_status").run()
        try await SQLIndex.create("tasks_assignee", on: WorkTask.schema, columns: ["workspace_id", "assignee_id", "stage_category"], database)
    }
}

/// Names and titles are one printable line now (DisplayText); the ones stored before are made so.
struct RepairWorkNames: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await OneLineRepair.run(table: Project.schema, column: "name", scope: ["workspace_id"], fallback: "Project", on: database)
        try await OneLineRepair.run(table: Stage.schema, column: "name", scope: ["project_id"], fallback: "Stage", on: database)
        try await OneLineRepair.run(table: CustomField.schema, column: "name", scope: ["project_id"], fallback: "Field", on: database)
        try await OneLineRepair.run(table: SavedView.schema, column: "name", scope: ["user_id", "project_id"], fallback: "View", on: database)
        try await OneLineRepair.run(table: WorkTask.schema, column: "title", fallback: "Untitled", on: database)
    }

    func revert(on database: any Database) async throws {}
}

/// Task events name their task's project (the platform's `AddEventProject` added the column). A
/// database that ran the older `AddEventProject` has them already; this sets the same values again.
struct NameTaskEventProjects: AsyncMigration {
    func prepare(on database: any Database) async throws {
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE events SET project_id = (SELECT tasks.project_id FROM tasks WHERE tasks.id = events.subject_id)
            WHERE subject_type = 'task' AND project_id IS NULL
            """).run()
    }

    func revert(on database: any Database) async throws {}
}
