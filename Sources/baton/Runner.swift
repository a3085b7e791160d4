import ArgumentParser
import BatonServer
import Foundation
import Logging
import Vapor

/// Builds the application for a command, and turns start-up failures into one clear line.
enum Runner {
    static func makeApp(config: BatonConfig, arguments: [String], clock: BatonClock? = nil) async throws -> Application {
        var env = Environment(name: ProcessInfo.processInfo.environment["BATON_ENV"] ?? "production", arguments: arguments)
        try LoggingBootstrap.once(&env)
        let app = try await Application.make(env)
        if let clock { app.clock = clock }
        do {
            try await configure(app, config: config)
        } catch {
            try? await app.asyncShutdown()
            throw CommandFailure(describe(error, config: config))
        }
        return app
    }

    static func withApp(config: BatonConfig, _ body: (Application) async throws -> Void) async throws {
        var config = config
        config.runsBackgroundWork = false
        let app = try await makeApp(config: config, arguments: ["baton"])
        do {
            try await body(app)
        } catch {
            try? await app.asyncShutdown()
            throw CommandFailure(describe(error, config: config))
        }
        try await app.asyncShutdown()
    }

    static func serve(config: BatonConfig, hostname: String, port: Int, clock: BatonClock? = nil,
                      beforeServing: ((Application) async throws -> Void)? = nil) async throws {
        let app = try await makeApp(config: config,
                                    arguments: ["baton", "serve", "--hostname", hostname, "--port", String(port)], clock: clock)
        app.http.server.configuration.hostname = hostname
        app.http.server.configuration.port = port
        app.logger.notice("Baton \(BatonVersion.number): database \(location(of: config)), resources \(app.directory.resourcesDirectory.dropLast("Resources/".count))")
        do {
            try await beforeServing?(app)
            try await app.execute()
        } catch {
            try? await app.asyncShutdown()
            throw CommandFailure(describe(error, config: config))
        }
        try await app.asyncShutdown()
    }

    static func describe(_ error: any Error, config: BatonConfig) -> String {
        if let error = error as? BatonError {
            return error.field.map { "\($0): \(error.message)" } ?? error.message
        }
        if let error = error as? ResourceDirectory.ResourcesMissing { return error.message }
        return "cannot use the database (\(location(of: config))): \(String(describing: error))"
    }

    private static func location(of config: BatonConfig) -> String {
        switch config.database {
        case .sqlite(let path):
            return "SQLite file \(BatonConfig.DatabaseChoice.absolute(sqlitePath: path))"
        case .postgres(let url):
            return "PostgreSQL at \(redact(url))"
        }
    }

    private static func redact(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the configured URL" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the configured URL"
    }
}

/// A failure that has already been put into words: printed as one line, exit code 1.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

enum LoggingBootstrap {
    nonisolated(unsafe) private static var done = false
    static func once(_ env: inout Environment) throws {
        guard !done else { return }
        done = true
        try LoggingSystem.bootstrap(from: &env)
    }
}
