import Fluent
import Foundation
import BatonCore

/// Work's answer to "who should hear of these events" (`BatonModule.notices`): the rules are
/// `WorkNotices`; this loads each task's assignee, delegator and watchers as they are now.
enum WorkNoticeSource {
    static func notices(for events: [LoggedEvent], on db: any Database) async throws -> [Notice] {
        let taskEvents = events.filter { $0.subjectType == "task" && $0.subjectId != nil && WorkEvent(rawValue: $0.kind) != nil }
        let ids = Array(Set(taskEvents.compactMap(\.subjectId)))
        guard !ids.isEmpty else { return [] }
        let tasks = try await WorkTask.query(on: db).filter(\.$id ~~ ids).all()
        let byID = Dictionary(tasks.compactMap { task in task.id.map { ($0, task) } }) { first, _ in first }
        let watchers = Dictionary(grouping: try await TaskWatcher.query(on: db).filter(\.$taskID ~~ ids).all(), by: \.taskID)
        var notices: [Notice] = []
        for event in taskEvents {
            guard let kind = WorkEvent(rawValue: event.kind), let taskID = event.subjectId, let task = byID[taskID],
                  let workspace = event.workspaceId else { continue }
            let owners = WorkNotices.Owners(assignee: task.assigneeID, delegator: task.delegatorID,
                                            watchers: (watchers[taskID] ?? []).map(\.userID))
            for (recipient, notice) in WorkNotices.recipients(of: kind, data: event.data, owners: owners) {
                notices.append(Notice(eventID: event.id, workspaceID: workspace, recipient: recipient, actor: event.actorId,
                                      kind: notice.rawValue, subjectType: "task", subjectID: taskID, subjectTitle: task.title,
                                      at: event.createdAt))
            }
        }
        return notices
    }
}
