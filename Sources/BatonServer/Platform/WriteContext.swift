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
        event.data = String(decoding: JSONText.encode(StringDictionary(values: data)), as: UTF8.self)
        event.createdAt = now
        drafts.append(event)
        draftData.append(data)
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
    ///
    /// On SQLite the inserts are sent without waiting for their answers: the writer runs its
    /// statements in order on one thread, every wait is a round trip between two threads while
    /// the write lock is held, and nothing after them in the transaction needs their ids. The
    /// store collects the ids before it commits (a failed insert fails the whole transaction).
    func flushEvents(dialect: DatabaseDialect, nodeID: String) async throws -> PendingEvents {
        guard !drafts.isEmpty else { return .resolved([]) }
        if dialect == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: EventOrdering.lockKey))").run()
        }
        let inserts = drafts.map { draft -> EventLoopFuture<[any SQLRow]> in
            sql.raw("""
                INSERT INTO events (workspace_id, actor_id, kind, subject_type, subject_id, data, created_at)
                VALUES (\(bind: draft.workspaceID), \(bind: draft.actorID), \(bind: draft.kind), \(bind: draft.subjectType),
                        \(bind: draft.subjectID), \(bind: draft.data), \(bind: draft.createdAt))
                RETURNING id
                """).all()
        }
        let pending = PendingEvents.sent(drafts: drafts, data: draftData, inserts: inserts)
        guard dialect == .postgres else { return pending }
        let logged = try await pending.logged()
        if let first = logged.first?.id, let last = logged.last?.id {
            // Delivered by PostgreSQL at commit, never for a rolled-back write.
            let payload = "\(nodeID):\(first):\(last)"
            try await sql.raw("SELECT pg_notify(\(bind: EventOrdering.channel), \(bind: payload))").run()
        }
        return .resolved(logged)
    }
}

/// Events inserted in a transaction: known already, or with their ids still on their way.
enum PendingEvents: @unchecked Sendable {
    case resolved([LoggedEvent])
    case sent(drafts: [EventRecord], data: [[String: String]], inserts: [EventLoopFuture<[any SQLRow]>])

    func logged() async throws -> [LoggedEvent] {
        switch self {
        case .resolved(let events): return events
        case .sent(let drafts, let data, let inserts): return try await Self.collect(drafts, data, inserts)
        }
    }

    private static func collect(_ drafts: [EventRecord], _ data: [[String: String]],
                                _ inserts: [EventLoopFuture<[any SQLRow]>]) async throws -> [LoggedEvent] {
        var logged: [LoggedEvent] = []
        for ((draft, data), insert) in zip(zip(drafts, data), inserts) {
            let id = try await insert.get().first?.decode(column: "id", as: Int.self) ?? 0
            logged.append(LoggedEvent(id: id, workspaceId: draft.workspaceID, actorId: draft.actorID, kind: draft.kind,
                                      subjectType: draft.subjectType, subjectId: draft.subjectID, data: data, createdAt: draft.createdAt))
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
