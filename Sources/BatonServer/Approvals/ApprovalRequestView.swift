import Fluent
import Vapor
import BatonCore

/// What the request page shows: the values, the route with who acted and who waits, the path
/// with how long each step waited, and the forms of the actions open to the viewer.
struct ApprovalRequestView: Encodable {
    struct Value: Encodable { let label: String; let text: String }
    struct Approver: Encodable { let name: String; let actingFor: String?; let decision: String?; let automatic: Bool; let note: String? }
    struct Step: Encodable { let number: Int; let name: String; let rule: String; let state: String; let parallel: Bool; let approvers: [Approver] }
    struct PathRow: Encodable { let when: String; let sentence: String; let comment: String?; let waited: String? }
    struct Choice: Encodable { let value: String; let label: String }

    let workspaceId: UUID
    let id: UUID
    let templateId: UUID
    let title: String
    let templateName: String
    let requesterName: String
    let status: String
    let statusLabel: String
    let created: String
    let values: [Value]
    let branches: String
    let steps: [Step]
    let waitingOn: String
    let waitingFor: String?
    let cc: String
    let path: [PathRow]
    let can: [String: Bool]
    let people: [Choice]
    let earlierSteps: [Choice]
    let taskLink: String?
    let taskTitle: String?
    let blocksTask: Bool

    static func make(_ dto: ApprovalRequestDTO, request: ApprovalRequest, access: WorkspaceAccess, req: Request) async throws -> ApprovalRequestView {
        let timeZone = try req.principal().timeZone
        let now = req.application.clock.now()
        let members = try await WorkQueries.members(access, on: req.reader)
        let names = members.names
        let people = ApprovalPeople.choosable(members, excluding: [access.userID, dto.requesterId]).map { Choice(value: $0.id.uuidString, label: $0.name) }
        let task = await dto.taskId.asyncMap { id in try? await WorkScope.task(id: id, for: access.userID, on: req.reader).0 } ?? nil
        func when(_ date: Date) -> String { BatonDate.format(date, "MMM d, HH:mm", timeZone: timeZone) }
        let current = dto.steps.first { $0.state == "open" }?.index ?? dto.steps.count
        return ApprovalRequestView(
            workspaceId: access.workspaceID, id: dto.id, templateId: dto.templateId, title: dto.title, templateName: dto.templateName, requesterName: dto.requesterId == access.userID ? "you" : dto.requesterName,
            status: dto.status, statusLabel: ApprovalPages.statusLabel(dto.status), created: when(dto.createdAt),
            values: dto.fields.compactMap { field in dto.values[field.key].map { Value(label: field.label, text: text($0, field: field, names: names)) } },
            branches: dto.branches.joined(separator: ", "),
            steps: dto.steps.map { step in
                Step(number: step.index + 1, name: step.name, rule: step.approvers.count > 1 ? step.quorum.words : "", state: step.state,
                     parallel: step.parallelGroup != nil,
                     approvers: step.approvers.map { Approver(name: $0.name, actingFor: $0.actingForName, decision: $0.decision, automatic: $0.automatic,
                                                              note: noteWords($0.note)) })
            },
            waitingOn: ListWords.join(dto.waitingOn.map { $0.userId == access.userID ? "you" : $0.name }, "and"),
            waitingFor: dto.status == "pending" ? WaitWords.duration(now.timeIntervalSince(dto.stepStartedAt)) : nil,
            cc: ListWords.join(dto.cc.map(\.name), "and"),
            path: dto.path.map { entry in
                PathRow(when: when(entry.createdAt), sentence: sentence(entry), comment: entry.kind == "auto_approved" ? nil : entry.comment,
                        waited: entry.waitedSeconds.map(WaitWords.duration))
            }.reversed(),
            can: Dictionary(uniqueKeysWithValues: dto.can.map { ($0.replacingOccurrences(of: "-", with: "_"), true) }),
            people: people,
            earlierSteps: dto.steps.filter { $0.index < current }.map { Choice(value: String($0.index), label: "\($0.index + 1). \($0.name)") },
            taskLink: task.map { WorkPaths.task.url(access.workspaceID, $0.id!) }, taskTitle: task?.title, blocksTask: dto.blocksTask)
    }

    private static func text(_ value: StoredValue, field: ApprovalField, names: [UUID: String]) -> String {
        switch value {
        case .number(let number):
            let shown = AmountWords.text(number)
            return field.type == .money ? "\(shown) \(field.currency ?? "")".trimmingCharacters(in: .whitespaces) : shown
        case .string(let text):
            if field.type == .person, let id = UUID(uuidString: text) { return names[id] ?? "someone" }
            return text
        case .strings(let list): return list.joined(separator: ", ")
        }
    }

    private static func noteWords(_ note: String?) -> String? {
        switch note {
        case "out_of_office": "out of office: substitute"
        case "handed_over": "handed over from an inactive approver"
        case "own_request": "the requester's manager, for their own request"
        case "no_approver": "nobody else found: the template's owner"
        case "transferred": "handed this by another approver"
        case "added": "added by an approver"
        case "escalated": "escalated after no answer"
        default: nil
        }
    }

    private static func sentence(_ entry: ApprovalRequestDTO.PathEntry) -> String {
        let who = entry.actingForName.map { "\(entry.actorName), acting for \($0)," } ?? entry.actorName
        let step = entry.stepName.map { " at “\($0)”" } ?? ""
        switch entry.kind {
        case "submitted": return "\(entry.actorName) asked for approval"
        case "approved": return "\(who) approved" + (entry.stepName.map { " the “\($0)” step" } ?? "")
        case "auto_approved": return "\(entry.targetName ?? "Someone") counted as approved\(step) (\(entry.comment ?? "automatically"))"
        case "rejected": return "\(who) rejected\(step)"
        case "changes_requested": return "\(who) asked for changes\(step)"
        case "withdrawn": return "\(entry.actorName) withdrew the request"
        case "resubmitted": return "\(entry.actorName) resubmitted the request"
        case "transferred": return "\(who) handed\(step) to \(entry.targetName ?? "someone")"
        case "approver_added": return "\(who) added \(entry.targetName ?? "someone") as an approver"
        case "returned": return "\(who) sent it back to an earlier step"
        case "escalated": return "No answer from \(entry.actingForName ?? "the approver"): escalated to \(entry.targetName ?? "someone")"
        default: return "\(who) \(entry.kind.replacingOccurrences(of: "_", with: " "))"
        }
    }
}
