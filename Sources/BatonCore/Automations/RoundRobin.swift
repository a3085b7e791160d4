import Foundation

/// Turns within a team: members in a fixed order (by id), the one after the last chosen, from
/// the start again after the end or when the last one has left the team.
public enum RoundRobin {
    public static func next(after last: UUID?, among members: [UUID]) -> UUID? {
        let order = members.sorted { $0.uuidString < $1.uuidString }
        guard let last, let index = order.firstIndex(of: last) else { return order.first }
        return order[(index + 1) % order.count]
    }
}

/// Where an outgoing webhook may go: not to this machine or the private network it sits in
/// (unless the installation allows it), so that a rule cannot make the server probe inside.
public enum WebhookAddress {
    /// Whether an IPv4 or IPv6 address (as text) is loopback, private, link-local or otherwise
    /// not on the public internet.
    public static func isPrivate(_ address: String) -> Bool {
        let text = address.lowercased()
        if text.contains(":") {
            if text == "::1" || text == "::" { return true }
            if text.hasPrefix("fe8") || text.hasPrefix("fe9") || text.hasPrefix("fea") || text.hasPrefix("feb") { return true }
            if text.hasPrefix("fc") || text.hasPrefix("fd") { return true }
            if text.hasPrefix("::ffff:") { return isPrivate(String(text.dropFirst(7))) }
            if text.hasPrefix("64:ff9b:") || text.hasPrefix("2001:db8:") { return true }   // NAT64 and documentation
            return false
        }
        let parts = text.split(separator: ".").compactMap { Int($0) }
        guard parts.count == 4 else { return true }
        switch (parts[0], parts[1]) {
        case (0, _), (10, _), (127, _): return true
        case (169, 254), (192, 168): return true
        case (172, 16...31): return true
        case (100, 64...127): return true
        case (198, 18...19), (192, 0): return true   // benchmarking, IETF protocol assignments
        default: return parts[0] >= 224
        }
    }
}
