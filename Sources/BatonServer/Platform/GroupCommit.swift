import NIOConcurrencyHelpers

/// Group commit for the single SQLite writer: writes that arrive while a transaction is running
/// wait in a queue, and the next transaction runs all of them, each inside its own savepoint.
/// One write that fails rolls back to its savepoint and fails alone; the others commit together.
///
/// Why: with one writer, every write used to pay for its own lock hand-over, BEGIN and COMMIT,
/// and every statement's hop through a busy event loop stretched the time the lock was held.
/// The batches of one drain run in one session on the writer's thread (`Store.commitSession`).
final class GroupCommit: Sendable {
    typealias Work = @Sendable (WriteContext) async throws -> any Sendable

    struct Pending: Sendable {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
        /// The drain running now or last; it may still be letting go of the writer's lock after
        /// `draining` turned false.
        var drainTask: Task<Void, Never>?
        var drains = 0
        var transactions = 0
        var writes = 0
    }

    /// Transactions run and writes they carried, since start (for /metrics and tests).
    var counts: (transactions: Int, writes: Int) { state.withLockedValue { ($0.transactions, $0.writes) } }

    private let state = NIOLockedValueBox(State())
    private let maxBatch: Int
    private let threads: WriterThreads

    init(threads: WriterThreads, maxBatch: Int = 64) {
        self.threads = threads
        self.maxBatch = maxBatch
    }

    /// Takes the next batch (empty when the queue is empty, which ends the drain).
    typealias Next = @Sendable () -> [Pending]

    /// `runSession` takes batches with `next` and runs one transaction for each, resuming every
    /// continuation of a batch exactly once; it may return early (it is called again while
    /// writes wait), and when it cannot run a batch it fails the ones it took.
    func submit(_ work: @escaping Work, runSession: @escaping @Sendable (@escaping Next) async -> Void) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            let drainNumber = state.withLockedValue { state -> Int? in
                state.queue.append(Pending(work: work, continuation: continuation))
                guard !state.draining else { return nil }
                state.draining = true
                state.drains += 1
                return state.drains
            }
            guard let drainNumber else { return }
            // Made outside the lock: the drain starts at once on the writer's loop and takes it.
            let drain = Task(executorPreference: threads.executor) { await self.drain(runSession) }
            state.withLockedValue { state in
                if state.drains == drainNumber { state.drainTask = drain }
            }
        }
    }

    /// Returns once no drain runs, so no write is using the writer connection (before shutdown closes it).
    func waitUntilIdle() async {
        while let task = state.withLockedValue({ $0.drainTask }) {
            await task.value
            let done = state.withLockedValue { state -> Bool in
                guard !state.draining else { return false }
                state.drainTask = nil
                return true
            }
            if done { return }
        }
    }

    private func drain(_ runSession: @Sendable (@escaping Next) async -> Void) async {
        while state.withLockedValue({ $0.draining }) {
            await runSession { self.takeBatch() }
        }
    }

    private func takeBatch() -> [Pending] {
        state.withLockedValue { state -> [Pending] in
            let taken = Array(state.queue.prefix(maxBatch))
            state.queue.removeFirst(taken.count)
            if taken.isEmpty { state.draining = false } else {
                state.transactions += 1
                state.writes += taken.count
            }
            return taken
        }
    }
}
