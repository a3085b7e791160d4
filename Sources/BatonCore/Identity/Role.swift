/// A person's role inside one workspace. Stored as its raw string.
public enum Role: String, Codable, CaseIterable, Sendable, Comparable {
    case guest, member, admin, owner

    private var rank: Int {
        switch self {
        case .guest: 0
        case .member: 1
        case .admin: 2
        case .owner: 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Admins and owners run the workspace: invitations, roles, managers, teams, the activity feed.
    public var canAdminister: Bool { self >= .admin }

    public var label: String { rawValue.capitalized }
}

/// Who may give whom which role. Only an owner makes or unmakes owners, and a workspace always keeps one.
public enum RoleChangeRule {
    public enum Refusal: Equatable, Sendable {
        case notAllowed(String)
        case lastOwner
    }

    public static func check(
        actor: Role, targetCurrent: Role, targetNew: Role, ownerCount: Int
    ) -> Refusal? {
        guard actor.canAdminister else { return .notAllowed("Only admins and owners can change roles.") }
        if (targetCurrent == .owner || targetNew == .owner) && actor != .owner {
            return .notAllowed("Only an owner can grant or remove the owner role.")
        }
        if targetCurrent == .owner && targetNew != .owner && ownerCount <= 1 {
            return .lastOwner
        }
        return nil
    }
}
