import Fluent

/// The durable job queue's table (JobQueue).
struct CreateJobs: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema("jobs")
            .field("id", .uuid, .identifier(auto: false))
            .field("kind", .string, .required)
            .field("payload", .string, .required)
            .field("run_at", .datetime, .required)
            .field("attempts", .int, .required)
            .field("max_attempts", .int, .required)
            .field("locked_by", .string)
            .field("locked_until", .datetime)
            .field("last_error", .string)
            .field("done_at", .datetime)
            .field("failed_at", .datetime)
            .field("dedupe_key", .string)
            .field("created_at", .datetime, .required)
            .unique(on: "dedupe_key")
            .create()
        try await SQLIndex.create("jobs_due", on: "jobs", columns: ["done_at", "failed_at", "run_at"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema("jobs").delete()
    }
}
