import Fluent
import Vapor
import BatonCore

/// Everything a module brings to Baton, declared in one value. `configure` lists the modules once,
/// in order; the platform installs each: migrations, event kinds, jobs, routes, navigation and
/// its part of the OpenAPI document. Adding a module edits nothing outside its folders but that list.
struct BatonModule: Sendable {
    let name: String
    /// Appended in order after the platform's and the earlier modules'. Append only.
    var migrations: [any Migration] = []
    /// Each enum says, case by case, who sees the event and how it reads.
    var events: [any EventKinds.Type] = []
    var jobs: [JobDefinition] = []
    /// Jobs that run every so often (a sweep for due dates): queued at boot, each run queues the next.
    var recurring: [RecurringJob] = []
    /// Readers of the event log that see every committed event once, in order (`EventConsumer`).
    var consumers: [EventConsumer] = []
    /// JSON routes under `/api/v1`: signed in by default, tenancy-checked under `workspace`.
    var api: @Sendable (APIRoutes) throws -> Void = { _ in }
    /// HTML pages: every form post is CSRF-checked; `workspace` pages are tenancy-checked.
    var pages: @Sendable (PageRoutes) throws -> Void = { _ in }
    /// Every page's path: its routes and links are built from these (`#path` in templates).
    var paths: [PagePath] = []
    /// The page someone lands on in a workspace (after signing in, at `/w/{id}`), or nil to leave
    /// it to an earlier module: the last module listed that offers one wins.
    var landing: (@Sendable (_ workspaceID: UUID, _ userID: UUID, _ db: any Database) async throws -> PagePath?)? = nil
    /// The people a guest works with in this module (in Work: those on the guest's projects). A
    /// guest sees only the people some module names here, by name alone.
    var guestPeers: (@Sendable (_ workspaceID: UUID, _ guestID: UUID, _ db: any Database) async throws -> Set<UUID>)? = nil
    /// The rooms someone is in (in Messages: their channels), whose `.room` events they see.
    var rooms: (@Sendable (_ workspaceID: UUID, _ userID: UUID, _ db: any Database) async throws -> Set<UUID>)? = nil
    /// The page of an event's subject (`task`, `project`, …) this module owns, for the activity feed.
    var subjectLink: (@Sendable (_ subjectType: String, _ subjectID: UUID, _ workspaceID: UUID) -> String?)? = nil
    /// Who should hear of these events of this module's, and why (in Work: a task's owners and
    /// the people a comment mentions). The inbox drops the actor, people who may not see the
    /// event and kinds the person turned off.
    var notices: (@Sendable (_ events: [LoggedEvent], _ db: any Database) async throws -> [Notice])? = nil
    /// The kinds of notice this module raises, as people choose them in their settings.
    var noticeKinds: [NoticeKind] = []
    /// Buttons an inbox entry about one of this module's subjects offers its reader (approve or
    /// reject a request waiting for them), by subject id; the inbox renders them as one form.
    var noticeActions: (@Sendable (_ subjects: [(type: String, id: UUID)], _ viewer: WorkspaceAccess, _ db: any Database) async throws
        -> [UUID: NoticeActions])? = nil
    /// Sections this module adds to another module's page of a subject (the reminders on a task
    /// page), as HTML rendered for the viewer; each holds its own `data-live-region`.
    var subjectPanels: (@Sendable (_ panel: SubjectPanelRequest) async throws -> [String])? = nil
    /// Live summaries of this module's pages that texts link to (an approval request pasted into
    /// a message), by path, for those the viewer may see; the others stay plain links.
    var linkChips: (@Sendable (_ paths: [String], _ viewer: WorkspaceAccess, _ db: any Database) async throws -> [String: LinkChip])? = nil
    /// Counts shown beside this module's navigation entries, by the entry's `page` (the inbox's unread).
    var badges: (@Sendable (_ workspaceID: UUID, _ userID: UUID, _ db: any Database) async throws -> [String: Int])? = nil
    /// Links in the top bar, for pages of a workspace.
    var navigation: [NavigationEntry] = []
    /// The module's operations and schemas in `/api/v1/openapi.json`; the contract test holds
    /// them to the router and to every response the tests see.
    var operations: [APIOperation] = []
    var schemas: @Sendable () -> [String: Any] = { [:] }
}

/// A form on an inbox entry: it posts `action` (the button's value), `comment` when it asks for
/// one, and `back=inbox` to `url`.
struct NoticeActions: Sendable, Encodable {
    struct Button: Sendable, Encodable { let value: String; let label: String; let primary: Bool }
    let url: String
    /// What the reader decides on, in a line ("12,000 EUR · Manager step, then Finance").
    var summary: String? = nil
    let commentLabel: String?
    let buttons: [Button]
}

/// What a module's `subjectPanels` draws for: the page's request and the subject on it.
struct SubjectPanelRequest: Sendable {
    let req: Request
    let access: WorkspaceAccess
    let subjectType: String
    let subjectID: UUID
}

/// A durable job the module queues with `ctx.enqueue` and runs here.
struct JobDefinition: Sendable {
    let kind: JobKind
    /// Payload keys that hold secrets: dropped from the row once the job has finished or failed for good.
    var secretPayloadKeys: [String] = []
    let handler: JobHandler
}

/// A job of the module's `jobs` that runs every `interval`. One run per interval across all
/// processes (the dedupe key is the interval's number); a run that fails is retried as any job.
struct RecurringJob: Sendable {
    let kind: JobKind
    let interval: TimeInterval

    /// Queues the run for the interval that `date` falls in (nothing if it is queued already).
    func schedule(at date: Date, ctx: WriteContext) async throws {
        let slot = Int(date.timeIntervalSince1970 / interval)
        try await ctx.enqueue(kind, payload: [:], runAt: date, dedupeKey: "\(kind.rawValue):\(slot)")
    }

    /// Queues the next run, from inside this one.
    func scheduleNext(after now: Date, ctx: WriteContext) async throws {
        let next = (Double(Int(now.timeIntervalSince1970 / interval)) + 1) * interval
        try await schedule(at: Date(timeIntervalSince1970: next), ctx: ctx)
    }
}

/// One link in the top bar, to a page of the workspace; `page` is what a page passes as `nav` to
/// mark it current. Entries of all modules are shown in `order`.
struct NavigationEntry: Sendable, Equatable {
    let title: String
    let path: PagePath
    let page: String
    var order: Int
    /// `g` then this key opens the page.
    var shortcut: String? = nil
    var adminsOnly = false
    /// Hidden from guests (whose pages there would be a 404).
    var membersOnly = false
}
