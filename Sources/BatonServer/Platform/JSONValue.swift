import Vapor
import BatonCore

/// Any JSON value, for request bodies whose fields may be absent, null or set (PATCH), or typed at
/// run time (custom fields). `PatchReader` turns it into typed values with 422s that name the field.
enum JSONValue: Decodable, Sendable, Equatable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    var fieldInput: FieldInput? {
        switch self {
        case .null: .null
        case .bool(let value): .bool(value)
        case .number(let value): .number(value)
        case .string(let value): .string(value)
        case .array(let values):
            values.allSatisfy { if case .string = $0 { true } else { false } }
                ? .list(values.compactMap { if case .string(let text) = $0 { text } else { nil } }) : nil
        case .object: nil
        }
    }
}

/// Reads typed fields out of a JSON object. Absent → nil; present-but-null → `.some(nil)` for the
/// `nullable` readers; a wrong type → 422 naming the field (with `prefix`, e.g. "brief.outcome").
struct PatchReader {
    let object: [String: JSONValue]
    var prefix = ""
    /// With the body-field log on (tests), every key read is noted for the route.
    var notes: (log: BodyFieldLog, route: Route?)? = nil

    init(_ object: [String: JSONValue], prefix: String = "", notes: (log: BodyFieldLog, route: Route?)? = nil) {
        self.object = object
        self.prefix = prefix
        self.notes = notes
    }

    private func value(_ key: String) -> JSONValue? {
        if let notes { notes.log.note(name(key), route: notes.route) }
        return object[key]
    }

    static func body(_ req: Request) throws -> PatchReader {
        // Keys are read as sent (snake_case): decode without the global key conversion.
        let notes = req.application.bodyFieldLog.map { (log: $0, route: req.route) }
        guard let buffer = req.body.data else { return PatchReader([:], notes: notes) }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: buffer)
        } catch {
            throw BatonError.badRequest("The request body is not valid JSON.")
        }
        guard case .object(let object) = value else { throw BatonError.badRequest("The request body must be a JSON object.") }
        return PatchReader(object, notes: notes)
    }

    func has(_ key: String) -> Bool { value(key) != nil }
    func name(_ key: String) -> String { prefix.isEmpty ? key : "\(prefix).\(key)" }
    private func wrong(_ key: String, _ expected: String) -> BatonError {
        .validation(name(key), "\(name(key)) must be \(expected).")
    }

    func string(_ key: String) throws -> String? {
        guard let value = value(key) else { return nil }
        guard case .string(let text) = value else { throw wrong(key, "a string") }
        return text
    }

    func nullableString(_ key: String) throws -> String?? {
        guard let value = value(key) else { return nil }
        if value == .null { return .some(nil) }
        return .some(try string(key))
    }

    func bool(_ key: String) throws -> Bool? {
        guard let value = value(key) else { return nil }
        guard case .bool(let flag) = value else { throw wrong(key, "true or false") }
        return flag
    }

    func int(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard case .number(let number) = value, number.rounded() == number, abs(number) < 1e9 else { throw wrong(key, "a whole number") }
        return Int(number)
    }

    func nullableInt(_ key: String) throws -> Int?? {
        guard let value = value(key) else { return nil }
        if value == .null { return .some(nil) }
        return .some(try int(key))
    }

    func nullableDouble(_ key: String) throws -> Double?? {
        guard let value = value(key) else { return nil }
        if value == .null { return .some(nil) }
        guard case .number(let number) = value, number.isFinite else { throw wrong(key, "a number") }
        return .some(number)
    }

    func uuid(_ key: String) throws -> UUID? {
        guard let text = try string(key) else { return nil }
        guard let id = UUID(uuidString: text) else { throw wrong(key, "an id") }
        return id
    }

    func nullableUUID(_ key: String) throws -> UUID?? {
        guard let value = value(key) else { return nil }
        if value == .null { return .some(nil) }
        return .some(try uuid(key))
    }

    func nullableDate(_ key: String) throws -> Date?? {
        guard let value = value(key) else { return nil }
        if value == .null { return .some(nil) }
        guard let text = try string(key), let date = BatonDate.parseISO(text) else {
            throw wrong(key, "an ISO-8601 date-time such as 2026-03-01T17:00:00Z")
        }
        return .some(date)
    }

    func strings(_ key: String) throws -> [String]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw wrong(key, "a list of strings") }
        return try items.map { item in
            guard case .string(let text) = item else { throw wrong(key, "a list of strings") }
            return text
        }
    }

    func ints(_ key: String) throws -> [Int]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw wrong(key, "a list of whole numbers") }
        return try items.map { item in
            guard case .number(let number) = item, number.isFinite, number == number.rounded(), abs(number) < 1e9 else {
                throw wrong(key, "a list of whole numbers")
            }
            return Int(number)
        }
    }

    func uuids(_ key: String) throws -> [UUID]? {
        try strings(key)?.map { text in
            guard let id = UUID(uuidString: text) else { throw wrong(key, "a list of ids") }
            return id
        }
    }

    func enumValue<E: RawRepresentable>(_ key: String, _ type: E.Type, allowed: String) throws -> E? where E.RawValue == String {
        guard let text = try string(key) else { return nil }
        guard let value = E(rawValue: text) else { throw wrong(key, "one of \(allowed)") }
        return value
    }

    func objectReader(_ key: String) throws -> PatchReader? {
        guard let value = value(key) else { return nil }
        guard case .object(let nested) = value else { throw wrong(key, "an object") }
        return PatchReader(nested, prefix: name(key), notes: notes)
    }

    func objects(_ key: String) throws -> [PatchReader]? {
        guard let value = value(key) else { return nil }
        guard case .array(let items) = value else { throw wrong(key, "a list of objects") }
        return try items.enumerated().map { index, item in
            guard case .object(let nested) = item else { throw wrong(key, "a list of objects") }
            return PatchReader(nested, prefix: "\(name(key)).\(index)", notes: notes)
        }
    }
}

/// Reads every field of a body before the first problem is reported: each is checked, and the
/// problem reported is the first one met.
final class Reading {
    private var problem: (any Error)?

    func read<T>(_ body: () throws -> T?) -> T? {
        do { return try body() } catch { if problem == nil { problem = error }; return nil }
    }

    func finish() throws { if let problem { throw problem } }
}
