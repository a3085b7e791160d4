import ArgumentParser
import BatonServer
import BatonCore

struct UserCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Create users and reset passwords.",
        subcommands: [Create.self, ResetPassword.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a user in a workspace (made if it does not exist).")
        @Option var email: String
        @Option var name: String
        @Option(help: "At least 10 characters.") var password: String
        @Option(help: "Workspace name; created with this user as owner when new.") var workspace: String
        @Option(help: "Role when joining an existing workspace: owner, admin, member or guest.") var role: Role = .member
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await Runner.withApp(config: BatonConfig.resolve(dbFlag: database.db)) { app in
                let user = try await app.cli.createUser(email: email, name: name, password: password,
                                                        workspaceName: workspace, role: role)
                print("Created \(user.email) (\(user.id)).")
            }
        }
    }

    struct ResetPassword: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-password", abstract: "Set a new password and sign the user out everywhere.")
        @Option var email: String
        @Option(help: "At least 10 characters.") var password: String
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await Runner.withApp(config: BatonConfig.resolve(dbFlag: database.db)) { app in
                try await app.cli.resetPassword(email: email, password: password)
                print("Password reset for \(email); their sessions were signed out.")
            }
        }
    }
}

struct TokenCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Personal API tokens.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a personal API token and print it once.")
        @Option var email: String
        @Option var name = "CLI token"
        @OptionGroup var database: DatabaseOptions

        func run() async throws {
            try await Runner.withApp(config: BatonConfig.resolve(dbFlag: database.db)) { app in
                print(try await app.cli.createToken(email: email, name: name))
            }
        }
    }
}

extension Role: ExpressibleByArgument {}
