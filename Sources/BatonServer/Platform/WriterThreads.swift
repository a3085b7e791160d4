import Fluent
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// The SQLite writer's own threads: an event loop its statements complete on and its Swift code
/// runs on, and a thread that calls libsqlite3. On the shared event loops each statement of a
/// write transaction waited behind HTTP work before the next could start, and its libsqlite3
/// call waited behind reads on the shared thread pool; the writer holds the only write lock, so
/// every write waited with it (the server's CPU was at 118% of 200% under the PATCH load).
///
/// One set per application, started on first use and stopped after the writer's connection is
/// closed: the driver below takes the writer's lock (every use of the connection holds it), so
/// no lease is out when its pool closes the connection, and only then stops the threads (a
/// connection given back after that could not be closed). Applications sharing threads
/// could deadlock: a writer spinning in SQLite's busy handler for another application's lock
/// on the same file would hold the thread that other writer needs to commit.
final class WriterThreads: Sendable {
    private struct Running {
        let group: MultiThreadedEventLoopGroup
        let pool: NIOThreadPool
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
            let pool = NIOThreadPool(numberOfThreads: 1)
            pool.start()
            let started = Running(group: group, pool: pool, executor: EventLoopTaskExecutor(group.next()))
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

    /// `factory`'s connections, on these threads.
    func configuration(_ factory: DatabaseConfigurationFactory) -> any DatabaseConfiguration {
        OwnThreads(inner: factory.make(), threads: self)
    }

    fileprivate func databases() -> Databases {
        let threads = self.threads
        return Databases(threadPool: threads.pool, on: threads.group)
    }

    fileprivate func stop() async {
        guard let threads = markStopped() else { return }
        try? await threads.pool.shutdownGracefully()
        try? await threads.group.shutdownGracefully()
    }

    fileprivate func stopSync() {
        guard let threads = markStopped() else { return }
        try? threads.pool.syncShutdownGracefully()
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

private struct OwnThreads: DatabaseConfiguration {
    var inner: any DatabaseConfiguration
    let threads: WriterThreads

    var middleware: [any AnyModelMiddleware] {
        get { inner.middleware }
        set { inner.middleware = newValue }
    }

    func makeDriver(for _: Databases) -> any DatabaseDriver {
        OwnThreadsDriver(inner: inner.makeDriver(for: threads.databases()), threads: threads)
    }
}

/// The inner driver, and the threads stopped after it has closed its connections.
private struct OwnThreadsDriver: DatabaseDriver {
    let inner: any DatabaseDriver
    let threads: WriterThreads

    func makeDatabase(with context: DatabaseContext) -> any Database { inner.makeDatabase(with: context) }

    func shutdown() {
        inner.shutdown()
        threads.stopSync()
    }

    func shutdownAsync() async {
        _ = try? await threads.lock.withLock {
            await inner.shutdownAsync()
            await threads.stop()
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
