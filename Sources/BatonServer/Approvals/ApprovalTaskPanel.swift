import Fluent
import Vapor
import BatonCore

/// The "Approvals" section of a task's page: the requests about the task the viewer may see, and
/// "Request approval" with the template its "escalate" decision rights point to first.
enum ApprovalTaskPanel {
    struct Row: Encodable { let id: UUID; let title: String; let status: String; let statusLabel: String; let waitingOn: String }
    struct TemplateLink: Encodable { let id: UUID; let name: String; let suggested: Bool }
    struct Context: Encodable {
        let workspaceId: UUID
        let taskId: UUID
        let requests: [Row]
        let templates: [TemplateLink]
        let escalate: String
    }

    static let subjectPanels: @Sendable (SubjectPanelRequest) async throws -> [String] = { request in
        if request.subjectType == "profile" { return try await AwayPanel.render(request) }
        guard request.subjectType == "task", request.access.role != .guest else { return [] }
        let db = request.req.reader
        let access = request.access
        var query = ApprovalRequest.query(on: db).filter(\.$workspaceID == access.workspaceID).filter(\.$taskID == request.subjectID)
        if !access.role.canAdminister {
            let mine = try await ApprovalParticipant.query(on: db).filter(\.$userID == access.userID).filter(\.$workspaceID == access.workspaceID)
                .all().map(\.requestID)
            query = query.filter(\.$id ~~ mine)
        }
        let requests = try await ApprovalQueries.summaries(try await query.sort(\.$createdAt, .descending).limit(10).all(), on: db)
        let templates = try await Tenancy.query(access, ApprovalTemplate.self, on: db).filter(\.$active == true).sort(\.$name).all()
        guard !templates.isEmpty || !requests.isEmpty else { return [] }
        let task = try await WorkTask.find(request.subjectID, on: db)
        let rights = (try? JSONDecoder().decode([String: [String]].self, from: Data((task?.decisionRights ?? "{}").utf8))) ?? [:]
        let escalate = rights["escalate"] ?? []
        let suggested = TemplateMatch.best(templates.map { ($0.id!, $0.name, $0.decision ?? "") }, for: escalate)
        let context = Context(
            workspaceId: access.workspaceID, taskId: request.subjectID,
            requests: requests.map { Row(id: $0.id, title: $0.title, status: $0.status, statusLabel: ApprovalPages.statusLabel($0.status),
                                         waitingOn: ListWords.join($0.waitingOn.map(\.name), "and")) },
            templates: templates.map { TemplateLink(id: $0.id!, name: $0.name, suggested: $0.id == suggested) }
                .sorted { $0.suggested && !$1.suggested },
            escalate: escalate.joined(separator: "; "))
        let view = try await request.req.view.render("approvals/task-panel", context)
        return [String(buffer: view.data)]
    }
}

/// Which template an escalation reads like: the one sharing the most words with the task's
/// "escalate" decision rights ("Spend over 5,000" → "Purchase" by its decision type "budget"
/// only if a word matches). Nil when nothing is shared.
enum TemplateMatch {
    static func best(_ templates: [(id: UUID, name: String, decision: String)], for escalate: [String]) -> UUID? {
        let wanted = Set(escalate.flatMap(words))
        guard !wanted.isEmpty else { return nil }
        let scored = templates.map { template in
            (template.id, Set(words(template.name) + words(template.decision)).intersection(wanted).count)
        }
        guard let top = scored.max(by: { $0.1 < $1.1 }), top.1 > 0 else { return nil }
        return top.0
    }

    static func words(_ text: String) -> [String] {
        text.lowercased().split { !$0.isLetter }.map(String.init).filter { $0.count > 3 }.map { word in
            word.hasSuffix("s") ? String(word.dropLast()) : word
        }
    }
}
