import Fluent
import Vapor
import BatonCore

/// The "Rules" section of a project's settings: how many rules are on, the defaults' state, and
/// the way to the rules page.
enum AutomationPanel {
    struct Context: Encodable {
        let workspaceId: UUID
        let projectId: UUID
        let on: Int
        let off: Int
        let rules: [Row]
    }
    struct Row: Encodable { let name: String; let enabled: Bool }

    static let subjectPanels: @Sendable (SubjectPanelRequest) async throws -> [String] = { request in
        guard request.subjectType == "project-settings" else { return [] }
        let rules = try await RuleQueries.rules(of: request.subjectID, on: request.req.reader)
        let context = Context(workspaceId: request.access.workspaceID, projectId: request.subjectID,
                              on: rules.filter(\.enabled).count, off: rules.filter { !$0.enabled }.count,
                              rules: rules.prefix(6).map { Row(name: $0.name, enabled: $0.enabled) })
        let view = try await request.req.view.render("automations/settings-panel", context)
        return [String(buffer: view.data)]
    }
}
