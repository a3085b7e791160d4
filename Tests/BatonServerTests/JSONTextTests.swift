import Foundation
import Testing
import BatonCore
@testable import BatonServer

/// The hand-written task JSON must be byte for byte what the API's JSONEncoder writes.
@Suite("JSONText writes exactly what JSONEncoder writes")
struct JSONTextTests {
    private static let awkwardText = ["", "plain", "quote \" and back\\slash", "a/b </script>", "tab\tnew\nline\r",
                                      "bell \u{07} nul \u{00} esc \u{1B} del \u{7F}", "Grüße, 東京 🚀", "emoji 👩‍👩‍👧 & é"]
    private static let numbers: [Double] = [0, 0.5, 3, -2.25, 1e-7, 123_456_789.125, 1e21, 0.1 + 0.2, 40]
    private static let dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_000_000.75),
                                        Date(timeIntervalSince1970: -86_401.5), Date(timeIntervalSince1970: 4_102_444_800)]

    @Test("tasks and pages of tasks with every field empty, odd or set")
    func tasks() throws {
        var generator = SeededGenerator(seed: 7)
        var tasks: [TaskDTO] = []
        for index in 0..<200 {
            tasks.append(try TaskDTO(Self.task(index, &generator), customFields: Self.fields(&generator)))
        }
        for task in tasks { try expectSame(task) }
        try expectSame(ListPage(data: tasks, nextCursor: "Y3JlYXRlZHwxNzk1MDAwMDAwLjc1fEFC"))
        try expectSame(ListPage(data: [TaskDTO](), nextCursor: nil))
    }

    @Test("task details: briefs, checklists, checkpoints, decision rights, watchers, subtasks")
    func details() throws {
        var generator = SeededGenerator(seed: 11)
        for index in 0..<60 {
            let task = Self.task(index, &generator)
            let checklist = try (0..<(index % 4)).map { item -> ChecklistItemDTO in
                let model = ChecklistItem()
                model.id = UUID()
                model.text = Self.awkwardText[(index + item) % Self.awkwardText.count]
                model.checkedAt = item % 2 == 0 ? Self.dates[item % Self.dates.count] : nil
                model.checkedBy = item % 2 == 0 ? UUID() : nil
                model.waivedReason = item == 3 ? "n/a \"here\"" : nil
                model.waiverRequestReason = item == 1 ? "legal is away" : nil
                model.waiverRequestedBy = item == 1 && index % 2 == 0 ? UUID() : nil
                model.waiverRequestedAt = item == 1 && index % 2 == 0 ? Self.dates[2] : nil
                return try ChecklistItemDTO(model)
            }
            let checkpoints = try (0..<(index % 3)).map { item -> CheckpointDTO in
                let model = Checkpoint()
                model.id = UUID()
                model.title = Self.awkwardText[(index + 2 * item) % Self.awkwardText.count]
                model.dueAt = Self.dates[(index + item) % Self.dates.count]
                model.status = item == 0 ? nil : CheckpointStatus.allCases[index % CheckpointStatus.allCases.count]
                model.note = item == 1 ? "slipping / late" : ""
                model.reviewedAt = item == 0 ? nil : Self.dates[item]
                model.reviewedBy = item == 0 ? nil : UUID()
                model.selfStatus = item == 1 ? .atRisk : nil
                model.selfNote = item == 1 ? "late \"ish\"" : nil
                model.selfAssessedAt = item == 1 ? Self.dates[0] : nil
                return try CheckpointDTO(model)
            }
            let rights: [String: [String]] = index % 3 == 0 ? [:]
                : ["decide": ["vendor", "Budget ≤ 5k"], "consult": [], "escalate": ["hiring/firing", "Z", "a"]]
            let level: Int? = index % 5 == 0 ? nil : index % 7 + 1
            let levelName: String? = index % 5 == 0 ? nil : "Consult"
            let tolerance: RiskTolerance? = index % 4 == 0 ? nil : RiskTolerance.allCases[index % 3]
            let accepted: Date? = index % 3 == 1 ? Self.dates[1] : nil
            let asked: Date? = index % 3 == 2 ? Self.dates[2] : nil
            let question: String? = index % 3 == 2 ? Self.awkwardText[index % Self.awkwardText.count] : nil
            let summary: String? = index % 2 == 0 ? nil : "Level 5 · Advise: you decide how; Maya “M” reviews"
            let waiting: Date? = index % 4 == 1 ? Self.dates[3] : nil
            let returned: Date? = index % 4 == 2 ? Self.dates[0] : nil
            let feedback: String? = index % 4 == 2 ? "Missing: the \"legal\" part" : nil
            let proposals = try (0..<(index % 3)).map { item -> BriefProposalDTO in
                let model = BriefProposal()
                model.id = UUID()
                model.field = BriefField.allCases[item % 3].rawValue
                model.text = Self.awkwardText[(index + item) % Self.awkwardText.count]
                model.reason = item == 0 ? "" : "clearer"
                model.proposedBy = UUID()
                model.createdAt = Self.dates[item]
                model.decidedAt = item == 2 ? Self.dates[3] : nil
                model.accepted = item == 2 ? false : nil
                return try BriefProposalDTO(model)
            }
            let brief = BriefDTO(
                outcome: Self.awkwardText[index % Self.awkwardText.count], constraints: "", successCriteria: "done \\ dusted",
                riskTolerance: tolerance, decisionRights: rights, delegationLevel: level, delegationLevelName: levelName,
                stretch: index % 2 == 0, skills: index % 2 == 0 ? [] : ["SQL", "négociation"],
                handoffAcceptedAt: accepted, clarificationRequestedAt: asked, clarificationQuestion: question,
                rightsSummary: summary, awaitingAcceptanceSince: waiting, returnedAt: returned, returnFeedback: feedback,
                checklist: checklist, checkpoints: checkpoints, proposals: proposals)
            try expectSame(TaskDetailDTO(task: try TaskDTO(task, customFields: Self.fields(&generator)), brief: brief,
                                         watcherIds: (0..<(index % 3)).map { _ in UUID() }, subtaskIds: index % 2 == 0 ? [] : [UUID(), UUID()]))
        }
    }

    private func expectSame<T: JSONWritable & Encodable>(_ value: T, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let expected = String(decoding: try JSONEncoder.baton.encode(value), as: UTF8.self)
        let written = String(decoding: JSONText.encode(value), as: UTF8.self)
        #expect(written == expected, sourceLocation: sourceLocation)
    }

    private static func task(_ index: Int, _ generator: inout SeededGenerator) -> WorkTask {
        func maybe<T>(_ value: T) -> T? { Bool.random(using: &generator) ? value : nil }
        let task = WorkTask()
        task.id = UUID()
        task.projectID = UUID()
        task.title = awkwardText[index % awkwardText.count]
        task.description = awkwardText[(index + 3) % awkwardText.count]
        task.delegatorID = maybe(UUID())
        task.assigneeID = maybe(UUID())
        task.stageID = UUID()
        task.stageCategory = StageCategory.allCases[index % StageCategory.allCases.count]
        task.priority = Priority.allCases[index % Priority.allCases.count]
        task.startAt = maybe(dates[index % dates.count])
        task.dueAt = maybe(dates[(index + 1) % dates.count])
        task.timeZone = index % 2 == 0 ? "UTC" : "America/Argentina/Buenos_Aires"
        task.blocked = index % 3 == 0
        task.blockedReason = task.blocked ? maybe(awkwardText[index % awkwardText.count]) : nil
        task.estimate = maybe(numbers[index % numbers.count])
        task.tags = index % 4 == 0 ? "" : "alpha;b/c;Ünïcode"
        task.parentID = maybe(UUID())
        task.version = index * 7919
        task.createdBy = UUID()
        task.createdAt = dates[index % dates.count]
        task.updatedAt = dates[(index + 2) % dates.count].addingTimeInterval(0.999)
        task.completedAt = maybe(dates[(index + 3) % dates.count])
        task.handoffAcceptedAt = maybe(dates[0])
        task.clarificationRequestedAt = maybe(dates[1])
        task.acceptanceRequestedAt = maybe(dates[2])
        task.archivedAt = maybe(dates[3])
        return task
    }

    private static func fields(_ generator: inout SeededGenerator) -> [String: String] {
        let names = ["Budget", "budget", "Tier", "tier 2", "Tier 10", "_hidden", "Zeta", "ärger", "A/B", "x\"y", "10", "9"]
        var fields: [String: String] = [:]
        for name in names where Int.random(in: 0..<3, using: &generator) == 0 {
            fields[name] = awkwardText[Int.random(in: 0..<awkwardText.count, using: &generator)]
        }
        return fields
    }
}
