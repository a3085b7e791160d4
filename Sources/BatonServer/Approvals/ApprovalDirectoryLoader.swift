import Fluent
import SQLKit
import Foundation
import BatonCore

/// The organisation of one workspace as routing sees it now (`ApprovalDirectory`): reporting
/// lines, who is active (guests never approve), roles, team leads, absences, and the matrix's
/// approvers for one request's size. A "role" is the workspace role or a team's name ("Finance"):
/// both are set by admins. Job titles are not: anyone may edit their own, so they never route.
struct ApprovalOrg: Sendable {
    var directory: ApprovalDirectory
    /// Team ids of each member.
    var teams: [UUID: Set<UUID>]
    var teamMembers: [UUID: [UUID]]
    var teamIDs: Set<UUID>
    var teamNames: [UUID: String]
    var rights: DecisionRights
    /// Workspace role and lowercased team names of each active member.
    var rolesOf: [UUID: Set<String>]

    static func load(_ workspaceID: UUID, at moment: Date, on db: any Database) async throws -> ApprovalOrg {
        var directory = ApprovalDirectory()
        var rolesOf: [UUID: Set<String>] = [:]
        for row in try await PlainSQL.rows(on: db, """
            SELECT user_id, role, manager_id FROM memberships
            WHERE workspace_id = \(bind: workspaceID) AND deactivated_at IS NULL
            """) {
            let user = try row.decode(column: "user_id", as: UUID.self)
            let role = try row.decode(column: "role", as: String.self)
            if let manager = try row.decode(column: "manager_id", as: UUID?.self) { directory.managers[user] = manager }
            guard role != Role.guest.rawValue else { continue }
            directory.active.insert(user)
            rolesOf[user] = [role]
            directory.roles[role, default: []].append(user)
        }
        // Managers of deactivated members still count for handing over: their lines are read too.
        for row in try await PlainSQL.rows(on: db, """
            SELECT user_id, manager_id FROM memberships
            WHERE workspace_id = \(bind: workspaceID) AND deactivated_at IS NOT NULL AND manager_id IS NOT NULL
            """) {
            directory.managers[try row.decode(column: "user_id", as: UUID.self)] = try row.decode(column: "manager_id", as: UUID.self)
        }
        var teams: [UUID: Set<UUID>] = [:]
        var teamMembers: [UUID: [UUID]] = [:]
        for row in try await PlainSQL.rows(on: db, """
            SELECT team_members.team_id, team_members.user_id FROM team_members
            JOIN teams ON teams.id = team_members.team_id WHERE teams.workspace_id = \(bind: workspaceID)
            """) {
            let team = try row.decode(column: "team_id", as: UUID.self)
            let user = try row.decode(column: "user_id", as: UUID.self)
            teams[user, default: []].insert(team)
            teamMembers[team, default: []].append(user)
        }
        var teamIDs: Set<UUID> = []
        var teamNames: [UUID: String] = [:]
        for row in try await PlainSQL.rows(on: db, "SELECT id, name, lead_id FROM teams WHERE workspace_id = \(bind: workspaceID)") {
            let team = try row.decode(column: "id", as: UUID.self)
            teamIDs.insert(team)
            if let lead = try row.decode(column: "lead_id", as: UUID?.self) { directory.teamLeads[team] = lead }
            teamNames[team] = try row.decode(column: "name", as: String.self)
            let name = teamNames[team]!.trimmingCharacters(in: .whitespaces).lowercased()
            for member in teamMembers[team] ?? [] where directory.active.contains(member) {
                if !(directory.roles[name] ?? []).contains(member) { directory.roles[name, default: []].append(member) }
                rolesOf[member, default: []].insert(name)
            }
        }
        directory.absences = try await PlainSQL.rows(on: db, """
            SELECT out_of_office.user_id, out_of_office.substitute_id, out_of_office.starts_at, out_of_office.ends_at
            FROM out_of_office JOIN memberships ON memberships.user_id = out_of_office.user_id
            WHERE memberships.workspace_id = \(bind: workspaceID) AND out_of_office.ends_at > \(bind: moment)
            """).map { row in
            ApprovalDirectory.Absence(person: try row.decode(column: "user_id", as: UUID.self),
                                      substitute: try row.decode(column: "substitute_id", as: UUID.self),
                                      from: try row.decode(column: "starts_at", as: Date.self), until: try row.decode(column: "ends_at", as: Date.self))
        }
        let rights = try await PlainSQL.first(DecisionRightsRecord.self, on: db, "SELECT * FROM decision_rights WHERE workspace_id = \(bind: workspaceID)")?
            .matrix ?? DecisionRights()
        return ApprovalOrg(directory: directory, teams: teams, teamMembers: teamMembers, teamIDs: teamIDs, teamNames: teamNames, rights: rights,
                           rolesOf: rolesOf)
    }

    /// The directory for one request: the matrix's approvers of each decision type are those
    /// for this request's size and this requester's teams.
    func directory(for requester: UUID, size: DecisionSize) -> ApprovalDirectory {
        var result = directory
        for decision in rights.decisions {
            let holders = rights.approvers(of: decision.key, size: size, requesterTeams: teams[requester] ?? [])
            result.matrix[decision.key] = people(holding: holders)
        }
        return result
    }

    func people(holding holders: [DecisionRights.Holder]) -> [UUID] {
        var people: [UUID] = []
        for holder in holders {
            let found: [UUID]
            switch holder {
            case .role(let role): found = directory.roles[role.trimmingCharacters(in: .whitespaces).lowercased()] ?? []
            case .team(let team): found = (teamMembers[team] ?? []).filter(directory.active.contains)
            case .person(let person): found = [person]
            }
            for person in found where !people.contains(person) { people.append(person) }
        }
        return people
    }
}
