import Foundation
import Testing
@testable import BatonCore

@Suite("ISO-8601 text by arithmetic")
struct ISO8601TextTests {
    /// JSONEncoder drops fractions of a second; ISO8601DateFormatter would round x.9995 up.
    @Test("matches JSONEncoder's .iso8601 over four centuries, leap days, fractions and pre-1970 dates")
    func matchesJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        var generator = SystemRandomNumberGenerator()
        var dates: [Date] = [Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: -1), Date(timeIntervalSince1970: 951_782_400),
                             Date(timeIntervalSince1970: 253_402_214_400), Date(timeIntervalSince1970: 1_795_000_000.9996),
                             Date(timeIntervalSince1970: -2_000_000_000.9996)]
        for _ in 0..<5_000 { dates.append(Date(timeIntervalSince1970: Double.random(in: -6_000_000_000...8_000_000_000, using: &generator))) }
        for date in dates {
            let expected = String(decoding: try encoder.encode([date]), as: UTF8.self).dropFirst(2).dropLast(2)
            #expect(ISO8601Text.string(date) == expected, "\(date.timeIntervalSince1970)")
        }
    }
}
