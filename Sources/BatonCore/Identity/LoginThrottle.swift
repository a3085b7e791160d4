import Foundation

/// Limits on failed password checks, inside a sliding window, by three keys:
/// - one account from one client address (the tight limit a guesser hits first);
/// - one client address over every account (spraying many emails, unknown ones included);
/// - one account from every address (a distributed guess), which does not apply to an address
///   the account has signed in from before, so its owner can still sign in while it is hammered.
public struct LoginThrottle: Sendable {
    public var perAccountAndAddress: Int
    public var perAddress: Int
    public var perAccount: Int
    public var window: TimeInterval

    public init(perAccountAndAddress: Int = 10, perAddress: Int = 50, perAccount: Int = 100, window: TimeInterval = 15 * 60) {
        self.perAccountAndAddress = perAccountAndAddress
        self.perAddress = perAddress
        self.perAccount = perAccount
        self.window = window
    }

    public enum Decision: Equatable, Sendable {
        case allowed
        case blocked(retryAfterSeconds: Int)
    }

    /// Times of failed attempts (any order, any age) under each key.
    public struct Failures: Sendable {
        public var accountAndAddress: [Date]
        public var address: [Date]
        public var account: [Date]
        /// The account has signed in from this address before.
        public var knownAddress: Bool

        public init(accountAndAddress: [Date], address: [Date], account: [Date], knownAddress: Bool) {
            self.accountAndAddress = accountAndAddress
            self.address = address
            self.account = account
            self.knownAddress = knownAddress
        }
    }

    public func decide(_ failures: Failures, now: Date) -> Decision {
        var limits = [(failures.accountAndAddress, perAccountAndAddress), (failures.address, perAddress)]
        if !failures.knownAddress { limits.append((failures.account, perAccount)) }
        let waits = limits.compactMap { blockedFor(failures: $0.0, max: $0.1, now: now) }
        guard let longest = waits.max() else { return .allowed }
        return .blocked(retryAfterSeconds: longest)
    }

    /// Seconds until fewer than `max` failures remain in the window, or nil when that is so now.
    func blockedFor(failures: [Date], max: Int, now: Date) -> Int? {
        let recent = failures.filter { now.timeIntervalSince($0) < window }.sorted()
        guard recent.count >= max else { return nil }
        let unblocking = recent[recent.count - max]
        let seconds = unblocking.addingTimeInterval(window).timeIntervalSince(now)
        return Swift.max(1, Int(seconds.rounded(.up)))
    }

    public func windowStart(_ now: Date) -> Date { now.addingTimeInterval(-window) }
}
