import BatonCore
import Foundation

extension MarkdownRenderer {
    /// The renderer for text written in a workspace: `@tom` links to Tom on the People page when
    /// tom@… is an active member there (the handle comments notify by, Mentions). Task numbers do
    /// not exist yet, so `#123` stays text.
    static func forWorkspace(_ workspaceID: UUID, members: [Membership]) -> MarkdownRenderer {
        var people: [String: Link] = [:]
        for member in members where member.isActive {
            let handle = Mentions.handle(forEmail: member.user.email)
            if people[handle] == nil {
                people[handle] = Link(url: IdentityPaths.people.url(workspaceID) + "#member-\(member.$user.id)", title: member.user.name)
            }
        }
        let known = people
        return MarkdownRenderer(mention: { known[$0] })
    }
}
