import Foundation

/// How long approvals wait, per step or per approver: the seed's "only one person has final
/// sign-off on many items" made visible as a count, an average and a 90th percentile.
public struct WaitSummary: Sendable, Equatable {
    public let key: String
    public let count: Int
    public let average: TimeInterval
    public let p90: TimeInterval

    /// One summary per key, longest p90 first. The percentile is the nearest rank: the smallest
    /// wait that at least 90 % of the waits do not exceed.
    public static func of(_ waits: [(key: String, seconds: TimeInterval)]) -> [WaitSummary] {
        Dictionary(grouping: waits, by: \.key).map { key, entries in
            let sorted = entries.map(\.seconds).sorted()
            let rank = max(1, Int((0.9 * Double(sorted.count)).rounded(.up)))
            return WaitSummary(key: key, count: sorted.count, average: sorted.reduce(0, +) / Double(sorted.count), p90: sorted[rank - 1])
        }
        .sorted { ($0.p90, $0.count, $1.key) > ($1.p90, $1.count, $0.key) }
    }
}

public enum WaitWords {
    /// "under a minute", "45 min", "3 h 20 min", "2 d 4 h": how long someone waited, for a reader.
    public static func duration(_ seconds: TimeInterval) -> String {
        let minutes = Int(max(0, seconds) / 60)
        if minutes < 1 { return "under a minute" }
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60
        if hours < 24 { return minutes % 60 == 0 ? "\(hours) h" : "\(hours) h \(minutes % 60) min" }
        return hours % 24 == 0 ? "\(hours / 24) d" : "\(hours / 24) d \(hours % 24) h"
    }
}

public enum AmountWords {
    /// "12,500", "12,500.50", "-3": an amount with thousands grouped, cents only when there are any.
    public static func text(_ number: Double) -> String {
        let cents = Int((abs(number) * 100).rounded())
        var whole = String(cents / 100)
        var grouped = ""
        while whole.count > 3 {
            grouped = "," + whole.suffix(3) + grouped
            whole = String(whole.dropLast(3))
        }
        let sign = number < 0 && cents > 0 ? "-" : ""
        let fraction = cents % 100 == 0 ? "" : "." + String(format: "%02d", cents % 100)
        return sign + whole + grouped + fraction
    }
}
