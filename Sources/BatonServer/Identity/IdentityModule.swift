import BatonCore

extension BatonModule {
    /// Accounts, workspaces, members, invitations, teams, tokens; the people and activity pages.
    static let identity = BatonModule(
        name: "identity",
        migrations: [CreateIdentity(), ThrottleLoginsByAddress(), ShortLivedInvitationLinks(), RepairIdentityNames(),
                     AddOutboxDelivery(), CreatePasswordResets(), AddTeamLeads(), AddWorkingHours()],
        events: [IdentityEvent.self],
        jobs: InvitationJobs.definitions + [Outbox.sendJob],
        api: { api in
            IdentityAPI().register(api)
            OutboxAPI().register(api)
        },
        pages: { pages in
            try IdentityPages().register(pages)
            try pages.workspace.register(collection: OutboxViews())
        },
        paths: IdentityPaths.all + [OutboxViews.path],
        landing: { _, _, _ in IdentityPaths.people },
        navigation: [
            NavigationEntry(title: "People", path: IdentityPaths.people, page: "people", order: 10, shortcut: "p"),
            NavigationEntry(title: "Activity", path: IdentityPaths.activity, page: "activity", order: 90, shortcut: "a", adminsOnly: true),
            NavigationEntry(title: "Outbox", path: OutboxViews.path, page: "outbox", order: 95, adminsOnly: true),
        ],
        operations: IdentityOpenAPI.operations,
        schemas: { IdentityOpenAPI.schemas }
    )
}
