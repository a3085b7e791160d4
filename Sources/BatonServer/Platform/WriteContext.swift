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
    /// Events written in bulk and not announced one by one (the rows of an import).
    private var quietStatements: [SerializedStatement] = []
    private(set) var enqueuedJobs = 0
    /// A context that prepares a write without making it: inserts and events are kept, to be
    /// written later in bulk by a real write (`adopt`). Its `db` is for reads only.
    private let preparing: Bool
    private var preparedRows: [(table: String, rows: [ModelColumns])] = []
    private var preparedStatements: [SerializedStatement] = []
    private var preparedEventStatements: [SerializedStatement] = []

    /// Data added to every event recorded here (a preparing import marks its rows' events; a
    /// rule's write marks its events with the rule and its depth, `addTag`).
    private var eventTag: [String: String]

    init(db: any Database, now: Date, preparing: Bool = false, eventTag: [String: String] = [:]) {
        self.db = db
        self.now = now
        self.preparing = preparing
        self.eventTag = eventTag
    }

    /// Adds `tag` to the data of every event recorded from now on.
    func addTag(_ tag: [String: String]) { eventTag.merge(tag) { $1 } }

    /// Inserts a new row: at once in a write, kept for later when preparing.
    func insert<M: Model>(_ model: M) async throws where M.IDValue == UUID {
        guard preparing else { return try await PlainSQL.insert(model, on: db) }
        if model.id == nil { model.id = UUID() }
        if let index = preparedRows.firstIndex(where: { $0.table == M.schema }) {
            preparedRows[index].rows.append(ModelColumns(of: model))
        } else {
            preparedRows.append((M.schema, [ModelColumns(of: model)]))
        }
        model._$idExists = true
    }

    /// Writes a preparing context's rows and events as finished statements (multi-row INSERTs,
    /// table by table in the order they were first used), ready for `adopt`.
    func finishPreparing() throws {
        precondition(preparing, "only a preparing context has statements to finish")
        preparedStatements = try preparedRows.flatMap { table, rows in
            try PlainSQL.insertStatements(into: table, rows: rows).map { SerializedStatement($0, for: sql) }
        }
        preparedRows.removeAll()
        preparedEventStatements = Self.eventInserts(drafts).map { SerializedStatement($0, for: sql) }
        drafts.removeAll()
        draftData.removeAll()
    }

    /// Runs what a preparing context finished: its rows, and its events (in bulk, not announced
    /// one by one: they go in with this write's events, under PostgreSQL's event-order lock).
    func adopt(_ prepared: WriteContext) async throws {
        for statement in prepared.preparedStatements { try await sql.execute(sql: statement) { _ in } }
        quietStatements.append(contentsOf: prepared.preparedEventStatements)
    }

    var sql: any SQLDatabase { db as! any SQLDatabase }

    /// Collecting rows for a later write (an import's plan) rather than writing them now.
    var isPreparing: Bool { preparing }

    public func record(_ kind: some EventKinds, workspace: UUID?, actor: UUID?, subject: EventSubject,
                       data given: [String: String] = [:]) {
        let data = eventTag.isEmpty ? given : given.merging(eventTag) { $1 }
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
        guard !drafts.isEmpty || !quietStatements.isEmpty else { return [] }
        if dialect == .postgres {
            try await sql.raw("SELECT pg_advisory_xact_lock(\(bind: EventOrdering.lockKey))").run()
        }
        // The quiet ones first, so that a PostgreSQL NOTIFY range covers only the announced ones.
        for statement in quietStatements { try await sql.execute(sql: statement) { _ in } }
        quietStatements.removeAll()
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

extension WriteContext {
    /// Multi-row INSERTs of events.
    fileprivate static func eventInserts(_ drafts: [EventRecord]) -> [SQLQueryString] {
        let columns = 8
        let perStatement = PlainSQL.bindsPerStatement / columns
        return stride(from: 0, to: drafts.count, by: perStatement).map { start in
            var query = SQLQueryString(
                "INSERT INTO events (workspace_id, actor_id, kind, subject_type, subject_id, project_id, data, created_at) VALUES ")
            for (index, draft) in drafts[start..<min(drafts.count, start + perStatement)].enumerated() {
                query.appendInterpolation(unsafeRaw: index > 0 ? ", (" : "(")
                let values: [any Encodable & Sendable] = [draft.workspaceID, draft.actorID, draft.kind, draft.subjectType, draft.subjectID,
                                                          draft.projectID, draft.data, draft.createdAt]
                for (position, value) in values.enumerated() {
                    if position > 0 { query.appendInterpolation(unsafeRaw: ", ") }
                    query.appendInterpolation(bind: value)
                }
                query.appendInterpolation(unsafeRaw: ")")
            }
            return query
        }
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
