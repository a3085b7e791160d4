/// One line of the activity feed for an event, e.g. "Maya Chen changed Tom Becker's role from member to admin".
public enum EventSentence {
    /// `name` turns a user id (as a string) into a display name.
    public static func describe(kind: String, actor: String?, subject: String?, data: [String: String],
                                name: (String) -> String) -> String {
        let who = actor.map(name) ?? "Baton"
        let person = subject.map(name) ?? "someone"
        let owner = possessive(person)
        guard let known = EventKind(rawValue: kind) else { return "\(who) did \(kind)" }
        switch known {
        case .workspaceCreated: return "\(who) created the workspace \(data["name"] ?? "")"
        case .workspaceRenamed: return "\(who) renamed the workspace to \(data["name"] ?? "")"
        case .memberInvited: return "\(who) invited \(data["email"] ?? "someone") as \(data["role"] ?? "member")"
        case .invitationRevoked: return "\(who) revoked the invitation for \(data["email"] ?? "someone")"
        case .invitationExpired: return "The invitation for \(data["email"] ?? "someone") expired"
        case .memberJoined: return "\(person) joined as \(data["role"] ?? "member")"
        case .memberRoleChanged: return "\(who) changed \(owner) role from \(data["from"] ?? "?") to \(data["to"] ?? "?")"
        case .memberManagerChanged:
            let to = data["to"].flatMap { $0.isEmpty ? nil : name($0) }
            return to.map { "\(who) set \(owner) manager to \($0)" } ?? "\(who) cleared \(owner) manager"
        case .memberTitleChanged: return "\(who) changed \(owner) title to “\(data["to"] ?? "")”"
        case .memberDeactivated: return "\(who) deactivated \(person)"
        case .memberReactivated: return "\(who) reactivated \(person)"
        case .teamCreated: return "\(who) created the team \(data["name"] ?? "")"
        case .teamMemberAdded: return "\(who) added \(data["user_id"].map(name) ?? "someone") to \(data["team"] ?? "a team")"
        case .teamMemberRemoved: return "\(who) removed \(data["user_id"].map(name) ?? "someone") from \(data["team"] ?? "a team")"
        case .profileUpdated: return "\(who) updated their profile"
        case .passwordChanged: return "\(who) changed their password"
        case .passwordReset: return "An administrator reset \(owner) password"
        case .tokenCreated: return "\(who) created the API token “\(data["name"] ?? "")”"
        case .tokenRevoked: return "\(who) revoked the API token “\(data["name"] ?? "")”"
        case .signedIn: return "\(who) signed in"
        case .signedOut: return "\(who) signed out"
        default: return WorkSentence.describe(known, who: who, data: data, name: name)
        }
    }

    static func possessive(_ name: String) -> String {
        name.hasSuffix("s") ? "\(name)’" : "\(name)’s"
    }
}
