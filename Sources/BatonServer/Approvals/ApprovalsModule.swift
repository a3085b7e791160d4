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
        pages: { pages in try pages.workspace.register(collection: ApprovalPages()) },
        paths: ApprovalPaths.all,
        subjectLink: { type, id, workspaceID in type == "approval_request" ? ApprovalPaths.request.url(workspaceID, id) : nil },
        notices: { events, _ in ApprovalNotices.notices(events) },
        noticeKinds: [ApprovalNotices.toAct, ApprovalNotices.updates],
        noticeActions: ApprovalInboxActions.actions,
        subjectPanels: ApprovalTaskPanel.subjectPanels,
        linkChips: ApprovalLinkChips.chips,
        badges: { workspaceID, userID, db in
            ["approvals": try await ApprovalWait.query(on: db).filter(\.$userID == userID).filter(\.$workspaceID == workspaceID).count()]
        },
        navigation: [NavigationEntry(title: "Approvals", path: ApprovalPaths.list, page: "approvals", order: 45, shortcut: "v", membersOnly: true)],
        operations: ApprovalsOpenAPI.operations,
        schemas: { ApprovalsOpenAPI.schemas }
    )
}
