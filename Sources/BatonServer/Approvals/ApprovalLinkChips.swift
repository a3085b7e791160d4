import Fluent
import SQLKit
import Foundation
import BatonCore

/// Chips for approval requests linked from text elsewhere (a message): title, the step it is at
/// or how it ended, and whom it waits on. Only for requests the viewer may open: their
/// participants and the workspace's admins (the rule of ApprovalRequestService.request).
enum ApprovalLinkChips {
    static func chips(_ paths: [String], viewer: WorkspaceAccess, on db: any Database) async throws -> [String: LinkChip] {
        var wanted: [UUID: [String]] = [:]
        for path in paths {
            guard let id = requestID(in: path, workspaceID: viewer.workspaceID) else { continue }
            wanted[id, default: []].append(path)
        }
        guard !wanted.isEmpty else { return [:] }
        var query: SQLQueryString = """
            SELECT r.* FROM approval_requests r WHERE r.workspace_id = \(bind: viewer.workspaceID) AND r.id IN (\(binds: Array(wanted.keys)))
            """
        if !viewer.role.canAdminister {
            query.appendInterpolation(unsafeRaw: " AND EXISTS (SELECT 1 FROM approval_participants p WHERE p.request_id = r.id AND p.user_id = ")
            query.appendInterpolation(bind: viewer.userID)
            query.appendInterpolation(unsafeRaw: ")")
        }
        let requests = try await PlainSQL.all(ApprovalRequest.self, on: db, query)
        var chips: [String: LinkChip] = [:]
        for summary in try await ApprovalQueries.summaries(requests, on: db) {
            let pending = summary.status == ApprovalProgress.Status.pending.rawValue
            let stage = (pending ? summary.currentStep : nil) ?? ApprovalPages.statusLabel(summary.status)
            let waiting = summary.waitingOn.map(\.name)
            let chip = LinkChip(url: ApprovalPaths.request.url(viewer.workspaceID, summary.id), title: summary.title, stage: stage,
                                   assignee: pending && !waiting.isEmpty ? "with " + ListWords.join(waiting, "and") : "by " + summary.requesterName,
                                   done: !pending)
            for path in wanted[summary.id] ?? [] { chips[path] = chip }
        }
        return chips
    }

    /// `/w/<workspace>/approvals/requests/<id>` (and its pages below), else nil.
    static func requestID(in path: String, workspaceID: UUID) -> UUID? {
        guard let values = ApprovalPaths.request.values(in: path), values.count == 2,
              UUID(uuidString: values[0]) == workspaceID else { return nil }
        return UUID(uuidString: values[1])
    }
}
