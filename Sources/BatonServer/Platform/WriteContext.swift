import Fluent
import SQLKit
import Vapor
import BatonCore

/// Handed to a service inside its one write transaction: the database, the time of the write, and
/// the event log and job queue that commit (or roll back) together with the state change.
public final class WriteContext: @unchecked Sendable {
    public let db: any Database
    public let now: Date
    private var drafts: [EventRecord] = []
    /// Each draft's data as given, so the logged events need not decode what was just encoded.
    private var draftData: [[String: String]] = []
    private(set) var enqueuedJobs = 0

    init(db: any Database, now: Date) {
        self.db = db
        self.now = now
    }

    var sql: any SQLDatabase { db as! any SQLDatabase }

    public func record(_ kind: EventKind, workspace: UUID?, actor: UUID?, subject: EventSubject,
                       data: [String: String] = [:]) {
        let event = EventRecord()
        event.workspaceID = workspace
        event.actorID = actor
        event.kind = kind.rawValue
        event.subjectType = subject.type
        event.subjectID = subject.id
        event.projectID = subject.projectID
        event.data = String(decoding: JSONText.encode(StringDictionary(values: data)), as: UTF8.self)
        event.createdAt = now
        drafts.append(event)
        draftData.append(data)
    }

    /// Writes that name the same key run one after another until they commit. SQLite's single
    /// writer does that for every write already; PostgreSQL runs writes side by side, so there it
    /// is a transaction-scoped advisory lock (the key's hash is 32 bits, the event-order lock's
    /// key is wider, so they never meet).
    public func serialize(key: String) async throws {
        guard sql.dialect.name == "postgresql" else { return }
        try await sql.raw("SELECT pg_advisory_xact_lock(hashtext(\(bind: key)))").run()
    }

    /// Adds a durable job to the queue in this transaction. A job whose dedupe key exists already is dropped.
    public func enqueue(_ kind: JobKind, payload: [String: String], runAt: Date? = nil,
                        dedupeKey: String? = nil, maxAttempts: Int = 8) async throws {
        let payloadText = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        try await sql.insert(into: "jobs")
            .columns("id", "kind", "payload", "run_at", "attempts", "max_attempts", "dedupe_key", "created_at")
            .values(SQLBind(UUID()), SQLBind(kind.rawValue), SQLBind(payloadText), SQLBind(runAt ?? now),
                    SQLBind(0), SQLBind(maxAttempts), SQLBind(dedupeKey), SQLBind(now))
            .ignoringConflicts(with: ["dedupe_key"])
            .run()
        enqueuedJobs += 1
    }

    /// Writes the recorded events last, so on PostgreSQL the advisory lock that keeps event ids in
    /// commit order is held only for the tail of the transaction.
    func flushEvents(dialect: DatabaseDialect, nodeID: String) async throws -> [LoggedEvent] {
        guard !drafts.isEmpty else { return [] }
        if dialect == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: EventOrdering.lockKey))").run()
        }
        var logged: [LoggedEvent] = []
        for (draft, data) in zip(drafts, draftData) {
            let id = try await sql.raw("""
                INSERT INTO events (workspace_id, actor_id, kind, subject_type, subject_id, project_id, data, created_at)
                VALUES (\(bind: draft.workspaceID), \(bind: draft.actorID), \(bind: draft.kind), \(bind: draft.subjectType),
                        \(bind: draft.subjectID), \(bind: draft.projectID), \(bind: draft.data), \(bind: draft.createdAt))
                RETURNING id
                """).first()?.decode(column: "id", as: Int.self) ?? 0
            logged.append(LoggedEvent(id: id, workspaceId: draft.workspaceID, actorId: draft.actorID, kind: draft.kind,
                                      subjectType: draft.subjectType, subjectId: draft.subjectID, projectId: draft.projectID,
                                      data: data, createdAt: draft.createdAt))
        }
        if dialect == .postgres, let first = logged.first?.id, let last = logged.last?.id {
            // Delivered by PostgreSQL at commit, never for a rolled-back write.
            let payload = "\(nodeID):\(first):\(last)"
            try await sql.raw("SELECT pg_notify(\(bind: EventOrdering.channel), \(bind: payload))").run()
        }
        return logged
    }
}

enum EventOrdering {
    static let lockKey: Int64 = 0x6261_746F_6E   // "baton"
    static let channel = "baton_events"
}

/// Event data as JSON with sorted keys, as JSONEncoder would write it.
private struct StringDictionary: JSONWritable {
    let values: [String: String]
    func write(to json: inout JSONText) { json.dictionary(values) { $0.string($1) } }
}
