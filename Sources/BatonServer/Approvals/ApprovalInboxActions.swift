import Fluent
import Vapor
import BatonCore

/// Approve and reject on the inbox entries of requests that wait for the reader now.
enum ApprovalInboxActions {
    static let actions: @Sendable ([(type: String, id: UUID)], WorkspaceAccess, any Database) async throws -> [UUID: NoticeActions] = { subjects, viewer, db in
        let ids = subjects.filter { $0.type == "approval_request" }.map(\.id)
        guard !ids.isEmpty else { return [:] }
        let waiting = try await ApprovalWait.query(on: db).filter(\.$userID == viewer.userID).filter(\.$workspaceID == viewer.workspaceID)
            .filter(\.$requestID ~~ ids).all().map(\.requestID)
        guard !waiting.isEmpty else { return [:] }
        let requests = try await ApprovalRequest.query(on: db).filter(\.$id ~~ waiting).all()
        let templates = try await ApprovalTemplate.query(on: db).filter(\.$id ~~ Array(Set(requests.map(\.templateID)))).all()
        var summaries: [UUID: String] = [:]
        for request in requests {
            guard let template = templates.first(where: { $0.id == request.templateID }) else { continue }
            summaries[request.id!] = try? ApprovalInboxActions.summary(request, fields: try template.fields)
        }
        return Dictionary(waiting.map { id in
            (id, NoticeActions(url: ApprovalPaths.act.url(viewer.workspaceID, id), summary: summaries[id], commentLabel: "Comment (needed to reject)", buttons: [
                .init(value: "approve", label: "Approve", primary: true), .init(value: "reject", label: "Reject", primary: false),
            ]))
        }) { first, _ in first }
    }

    /// "12,000 EUR · the “Manager” step, then Finance": the size and where it stands.
    static func summary(_ request: ApprovalRequest, fields: [ApprovalField]) throws -> String {
        let values = try request.rawValues
        let money = fields.first { ($0.type == .money || $0.type == .number) && values[$0.key] != nil }.flatMap { field -> String? in
            guard case .number(let amount)? = values[field.key] else { return nil }
            return "\(AmountWords.text(amount)) \(field.currency ?? "")".trimmingCharacters(in: .whitespaces)
        }
        let progress = try request.progress
        let open = progress.openSteps
        let now = open.map { "“\(progress.steps[$0].name)”" }.joined(separator: " + ")
        let later = progress.steps[open.upperBound...].map(\.name)
        let step = now.isEmpty ? nil : "the \(now) step" + (later.isEmpty ? "" : ", then " + later.joined(separator: ", "))
        return [money, step].compactMap { $0 }.joined(separator: " · ")
    }
}
