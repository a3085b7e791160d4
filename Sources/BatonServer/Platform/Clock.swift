import Vapor

/// The one source of "now" for services and rules, so tests can move time.
public struct BatonClock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = BatonClock { Date() }
}

extension Application {
    private struct ClockKey: StorageKey { typealias Value = BatonClock }
    public var clock: BatonClock {
        get { storage[ClockKey.self] ?? .system }
        set { storage[ClockKey.self] = newValue }
    }
}
