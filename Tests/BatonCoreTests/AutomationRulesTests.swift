import Foundation
import Testing
@testable import BatonCore

@Suite("Automation rules: triggers, conditions, templates, schedules, depth, validation")
struct AutomationRulesTests {
    let review = UUID(), doing = UUID(), budget = UUID()
    var names: RuleTriggerMatch.Names {
        let (review, doing, budget) = (self.review, self.doing, self.budget)
        return RuleTriggerMatch.Names(stage: { $0 == review ? "Review" : ($0 == doing ? "Doing" : nil) },
                                      field: { $0 == budget ? "Budget" : nil })
    }

    @Test("stage triggers match any stage or the one named, from and to")
    func stageTriggers() {
        let moved = ["from": "Doing", "to": "Review"]
        #expect(RuleTriggerMatch.matches(RuleTrigger(.stageChanged), kind: "task.stage_changed", data: moved, names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.stageChanged, toStage: review), kind: "task.stage_changed", data: moved, names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.stageChanged, fromStage: doing, toStage: review), kind: "task.stage_changed", data: moved, names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.stageChanged, toStage: doing), kind: "task.stage_changed", data: moved, names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.stageChanged, fromStage: review), kind: "task.stage_changed", data: moved, names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.stageChanged), kind: "task.updated", data: moved, names: names))
    }

    @Test("field triggers: any field, a built-in one, a custom one by id, the assignee and the due date")
    func fieldTriggers() {
        let priority = ["field": "priority", "from": "normal", "to": "high"]
        #expect(RuleTriggerMatch.matches(RuleTrigger(.fieldChanged), kind: "task.updated", data: priority, names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.fieldChanged, field: "priority"), kind: "task.updated", data: priority, names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.fieldChanged, field: "title"), kind: "task.updated", data: priority, names: names))
        let custom = RuleTrigger(.fieldChanged, field: "field:\(budget.uuidString)")
        #expect(RuleTriggerMatch.matches(custom, kind: "task.updated", data: ["field": "Budget"], names: names))
        #expect(!RuleTriggerMatch.matches(custom, kind: "task.updated", data: ["field": "Cost"], names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.fieldChanged, field: "assignee"), kind: "task.assigned", data: [:], names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.fieldChanged, field: "due_at"), kind: "task.due_changed", data: [:], names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.fieldChanged), kind: "task.commented", data: [:], names: names))
    }

    @Test("blocked and unblocked, created; date triggers never fire from events")
    func otherTriggers() {
        #expect(RuleTriggerMatch.matches(RuleTrigger(.blocked), kind: "task.blocked", data: [:], names: names))
        #expect(!RuleTriggerMatch.matches(RuleTrigger(.blocked), kind: "task.unblocked", data: [:], names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.unblocked), kind: "task.unblocked", data: [:], names: names))
        #expect(RuleTriggerMatch.matches(RuleTrigger(.taskCreated), kind: "task.created", data: [:], names: names))
        for swept in [RuleTrigger(.dueSoon, withinHours: 48, unchangedHours: 72), RuleTrigger(.checkpointOverdue),
                      RuleTrigger(.schedule, every: .day, at: "09:00")] {
            #expect(!RuleTriggerMatch.matches(swept, kind: "task.created", data: [:], names: names))
        }
    }

    var facts: RuleFacts {
        RuleFacts(values: [
            "title": .text("Draft the Q3 budget"), "priority": .text("high"), "estimate": .number(5),
            "due_at": .date(BatonDate.parseISO("2026-12-08T17:00:00Z")!), "tags": .list(["finance", "q3"]),
            "blocked": .bool(false), "assignee": .person("aaaa"),
        ], display: ["title": "Draft the Q3 budget", "stage": "Review", "budget": "1200.00"])
    }

