import Fluent
import BatonCore
import Vapor

extension BatonModule {
    /// Per-project rules: they follow the event log and a one-minute sweep, and act through the
    /// other modules' services (notify, assign, set stage or field, comment, create a task, webhook).
    static let automations = BatonModule(
        name: "automations",
        migrations: [CreateRules(), AddDefaultRulesToProjects()],
        events: [AutomationEvent.self],
        jobs: [RuleRunner.job, RuleSweep.job, RuleWebhook.job],
        recurring: [RuleSweep.recurring],
        consumers: [RuleEventFollower.consumer],
        api: { api in AutomationsAPI().register(api) },
        pages: { pages in try pages.workspace.register(collection: AutomationPages()) },
        paths: AutomationPaths.all,
        subjectLink: { type, id, workspaceID in type == "rule" ? AutomationPaths.rule.url(workspaceID, id) : nil },
        notices: { events, _ in
            events.flatMap { event -> [Notice] in
                guard event.kind == AutomationEvent.ruleNotified.rawValue, let workspace = event.workspaceId else { return [] }
                return AutomationNotices.notices(eventID: event.id, workspaceID: workspace, data: event.data,
                                                 subjectID: event.subjectId, at: event.createdAt)
            }
        },
        noticeKinds: [AutomationNotices.kind],
        subjectPanels: AutomationPanel.subjectPanels,
        operations: AutomationsOpenAPI.operations,
        schemas: { AutomationsOpenAPI.schemas }
    )
}
