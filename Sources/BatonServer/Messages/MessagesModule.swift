import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// Channels, threads and direct conversations; read positions, acknowledgements and
    /// scheduled messages. A channel is a room: its events reach its members alone.
    static let messages = BatonModule(
        name: "messages",
        migrations: [CreateMessages(), IndexChannelMemberLevels()],
        events: [MessageEvent.self],
        jobs: [ScheduleService.job, AckReminders.job],
        consumers: [WorkUpdates.consumer],
        api: { api in
            MessagesAPI().register(api)
            SchedulesAPI().register(api)
        },
        pages: { pages in
            try pages.workspace.register(collection: MessagePages())
            pages.workspace.post(WorkUpdatesPanel.open.inWorkspace, use: WorkUpdatesPanel.openThread)
        },
        paths: MessagePaths.all + MessageForms.all + [WorkUpdatesPanel.open],
        rooms: { workspaceID, userID, db in
            Set(try await PlainSQL.rows(on: db, """
                SELECT channel_members.channel_id FROM channel_members
                JOIN channels ON channels.id = channel_members.channel_id
                JOIN memberships ON memberships.workspace_id = channel_members.workspace_id AND memberships.user_id = channel_members.user_id
                WHERE channel_members.user_id = \(bind: userID) AND channel_members.workspace_id = \(bind: workspaceID)
                  AND NOT (memberships.role = 'guest' AND channels.kind = 'public')
                """).map { try $0.decode(column: "channel_id", as: UUID.self) })
        },
        subjectLink: { type, id, workspaceID in
            switch type {
            case "channel": MessagePaths.channel.url(workspaceID, id)
            case "message": MessagePaths.thread.url(workspaceID, id)
            case "scheduled_message": MessagePaths.scheduled.url(workspaceID)
            default: nil
            }
        },
        notices: MessageNotices.notices,
        noticeKinds: MessageNotices.kinds,
        subjectPanels: WorkUpdatesPanel.subjectPanels,
        badges: { workspaceID, userID, db in
            ["messages": try await ChannelQueries.unread(userID, workspaceID: workspaceID, on: db).total]
        },
        navigation: [NavigationEntry(title: "Messages", path: MessagePaths.home, page: "messages", order: 15, shortcut: "m")],
        operations: MessagesOpenAPI.operations,
        schemas: { MessagesOpenAPI.schemas }
    )
}
