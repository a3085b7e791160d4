import Fluent
import Foundation
import BatonCore

/// Someone's notification settings (`NotificationSettings`), one row per person; no row means the defaults.
final class NotificationSettingsRow: Model, @unchecked Sendable {
    static let schema = "notification_settings"

    @ID(custom: "user_id", generatedBy: .user) var id: UUID?
    /// Kind → delivery, as JSON, only the kinds the person changed.
    @Field(key: "deliveries") var deliveries: String
    @Field(key: "digest") var digest: Bool
    @OptionalField(key: "quiet_start") var quietStart: Int?
    @OptionalField(key: "quiet_end") var quietEnd: Int?
    @Field(key: "updated_at") var updatedAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $deliveries, $digest, $quietStart, $quietEnd, $updatedAt] }

    var settings: NotificationSettings {
        let raw = (try? JSONDecoder().decode([String: String].self, from: Data(deliveries.utf8))) ?? [:]
        return NotificationSettings(deliveries: raw.compactMapValues(NoticeDelivery.init(rawValue:)), digest: digest,
                                    quietStart: quietStart, quietEnd: quietEnd)
    }
}

enum NotificationPreferences {
    static func load(_ users: Set<UUID>, on db: any Database) async throws -> [UUID: NotificationSettings] {
        guard !users.isEmpty else { return [:] }
        let rows = try await NotificationSettingsRow.query(on: db).filter(\.$id ~~ Array(users)).all()
        return Dictionary(rows.compactMap { row in row.id.map { ($0, row.settings) } }) { first, _ in first }
    }

    static func settings(of user: UUID, on db: any Database) async throws -> NotificationSettings {
        try await load([user], on: db)[user] ?? .defaults
    }
}

struct CreateNotificationSettings: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(NotificationSettingsRow.schema)
            .field("user_id", .uuid, .identifier(auto: false))
            .field("deliveries", .string, .required)
            .field("digest", .bool, .required)
            .field("quiet_start", .int)
            .field("quiet_end", .int)
            .field("updated_at", .datetime, .required)
            .create()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(NotificationSettingsRow.schema).delete()
    }
}
