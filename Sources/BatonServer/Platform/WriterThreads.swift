import Fluent
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Vapor

/// The SQLite writer's own thread: an event loop that runs the writer's Swift code and, on the
/// same thread, its libsqlite3 calls (`DirectSQLiteConnection`). On the shared event loops each
/// statement of a write transaction waited behind HTTP work before the next could start; with
/// sqlite-nio each statement also went to a thread pool and back. The writer holds the only write
/// lock, so every write waited with it. Now a statement is a plain function call.
///
/// One thread per application, started on first use and stopped after the writer's connection is
/// closed: the driver below takes the writer's lock (every use of the connection holds it), so
/// no write is running when the connection closes. Applications sharing a thread could deadlock:
/// a writer waiting in SQLite's busy handler for another application's lock on the same file
/// would hold the thread that other writer needs to commit.
final class WriterThreads: Sendable {
    private struct Running {
        let group: MultiThreadedEventLoopGroup
        let executor: EventLoopTaskExecutor
        var stopped = false
    }

    private let running = NIOLockedValueBox<Running?>(nil)

    /// Held by whoever uses the writer connection: one transaction (or a run of them) at a time.
    let lock = AsyncLock()

    private var threads: Running {
        running.withLockedValue { running in
            if let running { return running }
            let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
            let started = Running(group: group, executor: EventLoopTaskExecutor(group.next()))
            running = started
            return started
        }
    }

    var eventLoop: any EventLoop { threads.executor.eventLoop }

    /// Where the writer's Swift code runs; none once stopped (a write arriving during shutdown fails on its own).
    var executor: EventLoopTaskExecutor? {
        let threads = self.threads
        return threads.stopped ? nil : threads.executor
    }

    /// The writer database: one connection to the file at `path`, used on this thread.
    func configuration(path: String) -> any DatabaseConfiguration {
        WriterConfiguration(connection: WriterConnection(path: path, threads: self))
    }

    fileprivate func stop() async {
        guard let threads = markStopped() else { return }
        try? await threads.group.shutdownGracefully()
    }

    fileprivate func stopSync() {
        guard let threads = markStopped() else { return }
        try? threads.group.syncShutdownGracefully()
    }

    private func markStopped() -> Running? {
        running.withLockedValue { running -> Running? in
            guard var current = running, !current.stopped else { return nil }
            current.stopped = true
            running = current
            return current
        }
    }
}

/// The writer's connection, opened on first use on the writer's thread and used only there.
final class WriterConnection: DirectSQLiteRunner, @unchecked Sendable {
    private let path: String
    fileprivate let threads: WriterThreads
    /// Touched only on the writer's thread.
    private var connection: DirectSQLiteConnection?
    private var closed = false

    fileprivate init(path: String, threads: WriterThreads) {
        self.path = path
        self.threads = threads
    }

    private var eventLoop: any EventLoop { threads.eventLoop }

    private func open() throws -> DirectSQLiteConnection {
        if let connection { return connection }
        guard !closed else { throw Abort.databaseShuttingDown }
        let opened = try DirectSQLiteConnection(path: path)
        connection = opened
        return opened
    }

    func run<T: Sendable>(on target: any EventLoop,
                          _ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) -> EventLoopFuture<T> {
        guard eventLoop.inEventLoop else { return eventLoop.submit { try body(self.open()) }.hop(to: target) }
        do { return target.makeSucceededFuture(try body(open())) } catch { return target.makeFailedFuture(error) }
    }

    func run<T: Sendable>(_ body: @escaping @Sendable (DirectSQLiteConnection) throws -> T) async throws -> T {
        guard eventLoop.inEventLoop else { return try await eventLoop.submit { try body(self.open()) }.get() }
        return try body(open())
    }

    fileprivate func close() {
        connection?.close()
        connection = nil
        closed = true
    }

    fileprivate func closeOnItsThread() async {
        try? await eventLoop.submit { self.close() }.get()
    }

    fileprivate func closeOnItsThreadSync() {
        try? eventLoop.submit { self.close() }.wait()
    }
}

private struct WriterConfiguration: DatabaseConfiguration {
    let connection: WriterConnection
    var middleware: [any AnyModelMiddleware] = []

    func makeDriver(for _: Databases) -> any DatabaseDriver { WriterDriver(connection: connection) }
}

/// Closes the writer's connection under the writer's lock, then stops its thread.
private struct WriterDriver: DatabaseDriver {
    let connection: WriterConnection

    func makeDatabase(with context: DatabaseContext) -> any Database {
        DirectSQLiteDatabase(runner: connection, context: context, inTransaction: false)
    }

    func shutdown() {
        connection.closeOnItsThreadSync()
        connection.threads.stopSync()
    }

    func shutdownAsync() async {
        _ = try? await connection.threads.lock.withLock {
            await connection.closeOnItsThread()
            await connection.threads.stop()
            return true
        }
    }
}

/// Runs Swift tasks that prefer it on one event loop, so code awaiting that loop's futures
/// continues there at once.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
