import BatonCore
import Foundation

extension MarkdownRenderer {
    /// The renderer for text written in a workspace: `@tom` links to Tom on the People page when
    /// tom@… is an active member there (the handle comments notify by, Mentions); `#12` to the
    /// task numbered 12 when `tasks` has it.
    static func forWorkspace(_ workspaceID: UUID, members: [Membership], tasks: [Int: Link] = [:]) -> MarkdownRenderer {
        var people: [String: Link] = [:]
        for member in members where member.isActive {
            let handle = Mentions.handle(forEmail: member.user.email)
            if people[handle] == nil {
                people[handle] = Link(url: IdentityPaths.people.url(workspaceID) + "#member-\(member.$user.id)", title: member.user.name)
            }
        }
        let known = people
        return MarkdownRenderer(mention: { known[$0] }, task: { tasks[$0] })
    }
}
