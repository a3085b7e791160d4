import Fluent
import Foundation
import SQLKit
import Vapor
import BatonCore

struct ProblemDTO: Content, Equatable {
    let field: String
    let message: String
}

struct ApprovalTemplateDTO: Content {
    let id: UUID
    let workspaceId: UUID
    let name: String
    let description: String
    let decision: String?
    let ownerId: UUID
    let fields: [ApprovalField]
    let flow: ApprovalFlow
    let policy: ApprovalPolicy
    let remindAfterHours: Int?
    let escalateAfterHours: Int?
    let escalateTo: String?
    let escalateToId: UUID?
    let active: Bool
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    /// Branches that can never match, or that overlap an earlier one: the editor shows them.
    let warnings: [ProblemDTO]

    init(_ template: ApprovalTemplate) throws {
        id = try template.requireID()
        workspaceId = template.workspaceID
        name = template.name
        description = template.description
        decision = template.decision
        ownerId = template.ownerID
        fields = try template.fields
        flow = try template.flow
        policy = try template.policy
        remindAfterHours = template.remindAfterHours
        escalateAfterHours = template.escalateAfterHours
        escalateTo = template.escalateTo
        escalateToId = template.escalateToID
        active = template.active
        version = template.version
        createdAt = template.createdAt
        updatedAt = template.updatedAt
        warnings = ApprovalFlowCheck.warnings(in: flow, fields: fields).map { ProblemDTO(field: $0.field, message: $0.message) }
    }
}

struct PersonRef: Content, Equatable {
    let userId: UUID
    let name: String
}

/// The route before submitting: "This goes to Maya Chen, then Finance".
struct RoutePreviewDTO: Content {
    struct Approver: Content {
        let userId: UUID
        let name: String
        let actingFor: UUID?
        let actingForName: String?
        let note: String?
        let preApproved: Bool
    }

    struct Step: Content {
        let name: String
        let quorum: ApprovalQuorum
        let parallelGroup: Int?
        let approvers: [Approver]
    }

    let branches: [String]
    let steps: [Step]
    let cc: [PersonRef]
    let summary: String

    init(_ plan: RoutePlan, names: [UUID: String]) {
        func name(_ id: UUID) -> String { names[id] ?? "someone" }
        branches = plan.branches
        steps = plan.steps.map { step in
            Step(name: step.name, quorum: step.quorum, parallelGroup: step.parallelGroup, approvers: step.approvers.map { approver in
                Approver(userId: approver.person, name: name(approver.person), actingFor: approver.actingFor,
                         actingForName: approver.actingFor.map(name), note: approver.note?.rawValue, preApproved: approver.preApproved)
            })
        }
        cc = plan.cc.map { PersonRef(userId: $0, name: name($0)) }
        summary = RouteWords.summary(plan, name: name)
    }
}

/// A request with its whole path, as its page and the API show it.
struct ApprovalRequestDTO: Content {
    struct Approver: Content {
        let userId: UUID
        let name: String
        let actingFor: UUID?
        let actingForName: String?
        let note: String?
        /// approved, rejected, or null while they have not acted.
        let decision: String?
        let automatic: Bool
    }

    struct Step: Content {
        let index: Int
        let name: String
        let quorum: ApprovalQuorum
        let parallelGroup: Int?
        /// done (approved), rejected, open, or upcoming.
        let state: String
        let approvers: [Approver]
    }

    struct PathEntry: Content {
        let kind: String
        let stepIndex: Int?
        let stepName: String?
        let actorId: UUID?
        let actorName: String
        let actingFor: UUID?
        let actingForName: String?
        let targetId: UUID?
        let targetName: String?
        let comment: String?
        let waitedSeconds: Double?
        let createdAt: Date
    }

    let id: UUID
    let workspaceId: UUID
    let templateId: UUID
    let templateName: String
    let title: String
    let requesterId: UUID
    let requesterName: String
    let values: [String: StoredValue]
    let fields: [ApprovalField]
    let branches: [String]
    let status: String
    let steps: [Step]
    let waitingOn: [PersonRef]
    let stepStartedAt: Date
    let cc: [PersonRef]
    let taskId: UUID?
    let blocksTask: Bool
    let path: [PathEntry]
    /// What the viewer may do now: approve, reject, request-changes, transfer, add-approver, return, withdraw, resubmit.
    let can: [String]
    let version: Int
    let createdAt: Date
    let updatedAt: Date
    let decidedAt: Date?
}

struct ApprovalRequestSummaryDTO: Content {
    let id: UUID
    let title: String
    let templateId: UUID
    let templateName: String
    let requesterId: UUID
    let requesterName: String
    let status: String
    let currentStep: String?
    let waitingOn: [PersonRef]
    let waitingSince: Date?
    let createdAt: Date
    let decidedAt: Date?
}

struct DecisionRightsDTO: Content {
    let workspaceId: UUID
    let decisions: [DecisionRights.Decision]
    let version: Int
    let updatedAt: Date?
    let updatedBy: UUID?
}

struct OutOfOfficeDTO: Content {
    let substituteId: UUID
    let substituteName: String
    let from: Date
    let until: Date
}

struct WaitSummaryDTO: Content {
    let key: String
    let label: String
    let count: Int
    let averageSeconds: Double
    let p90Seconds: Double
}

struct ApprovalWaitsDTO: Content {
    let steps: [WaitSummaryDTO]
    let approvers: [WaitSummaryDTO]
    let since: Date
}

/// How a route reads in a sentence.
enum RouteWords {
    static func summary(_ plan: RoutePlan, name: (UUID) -> String) -> String {
        let parts = plan.steps.map { step -> String in
            step.approvers.count <= 3 ? Self.people(of: step, name: name) : "\(step.quorum.words) of \(step.approvers.count) (\(step.name))"
        }
        guard !parts.isEmpty else { return "This needs no approval." }
        return "This goes to " + parts.joined(separator: ", then ") + "."
    }

    /// "Daniel Okafor (for Maya Chen)".
    static func person(_ approver: ResolvedApprover, name: (UUID) -> String) -> String {
        approver.actingFor.map { "\(name(approver.person)) (for \(name($0)))" } ?? name(approver.person)
    }

    /// "Maya Chen or Dana Head": the step's people, joined as its quorum reads.
    static func people(of step: ResolvedStep, name: (UUID) -> String) -> String {
        ListWords.join(step.approvers.map { person($0, name: name) }, step.quorum == .all ? "and" : "or")
    }
}

/// Who may be chosen to approve, take a step over or stand in: active members who are not guests, by name.
enum ApprovalPeople {
    static func choosable(_ members: (names: [UUID: String], memberships: [Membership]), excluding: Set<UUID> = []) -> [(id: UUID, name: String)] {
        members.memberships.filter { $0.isActive && $0.role != .guest && !excluding.contains($0.$user.id) }
            .map { (id: $0.$user.id, name: members.names[$0.$user.id] ?? "someone") }
            .sorted { $0.name < $1.name }
    }
}

