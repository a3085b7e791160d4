import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// Channels, threads and direct conversations; read positions, acknowledgements and
    /// scheduled messages. A channel is a room: its events reach its members alone.
    static let messages = BatonModule(
        name: "messages",
        migrations: [CreateMessages()],
        events: [MessageEvent.self],
        jobs: [ScheduleService.job, AckReminders.job],
        consumers: [WorkUpdates.consumer],
        api: { api in
            MessagesAPI().register(api)
            SchedulesAPI().register(api)
        },
        rooms: { workspaceID, userID, db in
            Set(try await PlainSQL.rows(on: db, """
                SELECT channel_id FROM channel_members WHERE user_id = \(bind: userID) AND workspace_id = \(bind: workspaceID)
                """).map { try $0.decode(column: "channel_id", as: UUID.self) })
        },
        notices: MessageNotices.notices,
        noticeKinds: MessageNotices.kinds,
        operations: MessagesOpenAPI.operations,
        schemas: { MessagesOpenAPI.schemas }
    )
}
