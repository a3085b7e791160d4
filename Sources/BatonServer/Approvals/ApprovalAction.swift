import Foundation
import Vapor
import BatonCore

/// One action on a request as the API sends it (`POST /approval-requests/{id}/{action}`).
enum ApprovalAction: Sendable, Equatable {
    case approve(comment: String?)
    case reject(comment: String)
    case requestChanges(comment: String)
    case withdraw(comment: String?)
    /// New values take a new route; none resubmits the same values.
    case resubmit(values: [String: StoredValue]?, comment: String?)
    case transfer(to: UUID, reason: String)
    case addApprover(UUID, before: Bool)
    case returnTo(step: Int, comment: String)

    static let names = ["approve", "reject", "request-changes", "withdraw", "resubmit", "transfer", "add-approver", "return"]

    /// Reads the body for the action named in the path; a comment is one to 4,000 characters.
    static func read(_ name: String, _ body: PatchReader) throws -> ApprovalAction {
        func text(_ key: String, required: Bool) throws -> String? {
            guard let raw = try body.nullableString(key) ?? nil else {
                if required { throw BatonError.validation(key, key == "reason" ? "Give a reason." : "Say why (a comment is needed).") }
                return nil
            }
            let text = try DisplayText.validate(raw, label: key == "reason" ? "Reason" : "Comment", max: 4_000, required: required, lines: true)
                .orFail(field: key)
            return text.isEmpty ? nil : text
        }
        func person(_ key: String) throws -> UUID {
            guard let id = try body.uuid(key) else { throw BatonError.validation(key, "Choose the person (\(key)).") }
            return id
        }
        switch name {
        case "approve": return .approve(comment: try text("comment", required: false))
        case "reject": return .reject(comment: try text("comment", required: true) ?? "")
        case "request-changes": return .requestChanges(comment: try text("comment", required: true) ?? "")
        case "withdraw": return .withdraw(comment: try text("comment", required: false))
        case "resubmit": return .resubmit(values: try FormValues.read(body), comment: try text("comment", required: false))
        case "transfer":
            let reason = try text("reason", required: true) ?? ""
            return .transfer(to: try person("to"), reason: reason)
        case "add-approver":
            let position = try body.enumValue("position", Position.self, allowed: "before, after") ?? .after
            return .addApprover(try person("user_id"), before: position == .before)
        case "return":
            let comment = try text("comment", required: true) ?? ""
            guard let step = try body.int("step") else { throw BatonError.validation("step", "Choose the earlier step (its number, from 0).") }
            return .returnTo(step: step, comment: comment)
        default: throw BatonError.notFound("Action")
        }
    }

    enum Position: String { case before, after }

    var progressAction: ApprovalProgress.Action {
        switch self {
        case .approve(let comment): .approve(comment: comment)
        case .reject(let comment): .reject(comment: comment)
        case .requestChanges(let comment): .requestChanges(comment: comment)
        case .withdraw: .withdraw
        case .resubmit: .resubmit
        case .transfer(let to, let reason): .transfer(to: to, reason: reason)
        case .addApprover(let person, let before): .addApprover(person, before: before)
        case .returnTo(let step, let comment): .returnTo(step: step, comment: comment)
        }
    }

    var event: ApprovalEvent {
        switch self {
        case .approve: .approved
        case .reject: .rejected
        case .requestChanges: .changesRequested
        case .withdraw: .withdrawn
        case .resubmit: .resubmitted
        case .transfer: .transferred
        case .addApprover: .approverAdded
        case .returnTo: .returned
        }
    }

    var comment: String? {
        switch self {
        case .approve(let comment), .withdraw(let comment), .resubmit(_, let comment): comment
        case .reject(let comment), .requestChanges(let comment), .returnTo(_, let comment): comment
        case .transfer(_, let reason): reason
        case .addApprover: nil
        }
    }

    var target: UUID? {
        switch self {
        case .transfer(let to, _): to
        case .addApprover(let person, _): person
        default: nil
        }
    }

    var targetField: String {
        switch self {
        case .transfer: "to"
        case .returnTo: "step"
        default: "user_id"
        }
    }

    var commentField: String {
        if case .transfer = self { return "reason" }
        return "comment"
    }

    var participantNote: String? {
        switch self {
        case .transfer: "transferred"
        case .addApprover: "added"
        default: nil
        }
    }

    var isRequesterAction: Bool {
        switch self {
        case .withdraw, .resubmit: true
        default: false
        }
    }

    func eventData(before: ApprovalProgress) -> [String: String] {
        switch self {
        case .transfer(let to, _): ["to": to.uuidString]
        case .addApprover(let person, let before): ["user_id": person.uuidString, "position": before ? "before" : "after"]
        case .returnTo(let step, _): before.steps.indices.contains(step) ? ["to_step": before.steps[step].name] : [:]
        default: [:]
        }
    }
}
