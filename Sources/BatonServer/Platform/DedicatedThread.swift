import Foundation

/// Long work that never waits (parsing a 50,000-row CSV) on a thread of its own. On Swift's
/// shared task threads it would hold one of a 2-core machine's two for seconds; on a shared
/// thread pool (SQLite's statements, bcrypt) it would hold up everyone's queries.
enum DedicatedThread {
    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try body() })
            }
            thread.name = "baton-dedicated"
            thread.start()
        }
    }
}
