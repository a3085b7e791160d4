import Foundation

/// When a scheduled message goes out: at a time (in the sender's zone, given as an instant), or
/// "at the start of their working day" in the recipient's; never in the past nor more than 120
/// days ahead. Recurring check-ins ("every Monday at 9:00 their time") name their next time.
public enum MessageSchedule {
    public static let maxAhead: TimeInterval = 120 * 86_400

    public enum Send: Sendable, Equatable {
        case at(Date)
        case startOfDay
    }

    public struct Problem: Error, Sendable, Equatable {
        public let field: String
        public let message: String
    }

    public static func sendTime(_ send: Send, recipientHours: WorkingHours, now: Date) -> Result<Date, Problem> {
        let time: Date
        switch send {
        case .at(let date):
            guard date > now else { return .failure(Problem(field: "send_at", message: "Choose a time in the future.")) }
            time = date
        case .startOfDay:
            // a minute on, so that "now" at the very start of the day means tomorrow's start, not a message already late
            time = recipientHours.nextStart(atOrAfter: now.addingTimeInterval(60))
        }
        guard time.timeIntervalSince(now) <= maxAhead else {
            return .failure(Problem(field: "send_at", message: "Schedule at most 120 days ahead."))
        }
        return .success(time)
    }

    /// "Every Monday at 9:00", in `timeZone` (the recipient's for "their time").
    public struct Recurrence: Codable, Sendable, Equatable {
        enum CodingKeys: String, CodingKey { case weekday, at, timeZone = "time_zone" }

        /// ISO weekday, 1 = Monday … 7 = Sunday.
        public var weekday: Int
        public var at: String
        public var timeZone: String

        public init(weekday: Int, at: String, timeZone: String) {
            self.weekday = weekday
            self.at = at
            self.timeZone = timeZone
        }

        public func problem() -> Problem? {
            if !(1...7).contains(weekday) { return Problem(field: "recurrence.weekday", message: "A weekday is 1 (Monday) to 7 (Sunday).") }
            if RuleSchedule.clock(at) == nil { return Problem(field: "recurrence.at", message: "A time such as 09:00.") }
            if TimeZone(identifier: timeZone) == nil { return Problem(field: "recurrence.time_zone", message: "Unknown time zone.") }
            return nil
        }

        /// The first occurrence strictly after `moment`.
        public func next(after moment: Date) -> Date? {
            guard let (hour, minute) = RuleSchedule.clock(at), let zone = TimeZone(identifier: timeZone) else { return nil }
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            let today = calendar.startOfDay(for: moment)
            for ahead in 0...8 {
                guard let day = calendar.date(byAdding: .day, value: ahead, to: today), RuleSchedule.isoWeekday(day, calendar: calendar) == weekday,
                      let candidate = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day), candidate > moment else { continue }
                return candidate
            }
            return nil
        }
    }
}

/// "Did you see it?": a message that asks to be acknowledged reminds those who have not, every 4
/// hours of their working time, at most 3 times.
public enum AcknowledgementReminders {
    public static let interval: TimeInterval = 4 * 3_600
    public static let limit = 3

    /// When the next reminder goes out after the last one (or the message) at `previous`, when
    /// `sent` have gone out already; nil when that was the last.
    public static func next(after previous: Date, sent: Int, hours: WorkingHours) -> Date? {
        guard sent < limit else { return nil }
        return hours.nextWorkingMoment(atOrAfter: previous.addingTimeInterval(interval))
    }
}
