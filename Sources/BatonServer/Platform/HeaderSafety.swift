import Vapor

/// A response header holding a line break would end the header block early, and what follows,
/// user text included, would be read as more headers or as the body (response splitting). Every
/// response is checked once, in BatonErrorMiddleware, rather than trusting each handler that
/// builds a header from something a user wrote.
enum HeaderSafety {
    struct UnsafeHeader: Error, CustomStringConvertible {
        let name: String
        var description: String { "response header \(name) holds a control character" }
    }

    static func requireSafe(_ headers: HTTPHeaders) throws {
        for (name, value) in headers where !isSafe(name) || !isSafe(value) {
            throw UnsafeHeader(name: name)
        }
    }

    /// Bytes from 0x20 up (UTF-8 beyond ASCII included) and tab, never DEL.
    static func isSafe(_ text: String) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x20 && $0 != 0x7F) || $0 == 0x09 }
    }
}
