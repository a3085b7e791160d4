import Foundation

/// Login rate limit: too many failures for one account inside a sliding window blocks further attempts.
public struct LoginThrottle: Sendable {
    public var maxFailures: Int
    public var window: TimeInterval

    public init(maxFailures: Int = 10, window: TimeInterval = 15 * 60) {
        self.maxFailures = maxFailures
        self.window = window
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        case blocked(retryAfterSeconds: Int)
    }

    /// `failures` are the times of failed attempts for the account; any order, any age.
    public func decide(failures: [Date], now: Date) -> Decision {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= maxFailures else { return .allowed }
        // The block lifts once enough failures have aged out of the window.
        let unblocking = recent[recent.count - maxFailures]
        let seconds = unblocking.addingTimeInterval(window).timeIntervalSince(now)
        return .blocked(retryAfterSeconds: max(1, Int(seconds.rounded(.up))))
    }

    public var windowStart: (Date) -> Date {
        { [window] now in now.addingTimeInterval(-window) }
    }
}
