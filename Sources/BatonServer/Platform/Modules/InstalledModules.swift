import Fluent
import Vapor
import BatonCore

/// The modules `configure` installed, and what the platform gathered from them.
struct InstalledModules: Sendable {
    /// `contract` is immutable once built.
    let list: [BatonModule]
    let events: EventCatalog
    let navigation: [NavigationEntry]
    let contract: OpenAPIContract
    /// Every page path, by name.
    let paths: [String: PagePath]

    init(_ list: [BatonModule]) {
        precondition(Set(list.map(\.name)).count == list.count, "a module is listed twice")
        self.list = list
        events = EventCatalog(list.flatMap(\.events))
        navigation = list.flatMap(\.navigation).sorted { $0.order < $1.order }
        paths = Dictionary(list.flatMap(\.paths).map { ($0.name, $0) }) { first, _ in
            preconditionFailure("page path \(first.name) is declared twice")
        }
        for entry in navigation {
            // caught at start-up, not on the first page drawn
            precondition(paths[entry.path.name] == entry.path && entry.path.pattern.hasPrefix("/w/:workspaceID")
                         && entry.path.parameterCount == 1, "navigation entry \(entry.title) must name a declared page of the workspace")
        }
        let schemas = list.reduce(PlatformAPI.schemas) { all, module in
            all.merging(module.schemas()) { _, _ in preconditionFailure("a schema is declared by two modules") }
        }
        precondition(Set(list.flatMap(\.noticeKinds).map(\.rawValue)).count == list.flatMap(\.noticeKinds).count,
                     "a notice kind is declared twice")
        precondition(Set(list.flatMap(\.consumers).map(\.name)).count == list.flatMap(\.consumers).count,
                     "an event consumer is declared twice")
        contract = OpenAPIContract(operations: PlatformAPI.operations + list.flatMap(\.operations), schemas: schemas)
    }

    var migrations: [any Migration] { PlatformMigrations.all + list.flatMap(\.migrations) }
    var jobs: [JobDefinition] { PlatformJobs.all + list.flatMap(\.jobs) }
    var consumers: [EventConsumer] { list.flatMap(\.consumers) }
    var recurring: [RecurringJob] { list.flatMap(\.recurring) }
    var noticeKinds: [NoticeKind] { list.flatMap(\.noticeKinds) }

    /// Every module's notices for these events, in module order.
    func notices(for events: [LoggedEvent], on db: any Database) async throws -> [Notice] {
        var all: [Notice] = []
        for module in list { if let found = try await module.notices?(events, db) { all += found } }
        return all
    }

    /// The buttons inbox entries offer, by subject id.
    func noticeActions(_ subjects: [(type: String, id: UUID)], viewer: WorkspaceAccess, on db: any Database) async throws -> [UUID: NoticeActions] {
        var all: [UUID: NoticeActions] = [:]
        for module in list { if let found = try await module.noticeActions?(subjects, viewer, db) { all.merge(found) { first, _ in first } } }
        return all
    }

    /// The other modules' sections for a subject's page, in module order.
    func panels(_ request: SubjectPanelRequest) async throws -> [String] {
        var all: [String] = []
        for module in list { if let found = try await module.subjectPanels?(request) { all += found } }
        return all
    }

    /// The counts beside the navigation entries, by page.
    func badges(workspaceID: UUID, userID: UUID, on db: any Database) async throws -> [String: Int] {
        var all: [String: Int] = [:]
        for module in list { if let found = try await module.badges?(workspaceID, userID, db) { all.merge(found) { $1 } } }
        return all
    }

    /// Everyone a guest may see: themselves and whoever any module says they work with.
    func guestPeers(workspaceID: UUID, guestID: UUID, on db: any Database) async throws -> Set<UUID> {
        var peers: Set<UUID> = [guestID]
        for module in list { if let found = try await module.guestPeers?(workspaceID, guestID, db) { peers.formUnion(found) } }
        return peers
    }

    /// Who the caller is for event visibility (the live socket, the catch-up feed, the inbox):
    /// their role, a guest's projects, and the rooms every module says they are in.
    func viewer(_ access: WorkspaceAccess, on db: any Database) async throws -> EventVisibility.Viewer<UUID> {
        var viewer = try await WorkScope.viewer(access, on: db)
        for module in list { if let rooms = try await module.rooms?(access.workspaceID, access.userID, db) { viewer.rooms.formUnion(rooms) } }
        return viewer
    }

    /// The page an event's subject lives on, from whichever module owns it.
    /// Every module's live summaries of the workspace pages `paths` name, by path.
    func linkChips(_ paths: [String], viewer: WorkspaceAccess, on db: any Database) async throws -> [String: LinkChip] {
        guard !paths.isEmpty else { return [:] }
        var all: [String: LinkChip] = [:]
        for module in list { if let found = try await module.linkChips?(paths, viewer, db) { all.merge(found) { first, _ in first } } }
        return all
    }

    func subjectLink(type: String, id: UUID?, workspaceID: UUID) -> String? {
        guard let id else { return nil }
        return list.lazy.compactMap { $0.subjectLink?(type, id, workspaceID) }.first
    }

    /// Where `userID` lands in a workspace: the last module's landing page that has one for them.
    func landing(workspaceID: UUID, userID: UUID, on db: any Database) async throws -> String {
        for module in list.reversed() {
            if let path = try await module.landing?(workspaceID, userID, db), path.parameterCount == 1 { return path.url(workspaceID) }
        }
        preconditionFailure("no module offers a landing page (Identity always does)")
    }

    /// Routes: the platform's, then each module's behind the builders that enforce sign-in,
    /// tenancy and CSRF.
    func registerRoutes(on app: Application) throws {
        let api = app.grouped("api", "v1")
        let apiRoutes = APIRoutes(api)
        let pageRoutes = PageRoutes(app)
        try PlatformAPI.register(apiRoutes)
        try app.register(collection: OpsRoutes())
        for module in list {
            try module.api(apiRoutes)
            try module.pages(pageRoutes)
        }
    }
}

extension Application {
    private struct ModulesKey: StorageKey { typealias Value = InstalledModules }

    var modules: InstalledModules {
        get {
            guard let modules = storage[ModulesKey.self] else { fatalError("configure has not installed the modules") }
            return modules
        }
        set { storage[ModulesKey.self] = newValue }
    }
}

extension Request {
    /// For a guest, the people they may see; nil for everyone else (who sees the whole workspace).
    func guestPeers(_ access: WorkspaceAccess) async throws -> Set<UUID>? {
        guard access.role == .guest else { return nil }
        return try await application.modules.guestPeers(workspaceID: access.workspaceID, guestID: access.userID, on: reader)
    }
}
