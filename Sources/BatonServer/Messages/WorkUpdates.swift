import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// Channels follow the work: a project gets its channel as it is created, the channel keeps the
/// project's people, and every delegated task can have its work-updates thread there (a root
/// message Baton posts, named after the task), where the assignee writes updates and — when the
/// channel posts work updates — stage changes and checkpoint reviews arrive by themselves, so a
/// manager reads one thread per task when they choose. Threads are opened on purpose (the task
/// page's "Work updates" panel, or the API), never one per task by themselves.
enum WorkUpdates {
    static let consumer = EventConsumer(name: "messages") { events, ctx, _ in
        for event in events { try await follow(event, ctx: ctx) }
    }

    private static func follow(_ event: LoggedEvent, ctx: WriteContext) async throws {
        guard let workspace = event.workspaceId else { return }
        switch event.kind {
        case WorkEvent.projectCreated.rawValue:
            guard let project = event.subjectId, let actor = event.actorId,
                  try await PlainSQL.rows(on: ctx.db, "SELECT 1 FROM channels WHERE project_id = \(bind: project)").isEmpty,
                  let access = try? await Tenancy.access(workspace, for: actor, on: ctx.db) else { return }
            _ = try await ChannelService.create(access, ChannelDraft(kind: .project, projectID: project), ctx: ctx)
        case WorkEvent.projectMemberAdded.rawValue, WorkEvent.projectMemberRemoved.rawValue:
            guard let project = event.projectId ?? event.subjectId, let person = event.data["user_id"].flatMap(UUID.init(uuidString:)),
                  let channel = try await projectChannel(project, on: ctx.db) else { return }
            let present = try await MessageService.member(person, of: channel.id!, on: ctx.db) != nil
            if event.kind == WorkEvent.projectMemberAdded.rawValue, !present {
                try await ChannelService.addMember(person, to: channel, by: event.actorId ?? person, ctx: ctx)
            } else if event.kind == WorkEvent.projectMemberRemoved.rawValue, present {
                try await ChannelService.takeOut(person, of: channel, by: event.actorId ?? person, ctx: ctx)
            }
        case WorkEvent.taskStageChanged.rawValue, WorkEvent.taskCheckpointReviewed.rawValue:
            guard let taskID = event.subjectId, let project = event.projectId, let channel = try await projectChannel(project, on: ctx.db),
                  channel.postsWorkUpdates, channel.archivedAt == nil,
                  let task = try await PlainSQL.first(WorkTask.self, on: ctx.db, "SELECT * FROM tasks WHERE id = \(bind: taskID)"),
                  task.assigneeID != nil, let root = try await existingThread(of: taskID, in: channel, on: ctx.db) else { return }
            let names = try await UserNames.load([event.actorId].compactMap { $0 }, on: ctx.db)
            let who = event.actorId.flatMap { names[$0] } ?? "Baton"
            let text: String
            if event.kind == WorkEvent.taskStageChanged.rawValue {
                text = "\(who) moved it from **\(event.data["from"] ?? "?")** to **\(event.data["to"] ?? "?")**."
            } else {
                let status = CheckpointStatus(rawValue: event.data["status"] ?? "")?.label ?? "reviewed"
                let note = (event.data["note"] ?? "").isEmpty ? "" : " — “\(event.data["note"]!)”"
                text = "\(who) reviewed the checkpoint “\(event.data["checkpoint"] ?? "")”: **\(status)**\(note)"
            }
            _ = try await MessageService.post(MessageDraft(body: text), in: channel, root: root, author: .init(id: nil, via: "baton"), ctx: ctx,
                                              deliveryKey: "work-update:\(event.id)")
        default:
            return
        }
    }

    static func projectChannel(_ projectID: UUID, on db: any Database) async throws -> MessageChannel? {
        try await PlainSQL.first(MessageChannel.self, on: db, "SELECT * FROM channels WHERE project_id = \(bind: projectID)")
    }

    /// Stage changes and reviews go into threads that were opened (from the task page, or by the
    /// API): a channel never fills with a thread per task of an import.
    static func existingThread(of taskID: UUID, in channel: MessageChannel, on db: any Database) async throws -> Message? {
        try await PlainSQL.first(Message.self, on: db, """
            SELECT * FROM messages WHERE task_id = \(bind: taskID) AND channel_id = \(bind: channel.id!) AND thread_root_id IS NULL
            """)
    }

    /// The task's work-updates thread in its project's channel, opened now if it has none. Its
    /// assignee and delegator are put in the channel (it is their project's room) and follow it.
    static func thread(for task: WorkTask, in channel: MessageChannel, ctx: WriteContext) async throws -> Message {
        if let root = try await existingThread(of: task.id!, in: channel, on: ctx.db) { return root }
        let number = try await TaskNumbers.number(of: task.id!, on: ctx.db).map { "#\($0) " } ?? ""
        let root = try await MessageService.post(MessageDraft(body: "Work updates on \(number)“\(task.title)”"), in: channel, root: nil,
                                                 author: .init(id: nil, via: "baton"), ctx: ctx, taskID: task.id,
                                                 deliveryKey: "work-thread:\(task.id!.uuidString)")
        for person in Set([task.assigneeID, task.delegatorID].compactMap { $0 }) {
            let active = try await PlainSQL.rows(on: ctx.db, """
                SELECT 1 FROM memberships WHERE workspace_id = \(bind: task.workspaceID) AND user_id = \(bind: person) AND deactivated_at IS NULL
                """)
            guard !active.isEmpty else { continue }
            if try await MessageService.member(person, of: channel.id!, on: ctx.db) == nil {
                try await ChannelService.addMember(person, to: channel, by: person, ctx: ctx)
            }
            try await MessageService.follow(person, rootID: root.id!, channelID: channel.id!, ctx: ctx)
        }
        return root
    }

    /// `POST /api/v1/tasks/{id}/thread`: the task's thread, opened if need be, for someone who
    /// may see the task and is in (or may join) its project's channel.
    static func open(_ taskID: UUID, by userID: UUID, store: Store) async throws -> Message {
        try await store.write { ctx in
            let (task, scope) = try await WorkScope.task(id: taskID, for: userID, on: ctx.db)
            guard let channel = try await projectChannel(task.projectID, on: ctx.db) else {
                throw BatonError.conflict(nil, "“\(scope.project.name)” has no channel: create one for it first.")
            }
            guard channel.archivedAt == nil else { throw BatonError.conflict(nil, "#\(channel.name) is archived.") }
            // whoever may see the task may read its project's (open) channel; opening the thread joins them
            let channelScope = try await ChannelScope.channel(channel.id!, for: userID, on: ctx.db)
            if !channelScope.isMember { try await ChannelService.addMember(userID, to: channel, by: userID, ctx: ctx) }
            return try await thread(for: task, in: channel, ctx: ctx)
        }
    }
}