    @Test("each operator on text, numbers, dates, lists, flags and people; empty fields")
    func operators() {
        func holds(_ field: String, _ op: RuleCondition.Operator, _ value: String? = nil) -> Bool {
            RuleConditions.holds(RuleCondition(field, op, value), facts)
        }
        #expect(holds("priority", .equals, "HIGH"))
        #expect(!holds("priority", .notEquals, "high"))
        #expect(holds("priority", .isIn, "urgent, high"))
        #expect(!holds("priority", .isIn, "low,normal"))
        #expect(holds("title", .contains, "q3 BUDGET"))
        #expect(!holds("title", .contains, "forecast"))
        #expect(holds("estimate", .greaterThan, "4.5"))
        #expect(!holds("estimate", .lessThan, "5"))
        #expect(holds("estimate", .equals, "5"))
        #expect(holds("due_at", .lessThan, "2026-12-09"))
        #expect(holds("due_at", .greaterThan, "2026-12-08T09:00:00Z"))
        #expect(holds("due_at", .equals, "2026-12-08"))
        #expect(holds("tags", .contains, "Finance"))
        #expect(holds("tags", .isIn, "legal,q3"))
        #expect(holds("blocked", .equals, "false"))
        #expect(holds("assignee", .equals, "AAAA"))
        #expect(holds("start_at", .empty))
        #expect(!holds("start_at", .notEmpty))
        #expect(holds("blocked", .empty))   // a flag that is off counts as empty
        #expect(holds("tags", .notEmpty))
        #expect(holds("delegator", .notEquals, "aaaa"))  // no delegator is not aaaa
        #expect(!holds("title", .greaterThan, "5"))      // text does not compare as a number
    }

    @Test("conditions combine with all and any; no conditions always hold")
    func combining() {
        let high = RuleCondition("priority", .equals, "high"), low = RuleCondition("priority", .equals, "low")
        #expect(RuleConditions.matches([high, low], .any, facts))
        #expect(!RuleConditions.matches([high, low], .all, facts))
        #expect(RuleConditions.matches([high], .all, facts))
        #expect(RuleConditions.matches([], .all, facts))
    }

    @Test("templates fill known placeholders and drop unknown ones; unclosed braces stay")
    func templates() {
        #expect(RuleTemplate.render("“{{ title }}” moved to {{stage}}.", facts) == "“Draft the Q3 budget” moved to Review.")
        #expect(RuleTemplate.render("Budget {{Budget}} {{nope}}!", facts) == "Budget 1200.00 !")
        #expect(RuleTemplate.render("Left {{open", facts) == "Left {{open")
        #expect(RuleTemplate.placeholders(in: "{{a}} and {{ B }}") == ["a", "b"])
    }

    @Test("schedules: the latest occurrence at or before now, in the rule's zone; weekdays skip weekends")
    func schedules() throws {
        // 2026-12-02 is a Wednesday. 08:30 UTC = 09:30 in Berlin.
        let now = try #require(BatonDate.parseISO("2026-12-02T08:30:00Z"))
        let daily = RuleTrigger(.schedule, every: .day, at: "09:00", timeZone: "Europe/Berlin")
        #expect(RuleSchedule.latestOccurrence(of: daily, onOrBefore: now) == BatonDate.parseISO("2026-12-02T08:00:00Z"))
        #expect(RuleSchedule.nextOccurrence(of: daily, after: now) == BatonDate.parseISO("2026-12-03T08:00:00Z"))
        let tenUTC = RuleTrigger(.schedule, every: .day, at: "10:00", timeZone: "UTC")
        #expect(RuleSchedule.latestOccurrence(of: tenUTC, onOrBefore: now) == BatonDate.parseISO("2026-12-01T10:00:00Z"))
        let monday = RuleTrigger(.schedule, every: .week, weekday: 1, at: "09:00", timeZone: "UTC")
        #expect(RuleSchedule.latestOccurrence(of: monday, onOrBefore: now) == BatonDate.parseISO("2026-11-30T09:00:00Z"))
        let sunday = try #require(BatonDate.parseISO("2026-12-06T12:00:00Z"))
        let weekdays = RuleTrigger(.schedule, every: .weekday, at: "09:00", timeZone: "UTC")
        #expect(RuleSchedule.latestOccurrence(of: weekdays, onOrBefore: sunday) == BatonDate.parseISO("2026-12-04T09:00:00Z"))
        #expect(RuleSchedule.nextOccurrence(of: weekdays, after: sunday) == BatonDate.parseISO("2026-12-07T09:00:00Z"))
        #expect(RuleSchedule.latestOccurrence(of: RuleTrigger(.blocked), onOrBefore: now) == nil)
    }

