import NIOPosix

/// Long work that seldom waits (parsing and building a 50,000-row import) on a thread of its own.
/// `baton` makes NIO's event loops Swift's global executor, so on a plain task such work would
/// hold up an event loop, with every connection and request on it; on a shared thread pool
/// (SQLite's reads, bcrypt) it would hold up everyone's queries. A one-off thread costs
/// nothing next to the work.
enum DedicatedThread {
    static func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do {
            let value = try await withTaskExecutorPreference(EventLoopTaskExecutor(group.next())) { try await body() }
            try await group.shutdownGracefully()
            return value
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }
}
