import Vapor

/// Everything the server needs to know at start-up, read once: flags > environment > defaults.
public struct BatonConfig: Sendable {
    public enum DatabaseChoice: Sendable, Equatable {
        case sqlite(path: String)
        case postgres(url: String)

        /// A relative SQLite path is relative to the directory Baton was started in.
        public static func absolute(sqlitePath path: String) -> String {
            path.hasPrefix("/") ? path
                : URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/" + path).standardizedFileURL.path
        }
    }

    public var database: DatabaseChoice
    /// Installed after the built-in ones: how the tests prove that a new module gets the seam's
    /// guarantees (sign-in, tenancy, CSRF, its events and jobs) without editing anything else.
    var additionalModules: [BatonModule] = []
    /// Base of links the server hands out (invitation accept links); defaults to the listen address.
    public var publicURL: String?
    public var bcryptCost: Int
    /// Job workers and the PostgreSQL listener run in the server; commands like `migrate` switch them off.
    public var runsBackgroundWork: Bool
    public var jobPollInterval: Duration
    public var sessionLifetime: TimeInterval
    /// PostgreSQL connections per event loop, for reads and again for writes (two pools).
    public var postgresConnectionsPerLoop = 4
    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed (`BATON_TRUSTED_PROXIES`,
    /// comma-separated). Nobody else's is: a client could name any address it likes.
    public var trustedProxies: Set<String> = []
    /// When set, `/metrics` also answers to `Authorization: Bearer <token>` from other hosts
    /// (`BATON_METRICS_TOKEN`); without it only loopback clients may read it.
    public var metricsToken: String?
    /// The directory holding `Resources/Views` and `Public` (`--resources`, `BATON_RESOURCES`);
    /// nil: found next to the executable (ResourceDirectory).
    public var resources: String?
    /// The mail server (`BATON_SMTP_*`); nil: emails are held in the outbox and written to the log.
    public var smtp: SMTPSettings?
    /// Mail settings that cannot work: the server refuses to start and says why.
    public var smtpProblem: String?
    /// Rule webhooks may post to loopback and private addresses (`BATON_WEBHOOK_ALLOW_PRIVATE=1`):
    /// off by default, so that a project lead cannot make the server probe its own network.
    public var webhooksMayReachPrivateHosts = false

    public init(
        database: DatabaseChoice,
        publicURL: String? = nil,
        bcryptCost: Int = 12,
        runsBackgroundWork: Bool = true,
        jobPollInterval: Duration = .milliseconds(500),
        sessionLifetime: TimeInterval = 30 * 24 * 3600
    ) {
        self.database = database
        self.publicURL = publicURL
        self.bcryptCost = bcryptCost
        self.runsBackgroundWork = runsBackgroundWork
        self.jobPollInterval = jobPollInterval
        self.sessionLifetime = sessionLifetime
    }

    /// `--db` wins, then `DATABASE_URL` (PostgreSQL), then `BATON_DB`, then `./baton.sqlite`.
    public static func resolve(dbFlag: String?, environment: [String: String] = ProcessInfo.processInfo.environment,
                               defaultSQLitePath: String = "baton.sqlite") -> BatonConfig {
        let choice: DatabaseChoice
        if let flag = dbFlag, !flag.isEmpty {
            choice = flag.hasPrefix("postgres://") || flag.hasPrefix("postgresql://") ? .postgres(url: flag) : .sqlite(path: flag)
        } else if let url = environment["DATABASE_URL"], !url.isEmpty {
            choice = .postgres(url: url)
        } else if let path = environment["BATON_DB"], !path.isEmpty {
            choice = .sqlite(path: path)
        } else {
            choice = .sqlite(path: defaultSQLitePath)
        }
        var config = BatonConfig(database: choice, publicURL: environment["BATON_PUBLIC_URL"])
        if let cost = environment["BATON_BCRYPT_COST"].flatMap(Int.init), (4...31).contains(cost) {
            config.bcryptCost = cost
        }
        config.trustedProxies = Set((environment["BATON_TRUSTED_PROXIES"] ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
        if let token = environment["BATON_METRICS_TOKEN"], token.count >= 16 { config.metricsToken = token }
        config.resources = environment["BATON_RESOURCES"].flatMap { $0.isEmpty ? nil : $0 }
        config.webhooksMayReachPrivateHosts = environment["BATON_WEBHOOK_ALLOW_PRIVATE"] == "1"
        do { config.smtp = try SMTPSettings.fromEnvironment(environment) } catch { config.smtpProblem = String(describing: error) }
        return config
    }
}

extension Application {
    private struct ConfigKey: StorageKey { typealias Value = BatonConfig }

    public var batonConfig: BatonConfig {
        get {
            guard let config = storage[ConfigKey.self] else { fatalError("configure(_:config:) was not called") }
            return config
        }
        set { storage[ConfigKey.self] = newValue }
    }

    /// Cookies carry `Secure` when people reach Baton over https.
    var cookiesAreSecure: Bool { batonConfig.publicURL?.lowercased().hasPrefix("https://") ?? false }

    /// Absolute base URL for links, without a trailing slash.
    var publicBaseURL: String {
        if let url = batonConfig.publicURL, !url.isEmpty {
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        let server = http.server.configuration
        return "http://\(server.hostname):\(server.port)"
    }
}
