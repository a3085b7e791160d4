import Foundation
import NIOConcurrencyHelpers
import PostgresNIO
import FluentPostgresDriver
import Testing
import Vapor
import VaporTesting
@testable import BatonServer

/// The databases every HTTP test runs on: SQLite always, PostgreSQL when BATON_TEST_POSTGRES_URL is set.
enum TestDatabase: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    static var available: [TestDatabase] {
        ProcessInfo.processInfo.environment["BATON_TEST_POSTGRES_URL"]?.isEmpty == false ? [.sqlite, .postgres] : [.sqlite]
    }

    var testDescription: String { rawValue }
}

/// Time that a test moves by hand.
final class TestClock: Sendable {
    private let current = NIOLockedValueBox(Date(timeIntervalSince1970: 1_800_000_000))
    var now: Date { current.withLockedValue { $0 } }
    func advance(_ seconds: TimeInterval) { current.withLockedValue { $0 = $0.addingTimeInterval(seconds) } }
    var batonClock: BatonClock { BatonClock { [self] in self.now } }
}

/// A fresh database for one test: a new SQLite file, or a new PostgreSQL database dropped afterwards.
struct ScratchDatabase: Sendable {
    let choice: BatonConfig.DatabaseChoice
    private let cleanup: @Sendable () async -> Void

    static func make(_ kind: TestDatabase) async throws -> ScratchDatabase {
        let suffix = UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
        switch kind {
        case .sqlite:
            let path = NSTemporaryDirectory() + "baton-test-\(suffix).sqlite"
            return ScratchDatabase(choice: .sqlite(path: path)) {
                for extra in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + extra) }
            }
        case .postgres:
            let adminURL = ProcessInfo.processInfo.environment["BATON_TEST_POSTGRES_URL"]!
            let name = "baton_t_\(suffix)"
            try await PostgresAdmin.run("CREATE DATABASE \(name)", url: adminURL)
            var components = URLComponents(string: adminURL)!
            components.path = "/" + name
            return ScratchDatabase(choice: .postgres(url: components.string!)) {
                try? await PostgresAdmin.run("DROP DATABASE IF EXISTS \(name) WITH (FORCE)", url: adminURL)
            }
        }
    }

    func drop() async { await cleanup() }
}

enum PostgresAdmin {
    static func run(_ statement: String, url: String) async throws {
        let config = try SQLPostgresConfiguration(url: url).coreConfiguration
        let logger = Logger(label: "test-admin")
        let connection = try await PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(), configuration: config, id: 1, logger: logger)
        defer { Task { try? await connection.close() } }
        try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
    }
}

/// Tests run side by side, except those that measure how long answers take or hammer a pool
/// with concurrent requests: those run alone (`exclusive`), so that they measure Baton and not
/// the hundred other tests sharing the machine's two cores. Everyone else waits while one runs.
actor TestLoad {
    static let shared = TestLoad()
    @TaskLocal static var holdsLease = false

    private var running = 0
    private var exclusive = false
    private var queue: [(exclusive: Bool, continuation: CheckedContinuation<Void, Never>)] = []

    func enter(exclusive wantsExclusive: Bool) async {
        if queue.isEmpty && !exclusive && (!wantsExclusive || running == 0) {
            grant(wantsExclusive)
            return
        }
        await withCheckedContinuation { queue.append((wantsExclusive, $0)) }
    }

    func leave(exclusive wasExclusive: Bool) {
        if wasExclusive { exclusive = false } else { running -= 1 }
        while let next = queue.first, !exclusive, !next.exclusive || running == 0 {
            queue.removeFirst()
            grant(next.exclusive)
            next.continuation.resume()
        }
    }

    private func grant(_ wantsExclusive: Bool) {
        if wantsExclusive { exclusive = true } else { running += 1 }
    }
}

/// Builds the real application on a scratch database, runs the test, and tears everything down.
func withBaton<T>(
    _ kind: TestDatabase,
    clock: TestClock? = nil,
    backgroundWork: Bool = false,
    database: ScratchDatabase? = nil,
    exclusive: Bool = false,
    config tweak: (inout BatonConfig) -> Void = { _ in },
    _ body: (Application) async throws -> T
) async throws -> T {
    guard !TestLoad.holdsLease else {
        return try await runBaton(kind, clock: clock, backgroundWork: backgroundWork, database: database, config: tweak, body)
    }
    await TestLoad.shared.enter(exclusive: exclusive)
    do {
        let result = try await TestLoad.$holdsLease.withValue(true) {
            try await runBaton(kind, clock: clock, backgroundWork: backgroundWork, database: database, config: tweak, body)
        }
        await TestLoad.shared.leave(exclusive: exclusive)
        return result
    } catch {
        await TestLoad.shared.leave(exclusive: exclusive)
        throw error
    }
}

private func runBaton<T>(
    _ kind: TestDatabase, clock: TestClock?, backgroundWork: Bool, database: ScratchDatabase?,
    config tweak: (inout BatonConfig) -> Void, _ body: (Application) async throws -> T
) async throws -> T {
    let scratch: ScratchDatabase
    if let database { scratch = database } else { scratch = try await ScratchDatabase.make(kind) }
    let app = try await startApp(on: scratch, clock: clock, backgroundWork: backgroundWork, config: tweak)
    do {
        let result = try await body(app)
        try await app.asyncShutdown()
        if database == nil { await scratch.drop() }
        return result
    } catch {
        try? await app.asyncShutdown()
        if database == nil { await scratch.drop() }
        throw error
    }
}

func startApp(on scratch: ScratchDatabase, clock: TestClock?, backgroundWork: Bool,
              config tweak: (inout BatonConfig) -> Void = { _ in }) async throws -> Application {
    let app = try await Application.make(.testing)
    app.logger.logLevel = .warning
    if let clock { app.clock = clock.batonClock }
    var config = BatonConfig(database: scratch.choice, publicURL: "http://baton.test", bcryptCost: 4,
                             runsBackgroundWork: backgroundWork, jobPollInterval: .milliseconds(50))
    config.postgresConnectionsPerLoop = 2
    tweak(&config)
    do {
        try await configure(app, config: config)
        try await app.asyncBoot()
    } catch {
        try? await app.asyncShutdown()
        throw error
    }
    return app
}
