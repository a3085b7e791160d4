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
