import NIOConcurrencyHelpers
import Foundation

/// The demo's clock: real time, shifted into the past while the demo history is written.
public final class DemoClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    public init() {}

    public var clock: BatonClock { BatonClock { [self] in Date().addingTimeInterval(self.offset.withLockedValue { $0 }) } }

    func set(daysAgo: Double) { offset.withLockedValue { $0 = -daysAgo * 86_400 } }
    func reset() { offset.withLockedValue { $0 = 0 } }
}
