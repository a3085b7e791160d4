import BatonCore

extension BatonModule {
    /// Accounts, workspaces, members, invitations, teams, tokens; the people and activity pages.
    static let identity = BatonModule(
        name: "identity",
        migrations: [CreateIdentity(), ThrottleLoginsByAddress(), ShortLivedInvitationLinks(), RepairIdentityNames()],
        events: [IdentityEvent.self],
        jobs: InvitationJobs.definitions,
        api: { IdentityAPI().register($0) },
        pages: { try IdentityPages().register($0) },
        paths: IdentityPaths.all,
        landing: { _, _, _ in IdentityPaths.people },
        navigation: [
            NavigationEntry(title: "People", path: IdentityPaths.people, page: "people", order: 10, shortcut: "p"),
            NavigationEntry(title: "Activity", path: IdentityPaths.activity, page: "activity", order: 90, shortcut: "a", adminsOnly: true),
        ],
        operations: IdentityOpenAPI.operations,
        schemas: { IdentityOpenAPI.schemas }
    )
}
