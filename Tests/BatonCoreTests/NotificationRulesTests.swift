import Foundation
import Testing
@testable import BatonCore

@Suite("Notification rules: who hears, bursts, quiet hours")
struct NotificationRulesTests {
    let maya = UUID(), tom = UUID(), ana = UUID(), lee = UUID()
    let workspace = UUID(), task = UUID(), other = UUID()
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func notice(_ event: Int, to recipient: UUID, by actor: UUID?, subject: UUID? = nil, kind: String = "comment", after seconds: TimeInterval = 0) -> Notice {
        Notice(eventID: event, workspaceID: workspace, recipient: recipient, actor: actor, kind: kind, subjectType: "task",
               subjectID: subject ?? task, subjectTitle: "Budget", at: start.addingTimeInterval(seconds))
    }

    @Test("nobody hears of their own change; a person hears of an event once, for its first reason")
    func filter() {
        let kept = NoticeFilter.apply([
            notice(1, to: maya, by: maya),
            notice(1, to: tom, by: maya, kind: "mentioned"),
            notice(1, to: tom, by: maya, kind: "comment"),
            notice(2, to: tom, by: maya, kind: "comment"),
        ])
        #expect(kept.map(\.eventID) == [1, 2])
        #expect(kept.map(\.kind) == ["mentioned", "comment"])
        #expect(!kept.contains { $0.recipient == maya })
    }

    @Test("changes by one person to one task within two minutes are one entry; anything else starts a new one")
    func bursts() {
        var next = 0
        let ids = (0..<10).map { _ in UUID() }
        let placements = InboxGrouping.place([
            notice(1, to: tom, by: maya),
            notice(2, to: tom, by: maya, after: 30),
            notice(3, to: tom, by: maya, after: 119),
            notice(4, to: tom, by: maya, after: 121),           // past the first change's window
            notice(5, to: tom, by: ana, after: 122),            // someone else
            notice(6, to: tom, by: maya, subject: other, after: 123),  // another task
            notice(7, to: lee, by: maya, after: 124),           // another reader
            notice(8, to: tom, by: maya, kind: "assigned", after: 125),  // another kind
            notice(9, to: tom, by: nil, after: 126),            // Baton's own (rules): never grouped
            notice(10, to: tom, by: nil, after: 127),
        ], open: [], newID: { defer { next += 1 }; return ids[next] })
        let entries = placements.map { placement -> UUID in
            switch placement { case .join(let id, _), .start(let id, _): id }
        }
        #expect(entries[0] == entries[1] && entries[1] == entries[2])
        #expect(Set(entries).count == 8)
        #expect(entries[3] != entries[0] && entries[8] != entries[9])
    }

    @Test("an open entry joins only while unread, in the inbox, and short of the line limit")
    func openEntries() {
        let open = InboxGrouping.Entry(id: UUID(), recipient: tom, actor: maya, kind: "comment", subjectType: "task", subjectID: task,
                                       firstAt: start, lines: 3)
        #expect(InboxGrouping.joins(notice(5, to: tom, by: maya, after: 60), open))
        var read = open
        read.isRead = true
        #expect(!InboxGrouping.joins(notice(5, to: tom, by: maya, after: 60), read))
        var archived = open
        archived.isArchived = true
        #expect(!InboxGrouping.joins(notice(5, to: tom, by: maya, after: 60), archived))
        var full = open
        full.lines = InboxGrouping.maximumLines
        #expect(!InboxGrouping.joins(notice(5, to: tom, by: maya, after: 60), full))
        #expect(!InboxGrouping.joins(notice(5, to: tom, by: maya, after: -1), open))
    }

    @Test("a task's events reach its owners and the people mentioned, never the whole project")
    func workRecipients() {
        let owners = WorkNotices.Owners(assignee: tom, delegator: maya, watchers: [lee])
        func who(_ event: WorkEvent, _ data: [String: String] = [:]) -> [String] {
            WorkNotices.recipients(of: event, data: data, owners: owners).map { person, kind in
                "\([maya: "maya", tom: "tom", ana: "ana", lee: "lee"][person] ?? "?"):\(kind.rawValue)"
            }
        }
        #expect(who(.taskAssigned, ["to": ana.uuidString, "from": tom.uuidString]) == ["ana:assigned", "tom:assigned"])
        #expect(who(.taskSubmittedForAcceptance) == ["maya:acceptance"])
        #expect(who(.taskCompletionReturned) == ["tom:acceptance"])
        #expect(who(.taskClarificationRequested) == ["maya:handoff"])
        #expect(who(.taskClarificationAnswered) == ["tom:handoff"])
        #expect(who(.taskWaiverRequested) == ["maya:waiver"])
        #expect(who(.taskWaiverGranted) == ["tom:waiver"])
        #expect(who(.taskBriefChangeProposed) == ["maya:brief_change"])
        #expect(who(.taskBriefChangeAccepted, ["proposed_by": tom.uuidString]) == ["tom:brief_change"])
        #expect(who(.taskCommented, ["mentions": ana.uuidString]) == ["ana:mentioned", "tom:comment", "maya:comment", "lee:comment"])
        #expect(who(.taskStageChanged).isEmpty && who(.taskUpdated).isEmpty && who(.taskCreated).isEmpty)
    }

    @Test("quiet hours hold email until they end, in the person's own zone, across midnight")
    func quietHours() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let settings = NotificationSettings(quietStart: 22 * 60, quietEnd: 7 * 60)
        func at(_ text: String) -> Date { BatonDate.parseISO(text)! }
        // 23:30 in Berlin (CET, UTC+1) waits until 07:00 the next morning
        #expect(settings.emailTime(after: at("2026-12-01T22:30:00Z"), timeZone: berlin) == at("2026-12-02T06:00:00Z"))
        // 05:00 waits until 07:00 the same morning
        #expect(settings.emailTime(after: at("2026-12-02T04:00:00Z"), timeZone: berlin) == at("2026-12-02T06:00:00Z"))
        // 12:00 goes at once
        #expect(settings.emailTime(after: at("2026-12-02T11:00:00Z"), timeZone: berlin) == at("2026-12-02T11:00:00Z"))
        let daytime = NotificationSettings(quietStart: 9 * 60, quietEnd: 17 * 60)
        #expect(daytime.emailTime(after: at("2026-12-02T09:00:00Z"), timeZone: berlin) == at("2026-12-02T16:00:00Z"))
        #expect(NotificationSettings.defaults.emailTime(after: at("2026-12-02T03:00:00Z"), timeZone: berlin) == at("2026-12-02T03:00:00Z"))
        #expect(NotificationSettings.minutes("22:00") == 1320 && NotificationSettings.minutes("7:05") == 425)
        #expect(NotificationSettings.minutes("24:00") == nil && NotificationSettings.minutes("22") == nil && NotificationSettings.minutes("ab:cd") == nil)
    }

    @Test("a kind's default applies until the person chooses")
    func deliveries() {
        let kinds = WorkNotices.kinds
        var settings = NotificationSettings()
        #expect(settings.delivery(of: "assigned", kinds: kinds) == .both)
        #expect(settings.delivery(of: "comment", kinds: kinds) == .inApp)
        settings.deliveries["comment"] = NoticeDelivery.none
        #expect(settings.delivery(of: "comment", kinds: kinds) == NoticeDelivery.none)
        #expect(!NoticeDelivery.none.reachesInbox && NoticeDelivery.email.sendsEmail && !NoticeDelivery.email.reachesInbox)
    }
}