    @Test("the deadline warning: inside the window, no progress for long enough, not done, not past")
    func dueSoon() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let hour: TimeInterval = 3600
        func applies(due: TimeInterval?, progress: TimeInterval, done: Bool = false) -> Bool {
            DueSoon.applies(dueAt: due.map { now.addingTimeInterval($0 * hour) }, progressAt: now.addingTimeInterval(progress * hour),
                            isDone: done, now: now, withinHours: 48, unchangedHours: 72)
        }
        #expect(applies(due: 47, progress: -73))
        #expect(applies(due: 48, progress: -72))
        #expect(!applies(due: 49, progress: -100))     // not yet in the window
        #expect(!applies(due: 10, progress: -71))      // moved recently
        #expect(!applies(due: 10, progress: -100, done: true))
        #expect(!applies(due: -1, progress: -100))     // already overdue
        #expect(!applies(due: nil, progress: -100))
    }

    @Test("rules set off rules at most three deep")
    func depth() {
        #expect(RuleDepth.runDepth(after: [:]) == 1)
        #expect(RuleDepth.runDepth(after: ["rule_depth": "2"]) == 3)
        #expect(RuleDepth.isAllowed(3))
        #expect(!RuleDepth.isAllowed(RuleDepth.runDepth(after: ["rule_depth": "3"])))
    }

    @Test("validation names the field that is wrong")
    func validation() {
        func problem(_ rule: RuleDefinition) -> String? { RuleValidation.problem(in: rule)?.field }
        let notify = RuleAction(.notify, recipients: ["delegator"], message: "Hi")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), actions: [notify])) == nil)
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), actions: [])) == "actions")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.dueSoon), actions: [notify])) == "trigger.within_hours")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.schedule, every: .day, at: "25:00"), actions: [notify])) == "trigger.at")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.schedule, every: .week, at: "09:00"), actions: [notify])) == "trigger.weekday")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), conditions: [RuleCondition("nope", .equals, "x")], actions: [notify]))
                == "conditions.0.field")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), conditions: [RuleCondition("estimate", .greaterThan, "lots")],
                                       actions: [notify])) == "conditions.0.value")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), actions: [RuleAction(.notify, recipients: ["everyone"], message: "x")]))
                == "actions.0.recipients")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), actions: [notify, RuleAction(.webhook, url: "file:///etc/passwd")]))
                == "actions.1.url")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.blocked), actions: [RuleAction(.comment, message: "a\u{7}b")])) == "actions.0.message")
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.stageChanged, toStage: review), actions: [RuleAction(.setStage, stageID: review)]))
                == "actions.0.stage_id")
        // a deadline rule that moves the deadline would fire forever
        #expect(problem(RuleDefinition(trigger: RuleTrigger(.dueSoon, withinHours: 24, unchangedHours: 0),
                                       actions: [RuleAction(.setField, field: "due_in_days", value: "1")])) == "actions.0.field")
    }

    @Test("the default rules and templates are valid and round-trip through JSON")
    func templatesAreValid() throws {
        #expect(RuleTemplates.defaults.count == 3)
        for template in RuleTemplates.all {
            #expect(RuleValidation.problem(in: template.definition) == nil, "\(template.key)")
            let data = try JSONEncoder().encode(template.definition)
            #expect(try JSONDecoder().decode(RuleDefinition.self, from: data) == template.definition)
        }
        let text = String(decoding: try JSONEncoder().encode(RuleTemplates.deadlineWithoutProgress.definition), as: UTF8.self)
        #expect(text.contains("\"within_hours\":48"))
    }

    @Test("recipients parse from their names and no others")
    func recipients() {
        let id = UUID()
        #expect(RuleRecipient(rawValue: "user:\(id.uuidString)") == .user(id))
        #expect(RuleRecipient(rawValue: "role:admin") == .role("admin"))
        #expect(RuleRecipient(rawValue: "role:guest") == nil)
        #expect(RuleRecipient(rawValue: "manager")?.rawValue == "manager")
        #expect(RuleRecipient(rawValue: "user:nope") == nil)
    }
}
