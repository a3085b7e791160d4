import Foundation

/// One person's choices: where each kind of notice goes, whether emails come as one daily digest,
/// and quiet hours in their own time zone (email waits until they end; the inbox does not).
public struct NotificationSettings: Sendable, Equatable, Codable {
    /// Only the kinds the person changed; the rest follow their kind's default.
    public var deliveries: [String: NoticeDelivery]
    public var digest: Bool
    /// Minutes after local midnight; both or neither. Start after end spans midnight (22:00–07:00).
    public var quietStart: Int?
    public var quietEnd: Int?

    public init(deliveries: [String: NoticeDelivery] = [:], digest: Bool = false, quietStart: Int? = nil, quietEnd: Int? = nil) {
        self.deliveries = deliveries
        self.digest = digest
        self.quietStart = quietStart
        self.quietEnd = quietEnd
    }

    public static let defaults = NotificationSettings()

    public func delivery(of kind: String, kinds: [NoticeKind]) -> NoticeDelivery {
        deliveries[kind] ?? kinds.first { $0.rawValue == kind }?.defaultDelivery ?? .inApp
    }

    /// "22:00" → 1320; nil for anything that is not a time of day.
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].count <= 2, parts[1].count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]),
              (0..<24).contains(hours), (0..<60).contains(minutes) else { return nil }
        return hours * 60 + minutes
    }

    public static func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    /// The first moment at or after `date` outside quiet hours, in `timeZone`.
    public func emailTime(after date: Date, timeZone: TimeZone) -> Date {
        guard let start = quietStart, let end = quietEnd, start != end else { return date }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.hour, .minute], from: date)
        let now = (parts.hour ?? 0) * 60 + (parts.minute ?? 0)
        let quiet = start < end ? (now >= start && now < end) : (now >= start || now < end)
        guard quiet else { return date }
        // the next local time whose clock reads `end` (today or tomorrow)
        let midnight = calendar.startOfDay(for: date)
        for dayOffset in 0...2 {
            guard let day = calendar.date(byAdding: .day, value: dayOffset, to: midnight),
                  let candidate = calendar.date(bySettingHour: end / 60, minute: end % 60, second: 0, of: day) else { continue }
            if candidate > date { return candidate }
        }
        return date
    }
}
