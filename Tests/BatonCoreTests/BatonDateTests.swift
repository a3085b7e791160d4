import Foundation
import Testing
@testable import BatonCore

@Suite("ISO-8601 text by arithmetic")
struct BatonDateTests {
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
            #expect(BatonDate.iso(date) == expected, "\(date.timeIntervalSince1970)")
        }
    }

    @Test("days, form input and dates for people, each in the right time zone")
    func otherForms() {
        #expect(BatonDate.validDay("2028-02-29") == "2028-02-29")
        #expect(BatonDate.validDay("2027-02-29") == nil)
        #expect(BatonDate.validDay("2027-1-05") == nil)
        let local = BatonDate.parseLocal("2026-12-01T17:00", timeZone: "Europe/Berlin")
        #expect(local.map(BatonDate.iso) == "2026-12-01T16:00:00Z")
        #expect(BatonDate.parseLocal("2026-12-01", timeZone: "UTC").map(BatonDate.iso) == "2026-12-01T00:00:00Z")
        #expect(BatonDate.parseLocal("tomorrow", timeZone: "UTC") == nil)
        #expect(BatonDate.parseISO("2026-12-01T16:00:00.250Z").map(BatonDate.iso) == "2026-12-01T16:00:00Z")
        #expect(BatonDate.iso(nil as Date?) == "")
        let date = BatonDate.parseISO("2026-12-01T16:00:00Z")!
        #expect(BatonDate.day(date, timeZone: "Pacific/Kiritimati") == "Dec 2")
        #expect(BatonDate.long(date, timeZone: "Europe/Berlin").hasPrefix("Dec 1, 2026 at 17:00"))
    }
}
