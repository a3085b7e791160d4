import Foundation

/// When scheduled rules fall due, and which tasks a date trigger finds.
public enum RuleSchedule {
    /// The latest time at or before `now` the schedule names, or nil when the trigger names none.
    /// A restart that spanned several occurrences catches up with this one alone.
    public static func latestOccurrence(of trigger: RuleTrigger, onOrBefore now: Date) -> Date? {
        guard trigger.type == .schedule, let every = trigger.every, let (hour, minute) = clock(trigger.at ?? "") else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: trigger.timeZone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        for back in 0...8 {
            guard let day = calendar.date(byAdding: .day, value: -back, to: today),
                  let candidate = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day),
                  candidate <= now, qualifies(day, every: every, weekday: trigger.weekday, calendar: calendar) else { continue }
            return candidate
        }
        return nil
    }

    /// The first time after `now` the schedule names (shown in the editor).
    public static func nextOccurrence(of trigger: RuleTrigger, after now: Date) -> Date? {
        guard trigger.type == .schedule, let every = trigger.every, let (hour, minute) = clock(trigger.at ?? "") else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: trigger.timeZone ?? "UTC") ?? TimeZone(identifier: "UTC")!
        let today = calendar.startOfDay(for: now)
        for ahead in 0...8 {
            guard let day = calendar.date(byAdding: .day, value: ahead, to: today),
                  let candidate = calendar.date(bySettingHour: hour, minute: minute, second: 0, of: day),
                  candidate > now, qualifies(day, every: every, weekday: trigger.weekday, calendar: calendar) else { continue }
            return candidate
        }
        return nil
    }

    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public static func isoWeekday(_ date: Date, calendar: Calendar) -> Int {
        (calendar.component(.weekday, from: date) + 5) % 7 + 1
    }

    private static func qualifies(_ day: Date, every: ScheduleEvery, weekday: Int?, calendar: Calendar) -> Bool {
        let iso = isoWeekday(day, calendar: calendar)
        switch every {
        case .day: return true
        case .weekday: return iso <= 5
        case .week: return iso == (weekday ?? 1)
        }
    }

    /// "09:30" → (9, 30).
    public static func clock(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: ":")
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hour = Int(parts[0]), let minute = Int(parts[1]),
              (0..<24).contains(hour), (0..<60).contains(minute) else { return nil }
        return (hour, minute)
    }
}

/// "Due within N hours with no progress for M hours": the deadline warning.
public enum DueSoon {
    public static func applies(dueAt: Date?, progressAt: Date, isDone: Bool, now: Date, withinHours: Int, unchangedHours: Int) -> Bool {
        guard let dueAt, !isDone, dueAt > now else { return false }
        return dueAt <= now.addingTimeInterval(Double(withinHours) * 3600)
            && progressAt <= now.addingTimeInterval(-Double(unchangedHours) * 3600)
    }
}

/// How deep rules may set off rules: a change made by a rule carries its depth in its events, and
/// a rule fired by an event of depth `limit` is skipped (and says so in its run history).
public enum RuleDepth {
    public static let limit = 3
    public static let eventKey = "rule_depth"
    public static let ruleKey = "rule_id"

    /// The depth of the rule run an event sets off: 1 for a person's change.
    public static func runDepth(after eventData: [String: String]) -> Int {
        (eventData[eventKey].flatMap(Int.init) ?? 0) + 1
    }

    public static func isAllowed(_ depth: Int) -> Bool { depth <= limit }
}
