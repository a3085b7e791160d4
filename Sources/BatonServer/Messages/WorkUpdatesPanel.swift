import Fluent
import Vapor
import BatonCore

/// The task page's "Work updates" section: the latest of the task's thread, a reply box, or the
/// button that opens the thread in the project's channel.
enum WorkUpdatesPanel {
    static let open = PagePath("messages.openThread", "/w/:workspaceID/tasks/:taskID/thread")

    struct Context: Encodable {
        let workspaceId: UUID
        let taskId: UUID
        let channelTitle: String
        let threadURL: String?
        let rootId: UUID?
        let latest: [Line]
        let replyCount: Int
        let canWrite: Bool
        let csrf: String
    }
    struct Line: Encodable { let author: String; let when: String; let text: String }

    static let subjectPanels: @Sendable (SubjectPanelRequest) async throws -> [String] = { request in
        guard request.subjectType == "task" else { return [] }
        let db = request.req.reader
        guard let task = try await PlainSQL.first(WorkTask.self, on: db, "SELECT * FROM tasks WHERE id = \(bind: request.subjectID)"),
              let channel = try await WorkUpdates.projectChannel(task.projectID, on: db), channel.archivedAt == nil,
              let scope = try? await ChannelScope.channel(channel.id!, for: request.access.userID, on: db) else { return [] }
        let root = try await WorkUpdates.existingThread(of: task.id!, in: channel, on: db)
        var latest: [Line] = []
        if let root {
            let replies = try await PlainSQL.all(Message.self, on: db, """
                SELECT * FROM messages WHERE thread_root_id = \(bind: root.id!) AND deleted_at IS NULL ORDER BY thread_seq DESC LIMIT 3
                """)
            let names = try await UserNames.load(replies.compactMap(\.authorID), on: db)
            let timeZone = try request.req.principal().timeZone
            latest = replies.reversed().map { reply in
                Line(author: MessageQueries.authorName(reply, names: names), when: BatonDate.format(reply.createdAt, "MMM d, HH:mm", timeZone: timeZone),
                     text: String(reply.body.prefix(280)))
            }
        }
        let context = Context(workspaceId: request.access.workspaceID, taskId: task.id!, channelTitle: "#" + channel.name,
                              threadURL: root.map { MessagePaths.thread.url(request.access.workspaceID, $0.id!) }, rootId: root?.id,
                              latest: latest, replyCount: root?.replyCount ?? 0, canWrite: scope.isMember || request.access.role != .guest,
                              csrf: CSRF.token(for: request.req))
        let view = try await request.req.view.render("messages/task-panel", context)
        return [String(buffer: view.data)]
    }

    /// The button's post: opens (or finds) the thread and goes there.
    @Sendable static func openThread(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let root = try await WorkUpdates.open(try req.uuidParameter("taskID", label: "Task"), by: access.userID, store: req.application.store)
        return req.redirect(to: MessagePaths.thread.url(access.workspaceID, root.id!))
    }
}
