import Fluent
import Vapor
import BatonCore

/// The demo team for `baton demo`, created through the same services a real team uses, so its
/// history is in the event log like everyone else's. Running it again on a seeded database does nothing.
public enum DemoSeed {
    public static let password = "baton-demo-2026"
    static let workspaceName = "Acme Product"

    struct Person {
        let name: String
        let email: String
        let title: String
        let role: Role
    }

    static let manager = Person(name: "Maya Chen", email: "maya@acme.test", title: "Head of Product", role: .owner)
    static let members = [
        Person(name: "Daniel Okafor", email: "daniel@acme.test", title: "Engineering Lead", role: .admin),
        Person(name: "Priya Raman", email: "priya@acme.test", title: "Senior Product Designer", role: .member),
        Person(name: "Tom Becker", email: "tom@acme.test", title: "Backend Engineer", role: .member),
        Person(name: "Lena Novak", email: "lena@acme.test", title: "Frontend Engineer", role: .member),
        Person(name: "Sam Rivera", email: "sam@acme.test", title: "Product Analyst", role: .member),
        Person(name: "Aiko Tanaka", email: "aiko@acme.test", title: "QA Engineer", role: .member),
        Person(name: "Ruth Adler", email: "ruth@acme.test", title: "Finance Manager", role: .member),
    ]
    /// Engineers report to their lead; everyone else to Maya.
    static let reportsToDaniel: Set<String> = ["tom@acme.test", "lena@acme.test", "aiko@acme.test"]
    static let guest = Person(name: "Jordan Blake", email: "jordan@client.test", title: "Client stakeholder", role: .guest)
    static let teams = [
        ("Engineering", ["daniel@acme.test", "tom@acme.test", "lena@acme.test", "aiko@acme.test"], "daniel@acme.test"),
        ("Product & Design", ["maya@acme.test", "priya@acme.test", "sam@acme.test"], "maya@acme.test"),
        ("Finance", ["ruth@acme.test"], "ruth@acme.test"),
        ("Quality", ["aiko@acme.test"], "aiko@acme.test"),
    ]

    public struct Logins: Sendable {
        public let people: [(name: String, email: String, role: String)]

        public func banner(baseURL: String) -> String {
            var lines = ["", "Baton demo is running at \(baseURL)", "Sign in as any of these (password: \(DemoSeed.password)):"]
            for person in people {
                lines.append("  \(person.email.padding(toLength: 22, withPad: " ", startingAt: 0)) \(person.name) (\(person.role))")
            }
            lines.append("")
            return lines.joined(separator: "\n")
        }
    }

    public static func run(on app: Application, clock: DemoClock? = nil) async throws -> Logins {
        let everyone = [manager] + members + [guest]
        let logins = Logins(people: everyone.map { (name: $0.name, email: $0.email, role: $0.role.rawValue) })
        if try await User.query(on: app.db).filter(\.$email == manager.email).count() > 0 { return logins }

        let identity = app.identity
        let signup = try await identity.signup(email: manager.email, password: password, name: manager.name,
                                               workspaceName: workspaceName)
        let managerID = try signup.user.requireID()
        let workspaceID = try signup.workspace.requireID()
        let access = try await Tenancy.access(workspaceID, for: managerID, on: app.db)
        _ = try await identity.updateMember(access, userID: managerID, changes: .init(title: manager.title))

        var ids: [String: UUID] = [manager.email: managerID]
        for person in members + [guest] {
            let invitation = try await identity.invite(access, email: person.email, role: person.role)
            let secret = String(invitation.acceptURL.split(separator: "/").last ?? "")
            let accepted = try await identity.acceptInvitation(secret: secret, name: person.name, password: password, signedIn: nil,
                                                               address: "demo")
            let userID = try accepted.user.requireID()
            ids[person.email] = userID
            let reportsTo: UUID?? = person.role == .guest ? nil
                : .some(reportsToDaniel.contains(person.email) ? ids["daniel@acme.test"] ?? managerID : managerID)
            _ = try await identity.updateMember(access, userID: userID, changes: .init(managerID: reportsTo, title: person.title))
        }
        var teamIDs: [String: UUID] = [:]
        for (name, emails, lead) in teams {
            let team = try await identity.createTeam(access, name: name)
            teamIDs[name] = try team.requireID()
            for email in emails {
                if let userID = ids[email] { try await identity.addToTeam(access, teamID: try team.requireID(), userID: userID) }
            }
            try await identity.setTeamLead(access, teamID: try team.requireID(), leadID: ids[lead])
        }
        try await DemoWork.run(on: app, clock: clock, ownerID: managerID, workspaceID: workspaceID, people: ids)
        try await DemoApprovals.run(on: app, clock: clock, access: access, people: ids, teams: teamIDs)
        try await DemoMessages.run(on: app, clock: clock, access: access, people: ids)
        return logins
    }
}
