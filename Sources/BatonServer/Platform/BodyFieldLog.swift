import NIOConcurrencyHelpers
import Vapor

/// Which request-body fields the handlers read, by route. Off unless a test turns it on: the
/// OpenAPI contract test uses it to find a documented field no handler reads (it would be dropped
/// without a word) and a read field the document does not list.
final class BodyFieldLog: Sendable {
    private let reads = NIOLockedValueBox<[String: Set<String>]>([:])

    /// "POST /api/v1/projects/{}/tasks" (parameters blanked).
    static func key(_ route: Route) -> String {
        route.method.rawValue + " /" + route.path.map { component -> String in
            if case .constant(let text) = component { return text }
            return "{}"
        }.joined(separator: "/")
    }

    func note(_ field: String, route: Route?) {
        guard let route else { return }
        // "brief.checkpoints.0.title" → "brief.checkpoints.title": the schema's path through `items`
        let path = field.split(separator: ".").filter { !$0.allSatisfy(\.isNumber) }.joined(separator: ".")
        reads.withLockedValue { _ = $0[Self.key(route), default: []].insert(path) }
    }

    func fields(of key: String) -> Set<String> { reads.withLockedValue { $0[key] ?? [] } }
}

extension Application {
    private struct BodyFieldLogKey: StorageKey { typealias Value = BodyFieldLog }

    var bodyFieldLog: BodyFieldLog? {
        get { storage[BodyFieldLogKey.self] }
        set { storage[BodyFieldLogKey.self] = newValue }
    }
}

extension Request {
    /// The JSON body as `T`; with the field log on, every key `T`'s decoding asks for is noted.
    func decodeBody<T: Decodable>(_ type: T.Type) throws -> T {
        guard let log = application.bodyFieldLog else { return try content.decode(T.self) }
        let sink = FieldSink(log: log, route: route)
        return try FieldSink.$current.withValue(sink) { try content.decode(Noted<T>.self).value }
    }
}

private struct FieldSink: Sendable {
    @TaskLocal static var current: FieldSink?
    let log: BodyFieldLog
    let route: Route?
}

private struct Noted<T: Decodable>: Decodable {
    let value: T
    init(from decoder: any Decoder) throws {
        guard let sink = FieldSink.current else { value = try T(from: decoder); return }
        value = try T(from: NotingDecoder(base: decoder, sink: sink))
    }
}

/// Passes decoding through and notes the keys asked for (top-level ones: request bodies decoded
/// this way are flat).
private struct NotingDecoder: Decoder {
    let base: any Decoder
    let sink: FieldSink
    var codingPath: [any CodingKey] { base.codingPath }
    var userInfo: [CodingUserInfoKey: Any] { base.userInfo }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(NotingContainer(base: try base.container(keyedBy: type), sink: sink))
    }
    func unkeyedContainer() throws -> any UnkeyedDecodingContainer { try base.unkeyedContainer() }
    func singleValueContainer() throws -> any SingleValueDecodingContainer { try base.singleValueContainer() }
}

private struct NotingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let base: KeyedDecodingContainer<Key>
    let sink: FieldSink
    var codingPath: [any CodingKey] { base.codingPath }
    var allKeys: [Key] { base.allKeys }

    /// The key as sent: the decoder's snake_case conversion is undone by the key's own name.
    private func note(_ key: Key) { sink.log.note(JSONConventions.snakeCase(key.stringValue), route: sink.route) }

    func contains(_ key: Key) -> Bool { note(key); return base.contains(key) }
    func decodeNil(forKey key: Key) throws -> Bool { note(key); return try base.decodeNil(forKey: key) }
    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { note(key); return try base.decode(type, forKey: key) }
    func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws -> KeyedDecodingContainer<NestedKey> {
        note(key)
        return try base.nestedContainer(keyedBy: type, forKey: key)
    }
    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        note(key)
        return try base.nestedUnkeyedContainer(forKey: key)
    }
    func superDecoder() throws -> any Decoder { try base.superDecoder() }
    func superDecoder(forKey key: Key) throws -> any Decoder { note(key); return try base.superDecoder(forKey: key) }
}
