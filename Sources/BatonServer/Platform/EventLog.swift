import Fluent
import Vapor
import SQLKit
import BatonCore

/// One row of the append-only event log: the audit trail, the activity feed and every record's history.
final class EventRecord: Model, @unchecked Sendable {
    static let schema = "events"

    @ID(custom: "id", generatedBy: .database) var id: Int?
    @OptionalField(key: "workspace_id") var workspaceID: UUID?
    @OptionalField(key: "actor_id") var actorID: UUID?
    @Field(key: "kind") var kind: String
    @Field(key: "subject_type") var subjectType: String
    @OptionalField(key: "subject_id") var subjectID: UUID?
    /// The project an event belongs to (a project's or a task's), for who may see it.
    @OptionalField(key: "project_id") var projectID: UUID?
    @Field(key: "data") var data: String
    @Field(key: "created_at") var createdAt: Date

    init() {}

    /// Listed once more by hand: FluentKit would find them by reflection on every row (ModelFieldListTests).
    var properties: [any AnyProperty] { [$id, $workspaceID, $actorID, $kind, $subjectType, $subjectID, $projectID, $data, $createdAt] }

    var logged: LoggedEvent {
        LoggedEvent(
            id: id ?? 0, workspaceId: workspaceID, actorId: actorID, kind: kind,
            subjectType: subjectType, subjectId: subjectID, projectId: projectID,
            data: (try? JSONDecoder().decode([String: String].self, from: Data(data.utf8))) ?? [:],
            createdAt: createdAt
        )
    }
}

/// What an event says, as the API and the live socket send it.
public struct LoggedEvent: Content, Sendable, Equatable {
    public let id: Int
    public let workspaceId: UUID?
    public let actorId: UUID?
    public let kind: String
    public let subjectType: String
    public let subjectId: UUID?
    public let projectId: UUID?
    public let data: [String: String]
    public let createdAt: Date

    /// Whether `viewer` may see this event: the live socket and the catch-up feed ask this alone.
    func isVisible(to viewer: EventVisibility.Viewer<UUID>, in catalog: EventCatalog) -> Bool {
        catalog.isAnnounced(kind: kind, data: data)
            && EventVisibility.canSee(audience: catalog.audience(of: kind), inWorkspace: workspaceId != nil, actor: actorId,
                                      subject: subjectId, project: projectId,
                                      room: data[EventVisibility.roomKey].flatMap(UUID.init(uuidString:)), viewer: viewer)
    }
}

/// What an event is about.
public struct EventSubject: Sendable {
    public let type: String
    public let id: UUID?
    public var projectID: UUID? = nil
    public static func user(_ id: UUID) -> EventSubject { .init(type: "user", id: id) }
    public static func workspace(_ id: UUID) -> EventSubject { .init(type: "workspace", id: id) }
    public static func invitation(_ id: UUID) -> EventSubject { .init(type: "invitation", id: id) }
    public static func team(_ id: UUID) -> EventSubject { .init(type: "team", id: id) }
    public static func token(_ id: UUID) -> EventSubject { .init(type: "token", id: id) }
}

struct EventMigration: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EventRecord.schema)
            .field("id", .int64, .identifier(auto: true))
            .field("workspace_id", .uuid)
            .field("actor_id", .uuid)
            .field("kind", .string, .required)
            .field("subject_type", .string, .required)
            .field("subject_id", .uuid)
            .field("data", .string, .required)
            .field("created_at", .datetime, .required)
            .create()
        try await SQLIndex.create("events_workspace_id", on: "events", columns: ["workspace_id", "id"], database)
        try await SQLIndex.create("events_actor_id", on: "events", columns: ["actor_id", "id"], database)
        try await SQLIndex.create("events_subject", on: "events", columns: ["subject_type", "subject_id", "id"], database)
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EventRecord.schema).delete()
    }
}

/// Events name their project, so a guest's socket and feed can show the events of their projects.
/// (The events of tasks are given theirs by Work's `NameTaskEventProjects`.)
struct AddEventProject: AsyncMigration {
    func prepare(on database: any Database) async throws {
        try await database.schema(EventRecord.schema).field("project_id", .uuid).update()
        guard let sql = database as? any SQLDatabase else { return }
        try await sql.raw("UPDATE events SET project_id = subject_id WHERE subject_type = 'project'").run()
    }

    func revert(on database: any Database) async throws {
        try await database.schema(EventRecord.schema).deleteField("project_id").update()
    }
}

/// Sentences for events, with the names of the people they mention loaded in one query. Used by
/// the activity feed and by task history alike.
enum EventSentences {
    /// Event data naming people, whose names the sentences use.
    static let personKeys = ["from", "to", "user_id", "delegator", "assignee", "proposed_by", "requested_by", "acting_for"]

    static func describe(_ events: [LoggedEvent], in catalog: EventCatalog, timeZone: String? = nil,
                         on db: any Database) async throws -> [String] {
        var ids = Set<UUID>()
        for event in events {
            if let actor = event.actorId { ids.insert(actor) }
            if event.subjectType == "user", let subject = event.subjectId { ids.insert(subject) }
            for key in personKeys { if let id = event.data[key].flatMap(UUID.init(uuidString:)) { ids.insert(id) } }
        }
        let users = ids.isEmpty ? [] : try await User.query(on: db).filter(\.$id ~~ Array(ids)).all()
        let names = Dictionary(users.compactMap { user in user.id.map { ($0.uuidString, user.name) } }, uniquingKeysWith: { first, _ in first })
        return events.map { event in
            catalog.describe(kind: event.kind, actor: event.actorId?.uuidString,
                                   subject: event.subjectType == "user" ? event.subjectId?.uuidString : nil,
                             data: event.data, timeZone: timeZone) { names[$0.uppercased()] ?? "someone" }
        }
    }
}
