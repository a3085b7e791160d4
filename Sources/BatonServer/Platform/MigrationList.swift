import Fluent

/// The one ordered list of migrations. Append only.
enum MigrationList {
    static let all: [any Migration] = [
        EventMigration(),
        CreateJobs(),
        CreateIdentity(),
        CreateWork(),
        CreateSavedViews(),
        AddTaskListIndexes(),
        AddDashboardIndexes(),
        TuneDashboardIndexes(),
        ThrottleLoginsByAddress(),
        ShortLivedInvitationLinks(),
        AddEventProject(),
        RepairIdentityNames(),
        RepairWorkNames(),
    ]
}
