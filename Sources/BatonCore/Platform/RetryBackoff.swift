import Foundation

/// Exponential backoff for failed jobs: base · 2^(attempt-1), capped.
public struct RetryBackoff: Sendable, Equatable {
    public var base: TimeInterval
    public var cap: TimeInterval

    public init(base: TimeInterval = 5, cap: TimeInterval = 3600) {
        self.base = base
        self.cap = cap
    }

    /// Delay before the next try after `attempt` failed tries (attempt ≥ 1).
    public func delay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = Double(max(0, attempt - 1))
        return min(cap, base * pow(2, min(exponent, 30)))
    }
}
