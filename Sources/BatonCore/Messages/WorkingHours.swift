import Foundation

/// When someone works, in their own time zone: "at the start of their working day" and
/// reminders "during their working hours" are read from this.
public struct WorkingHours: Codable, Sendable, Equatable {
    enum CodingKeys: String, CodingKey { case days, start, end, timeZone = "time_zone" }

    /// ISO weekdays, 1 = Monday … 7 = Sunday.
    public var days: [Int]
    /// "09:00" and "17:30", local time.
    public var start: String
    public var end: String
    public var timeZone: String

    public init(days: [Int] = [1, 2, 3, 4, 5], start: String = "09:00", end: String = "17:30", timeZone: String = "UTC") {
        self.days = days
        self.start = start
        self.end = end
        self.timeZone = timeZone
    }

    /// The first problem, naming the field.
    public func problem() -> (field: String, message: String)? {
        if days.isEmpty || days.contains(where: { !(1...7).contains($0) }) || Set(days).count != days.count {
            return ("days", "Working days are weekdays 1 (Monday) to 7 (Sunday), each once.")
        }
        guard let open = RuleSchedule.clock(start) else { return ("start", "The working day starts at a time such as 09:00.") }
        guard let close = RuleSchedule.clock(end) else { return ("end", "The working day ends at a time such as 17:30.") }
        if close.0 * 60 + close.1 <= open.0 * 60 + open.1 { return ("end", "The working day ends after it starts.") }
        if TimeZone(identifier: timeZone) == nil { return ("time_zone", "Unknown time zone “\(timeZone.prefix(60))”.") }
        return nil
    }

    private var calendar: Calendar {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")!
        return calendar
    }

    private func bounds(of day: Date, in calendar: Calendar) -> (open: Date, close: Date)? {
        guard let (openHour, openMinute) = RuleSchedule.clock(start), let (closeHour, closeMinute) = RuleSchedule.clock(end),
              let open = calendar.date(bySettingHour: openHour, minute: openMinute, second: 0, of: day),
              let close = calendar.date(bySettingHour: closeHour, minute: closeMinute, second: 0, of: day) else { return nil }
        return (open, close)
    }

    private func isWorkday(_ day: Date, in calendar: Calendar) -> Bool {
        days.contains(RuleSchedule.isoWeekday(day, calendar: calendar))
    }

    public func contains(_ moment: Date) -> Bool {
        let calendar = calendar
        let day = calendar.startOfDay(for: moment)
        guard isWorkday(day, in: calendar), let (open, close) = bounds(of: day, in: calendar) else { return false }
        return open <= moment && moment < close
    }

    /// The start of a working day at or after `moment` ("at the start of their working day").
    public func nextStart(atOrAfter moment: Date) -> Date {
        let calendar = calendar
        let today = calendar.startOfDay(for: moment)
        for ahead in 0...14 {
            guard let day = calendar.date(byAdding: .day, value: ahead, to: today), isWorkday(day, in: calendar),
                  let (open, _) = bounds(of: day, in: calendar), open >= moment else { continue }
            return open
        }
        return moment
    }

    /// `moment` itself when it is within working hours, else the start of the next working day.
    public func nextWorkingMoment(atOrAfter moment: Date) -> Date {
        contains(moment) ? moment : nextStart(atOrAfter: moment)
    }
}
