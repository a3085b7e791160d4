import Foundation

public enum InvitationRules {
    public static let lifetime: TimeInterval = 7 * 24 * 3600

    public static func expiry(from created: Date) -> Date { created.addingTimeInterval(lifetime) }

    public enum State: String, Codable, Sendable {
        case pending, accepted, revoked, expired
    }

    /// The state a person sees, given what is stored and the time now.
    public static func state(acceptedAt: Date?, revokedAt: Date?, expiresAt: Date, now: Date) -> State {
        if acceptedAt != nil { return .accepted }
        if revokedAt != nil { return .revoked }
        if now >= expiresAt { return .expired }
        return .pending
    }

    /// Guests and members can be invited by admins; only owners may invite owners.
    public static func mayInvite(actor: Role, as role: Role) -> Bool {
        actor.canAdminister && (role != .owner || actor == .owner)
    }
}
