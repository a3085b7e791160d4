import Foundation
import Testing
@testable import BatonCore

@Suite("Messages, pure part: working hours, scheduled sends, recurring check-ins, acknowledgement reminders, read state")
struct MessageRulesTests {
    /// 2027-01-15 is a Friday.
    func date(_ text: String) -> Date { BatonDate.parseISO(text)! }
    let berlin = WorkingHours(days: [1, 2, 3, 4, 5], start: "09:00", end: "17:30", timeZone: "Europe/Berlin")

    @Test("working hours: inside, the start of the next working day (over a weekend), the next working moment")
    func workingHours() {
        #expect(berlin.contains(date("2027-01-15T10:00:00Z")))               // 11:00 in Berlin
        #expect(!berlin.contains(date("2027-01-15T17:00:00Z")))              // 18:00 in Berlin
        #expect(!berlin.contains(date("2027-01-16T10:00:00Z")))              // Saturday
        #expect(berlin.nextStart(atOrAfter: date("2027-01-15T07:00:00Z")) == date("2027-01-15T08:00:00Z"))
        #expect(berlin.nextStart(atOrAfter: date("2027-01-15T10:00:00Z")) == date("2027-01-18T08:00:00Z"), "Friday after the start: Monday")
        #expect(berlin.nextWorkingMoment(atOrAfter: date("2027-01-15T10:00:00Z")) == date("2027-01-15T10:00:00Z"))
        #expect(berlin.nextWorkingMoment(atOrAfter: date("2027-01-15T20:00:00Z")) == date("2027-01-18T08:00:00Z"))
        #expect(WorkingHours(days: [], timeZone: "UTC").problem()?.field == "days")
        #expect(WorkingHours(start: "18:00", end: "09:00").problem()?.field == "end")
        #expect(WorkingHours(timeZone: "Mars/Olympus").problem()?.field == "time_zone")
        #expect(berlin.problem() == nil)
    }

    @Test("a scheduled send: in the future, at most 120 days ahead, or at the start of the recipient's working day")
    func sendTime() {
        let now = date("2027-01-15T10:00:00Z")
        #expect(MessageSchedule.sendTime(.at(now.addingTimeInterval(-60)), recipientHours: berlin, now: now) ==
                .failure(.init(field: "send_at", message: "Choose a time in the future.")))
        if case .failure(let problem) = MessageSchedule.sendTime(.at(now.addingTimeInterval(121 * 86_400)), recipientHours: berlin, now: now) {
            #expect(problem.field == "send_at")
        } else {
            Issue.record("121 days ahead was accepted")
        }
        #expect(MessageSchedule.sendTime(.at(now.addingTimeInterval(3_600)), recipientHours: berlin, now: now) == .success(now.addingTimeInterval(3_600)))
        let tokyo = WorkingHours(timeZone: "Asia/Tokyo")
        // 19:00 on Friday in Tokyo: their next working day starts Monday 09:00 JST (00:00 UTC)
        #expect(MessageSchedule.sendTime(.startOfDay, recipientHours: tokyo, now: now) == .success(date("2027-01-18T00:00:00Z")))
    }

    @Test("every Monday at 9:00 their time, across a daylight-saving change")
    func recurrence() {
        let monday = MessageSchedule.Recurrence(weekday: 1, at: "09:00", timeZone: "Europe/Berlin")
        #expect(monday.problem() == nil)
        #expect(monday.next(after: date("2027-01-15T10:00:00Z")) == date("2027-01-18T08:00:00Z"))
        #expect(monday.next(after: date("2027-01-18T08:00:00Z")) == date("2027-01-25T08:00:00Z"), "strictly after")
        // Berlin moves to summer time on 28 March 2027: 9:00 is then 07:00 UTC
        #expect(monday.next(after: date("2027-03-27T12:00:00Z")) == date("2027-03-29T07:00:00Z"))
        #expect(MessageSchedule.Recurrence(weekday: 8, at: "09:00", timeZone: "UTC").problem()?.field == "recurrence.weekday")
        #expect(MessageSchedule.Recurrence(weekday: 1, at: "9", timeZone: "UTC").problem()?.field == "recurrence.at")
    }

    @Test("acknowledgement reminders: every 4 working hours, at most 3")
    func reminders() {
        let sent = date("2027-01-15T14:00:00Z")                              // 15:00 Friday in Berlin
        let first = AcknowledgementReminders.next(after: sent, sent: 0, hours: berlin)
        #expect(first == date("2027-01-18T08:00:00Z"), "19:00 Friday is after hours: Monday at the start")
        let second = AcknowledgementReminders.next(after: first!, sent: 1, hours: berlin)
        #expect(second == date("2027-01-18T12:00:00Z"))
        #expect(AcknowledgementReminders.next(after: second!, sent: 3, hours: berlin) == nil)
    }

    @Test("read state: unread after the pointer and not one's own; read never moves back, unread-from-here does; who has read")
    func readState() {
        let me = UUID(), you = UUID(), them = UUID()
        let positions = [(position: 1, author: you), (position: 2, author: me), (position: 3, author: you), (position: 4, author: them)]
        #expect(ReadState.unread(positions: positions, lastRead: nil, reader: me) == 3)
        #expect(ReadState.unread(positions: positions, lastRead: 3, reader: me) == 1)
        #expect(ReadState.markRead(2, current: 3) == 3 && ReadState.markRead(4, current: 3) == 4)
        #expect(ReadState.markUnread(from: 3) == 2)
        let (read, unread) = ReadState.readers(of: 3, author: you, pointers: [me: 3, them: 2], members: [me, you, them])
        #expect(read == [me] && unread == [them])
    }

    @Test("message text: not empty, at most 40,000 characters; @channel; a fixed set of reactions")
    func text() {
        #expect(MessageText.problem(in: "  \n ") != nil)
        #expect(MessageText.problem(in: String(repeating: "a", count: 40_001)) != nil)
        #expect(MessageText.problem(in: String(repeating: "a", count: 40_000)) == nil)
        #expect(MessageText.mentionsChannel("Heads up @channel: the launch moved") && !MessageText.mentionsChannel("mail me@channel.test"))
        #expect(MessageText.isReaction("👍") && !MessageText.isReaction("🦄"))
    }
}
