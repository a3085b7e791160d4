import ArgumentParser
import NIOCore
import NIOPosix
import BatonServer

@main
struct Baton: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "baton",
        abstract: "Baton, the self-hosted delegation workspace.",
        version: BatonVersion.number,
        subcommands: [Serve.self, Migrate.self, Demo.self, UserCommands.self, TokenCommands.self],
        defaultSubcommand: Serve.self
    )

    /// Runs Swift concurrency on NIO's event loops, as Vapor's template suggests: a database query
    /// then resumes on the loop that ran it instead of hopping to another thread pool and back.
    static func main() async {
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        await main(nil)
    }
}

/// Options every command that opens the database shares.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite file path or postgres:// URL (default: $DATABASE_URL, $BATON_DB, ./baton.sqlite).")
    var db: String?
}

/// Where templates and static files are, for the commands that serve pages.
struct ResourceOptions: ParsableArguments {
    @Option(name: .long, help: "Directory holding Resources/Views and Public (default: $BATON_RESOURCES, else next to the binary).")
    var resources: String?

    func apply(to config: inout BatonConfig) {
        if let resources { config.resources = resources }
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the web server (migrations run first).")

    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Port to listen on.") var port = 8080
    @OptionGroup var database: DatabaseOptions
    @OptionGroup var resources: ResourceOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535.") }
    }

    func run() async throws {
        var config = BatonConfig.resolve(dbFlag: database.db)
        resources.apply(to: &config)
        try await Runner.serve(config: config, hostname: hostname, port: port)
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Bring the database schema up to date and exit.")
    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        try await Runner.withApp(config: BatonConfig.resolve(dbFlag: database.db)) { _ in
            print("Database is up to date.")
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Start Baton with a realistic demo team in ./baton-demo.sqlite.")

    @Option(help: "Port to listen on.") var port = 8080
    @Option(help: "Address to listen on.") var hostname = "127.0.0.1"
    @Option(help: "Demo database (SQLite path or postgres:// URL).") var db = "baton-demo.sqlite"
    @OptionGroup var resources: ResourceOptions

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port must be between 1 and 65535.") }
    }

    func run() async throws {
        var config = BatonConfig.resolve(dbFlag: db)
        resources.apply(to: &config)
        config.bcryptCost = min(config.bcryptCost, 10)
        let demoClock = DemoClock()
        try await Runner.serve(config: config, hostname: hostname, port: port, clock: demoClock.clock) { app in
            let logins = try await DemoSeed.run(on: app, clock: demoClock)
            print(logins.banner(baseURL: "http://\(hostname):\(port)"))
        }
    }
}
