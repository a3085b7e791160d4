import Foundation
import BatonCore

/// When a scheduled message goes: at a time, at the start of someone's working day, or every
/// week at a time (in a time zone that defaults to the recipient's, "their time").
enum ScheduleTiming: Sendable, Equatable {
    case at(Date)
    case startOfDay
    case weekly(weekday: Int, at: String, timeZone: String?)

    /// Exactly one of `send_at`, `at_start_of_day: true` and `recurrence`; nil when none is given.
    static func read(_ body: PatchReader, reading: Reading) -> ScheduleTiming? {
        let sendAt = reading.read { try body.nullableDate("send_at") ?? nil }
        let startOfDay = reading.read { try body.bool("at_start_of_day") } ?? false
        var weekly: ScheduleTiming?
        if let recurrence = reading.read({ try body.objectReader("recurrence") }) {
            let weekday = reading.read { try recurrence.int("weekday") }
            let at = reading.read { try recurrence.string("at") }
            let zone = reading.read { try recurrence.string("time_zone") }
            if let weekday, let at {
                weekly = .weekly(weekday: weekday, at: at, timeZone: zone)
            } else {
                _ = reading.read { () throws -> Bool? in
                    throw BatonError.validation(weekday == nil ? "recurrence.weekday" : "recurrence.at", "A weekly check-in names its weekday (1 = Monday … 7) and time (09:00).")
                }
            }
        }
        let given = [sendAt.map { ScheduleTiming.at($0) }, startOfDay ? .startOfDay : nil, weekly].compactMap { $0 }
        if given.count > 1 {
            _ = reading.read { () throws -> Bool? in
                throw BatonError.validation("send_at", "Choose one of send_at, at_start_of_day and recurrence.")
            }
        }
        return given.first
    }

    var needsRecipient: Bool {
        switch self {
        case .startOfDay: true
        case .at, .weekly: false
        }
    }
}

/// A message to send later.
struct ScheduleDraft: Sendable {
    var body: String
    var timing: ScheduleTiming
    var recipientID: UUID?
    var asksAcknowledgement = false

    init(body: String, timing: ScheduleTiming, recipientID: UUID? = nil, asksAcknowledgement: Bool = false) {
        self.body = body
        self.timing = timing
        self.recipientID = recipientID
        self.asksAcknowledgement = asksAcknowledgement
    }

    init(_ body: PatchReader) throws {
        let reading = Reading()
        self.body = reading.read { try MessageDraft.text(body.string("body")) } ?? ""
        let timing = ScheduleTiming.read(body, reading: reading)
        recipientID = reading.read { try body.uuid("recipient_id") }
        asksAcknowledgement = reading.read { try body.bool("ask_acknowledgement") } ?? false
        try reading.finish()
        guard let timing else {
            throw BatonError.validation("send_at", "Say when: send_at, at_start_of_day: true, or a weekly recurrence.")
        }
        self.timing = timing
    }
}

/// A change to a pending scheduled message: what the body names changes.
struct SchedulePatch: Sendable {
    var body: String?
    var timing: ScheduleTiming?
    var recipientID: UUID?
    var asksAcknowledgement: Bool?
    var version: Int?

    init(_ body: PatchReader) throws {
        let reading = Reading()
        self.body = reading.read { try body.string("body").map { try MessageDraft.text($0) } }
        timing = ScheduleTiming.read(body, reading: reading)
        recipientID = reading.read { try body.uuid("recipient_id") }
        asksAcknowledgement = reading.read { try body.bool("ask_acknowledgement") }
        version = reading.read { try body.int("version") }
        try reading.finish()
    }
}
