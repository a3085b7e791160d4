import Fluent
import Foundation
import SQLKit
import BatonCore

/// Each task's number in its workspace (#1, #2, …): what `#123` in a description or comment names.
enum TaskNumbers {
    /// Gives new tasks the next numbers of their workspace, in the order given: one task when it
    /// is created, an import's in the order of its file (its rows share one `created_at`).
    /// Writes to one workspace's numbers queue up (PostgreSQL runs writes side by side; SQLite's
    /// single writer already does).
    static func assign(workspace: UUID, inOrder ids: [UUID], ctx: WriteContext) async throws {
        try await ctx.serialize(key: "task-number:\(workspace)")
        let highest = try await PlainSQL.rows(on: ctx.db, "SELECT MAX(number) AS highest FROM tasks WHERE workspace_id = \(bind: workspace)")
            .first?.decode(column: "highest", as: Int?.self) ?? 0
        for start in stride(from: 0, to: ids.count, by: 500) {
            let chunk = ids[start..<min(start + 500, ids.count)]
            let rows = SQLList(chunk.enumerated().map { offset, id in
                SQLGroupExpression([SQLBind(id), SQLBind(highest + start + offset + 1)]) as any SQLExpression
            })
            try await ctx.sql.raw("""
                UPDATE tasks SET number = v.column2 FROM (VALUES \(rows)) AS v WHERE tasks.id = v.column1
                """).run()
        }
    }

    static func number(of taskID: UUID, on db: any Database) async throws -> Int? {
        try await PlainSQL.rows(on: db, "SELECT number FROM tasks WHERE id = \(bind: taskID)").first?.decode(column: "number", as: Int?.self)
    }

    /// Links for the `#n` that `texts` mention, to the tasks of the workspace with those numbers;
    /// for a guest only to tasks of `guestProject` (the one they are looking at), so a number
    /// never shows them the title of work they cannot see.
    static func links(in texts: [String], workspace: UUID, guestProject: UUID?, on db: any Database) async throws -> [Int: MarkdownRenderer.Link] {
        let numbers = Set(texts.flatMap(references)).sorted().prefix(200)
        guard !numbers.isEmpty else { return [:] }
        let list = SQLList(numbers.map { SQLBind($0) })
        let rows = try await PlainSQL.rows(on: db, """
            SELECT id, number, title, project_id FROM tasks
            WHERE workspace_id = \(bind: workspace) AND number IN (\(list))
            """)
        var links: [Int: MarkdownRenderer.Link] = [:]
        for row in rows {
            let project = try row.decode(column: "project_id", as: UUID.self)
            if let guestProject, project != guestProject { continue }
            let number = try row.decode(column: "number", as: Int.self)
            links[number] = .init(url: WorkPaths.task.url(workspace, try row.decode(column: "id", as: UUID.self)),
                                  title: "#\(number) " + (try row.decode(column: "title", as: String.self)))
        }
        return links
    }

    /// The numbers `#12` names in a text (a cheap superset: the renderer decides what is a reference).
    static func references(in text: String) -> [Int] {
        var found: [Int] = []
        var digits = ""
        var afterHash = false
        for character in text {
            if afterHash, character.isASCII, character.isNumber, digits.count < 9 {
                digits.append(character)
                continue
            }
            if let number = Int(digits) { found.append(number) }
            digits = ""
            afterHash = character == "#"
        }
        if let number = Int(digits) { found.append(number) }
        return found
    }
}

/// Tasks are numbered per workspace; existing ones in the order they were created.
struct AddTaskNumbers: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(WorkTask.schema).field("number", .int).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("""
            UPDATE tasks SET number = numbered.n FROM (
              SELECT id, ROW_NUMBER() OVER (PARTITION BY workspace_id ORDER BY created_at, id) AS n FROM tasks) AS numbered
            WHERE tasks.id = numbered.id
            """).run()
        try await SQLIndex.create("tasks_workspace_number", on: WorkTask.schema, columns: ["workspace_id", "number"], unique: true, database)
    }

    func revert(on database: any Database) async throws {
        // SQLite will not drop a column an index uses
        try await (database as? any SQLDatabase)?.drop(index: "tasks_workspace_number").run()
        try await database.schema(WorkTask.schema).deleteField("number").update()
    }
}
