import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// Requests that route themselves by their values (amount, client tier, risk, scope) and the
    /// decision-rights matrix; reminders and escalation through the job queue.
    static let approvals = BatonModule(
        name: "approvals",
        migrations: [CreateApprovals()],
        events: [ApprovalEvent.self],
        jobs: [ApprovalTimeouts.job],
        api: { api in ApprovalsAPI().register(api) },
        notices: { events, _ in ApprovalNotices.notices(events) },
        noticeKinds: [ApprovalNotices.toAct, ApprovalNotices.updates],
        operations: ApprovalsOpenAPI.operations,
        schemas: { ApprovalsOpenAPI.schemas }
    )
}
