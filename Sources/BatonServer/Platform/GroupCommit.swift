import NIOConcurrencyHelpers

/// Group commit for the single SQLite writer: writes that arrive while a transaction is running
/// wait in a queue, and the next transaction runs all of them, each inside its own savepoint.
/// One write that fails rolls back to its savepoint and fails alone; the others commit together.
///
/// Why: with one writer, every write used to pay for its own lock hand-over, BEGIN and COMMIT,
/// and every statement's hop through a busy event loop stretched the time the lock was held.
final class GroupCommit: Sendable {
    typealias Work = @Sendable (WriteContext) async throws -> any Sendable

    struct Pending: Sendable {
        let work: Work
        let continuation: CheckedContinuation<any Sendable, any Error>
    }

    private struct State {
        var queue: [Pending] = []
        var draining = false
        var transactions = 0
        var writes = 0
    }

    /// Transactions run and writes they carried, since start (for /metrics and tests).
    var counts: (transactions: Int, writes: Int) { state.withLockedValue { ($0.transactions, $0.writes) } }

    private let state = NIOLockedValueBox(State())
    private let maxBatch: Int

    init(maxBatch: Int = 64) {
        self.maxBatch = maxBatch
    }

    /// `runBatch` runs one transaction for a batch and must resume every continuation in it exactly once.
    func submit(_ work: @escaping Work, runBatch: @escaping @Sendable ([Pending]) async -> Void) async throws -> any Sendable {
        try await withCheckedThrowingContinuation { continuation in
            let startsDrain = state.withLockedValue { state -> Bool in
                state.queue.append(Pending(work: work, continuation: continuation))
                guard !state.draining else { return false }
                state.draining = true
                return true
            }
            if startsDrain { Task { await self.drain(runBatch) } }
        }
    }

    private func drain(_ runBatch: @Sendable ([Pending]) async -> Void) async {
        while true {
            let batch = state.withLockedValue { state -> [Pending] in
                let taken = Array(state.queue.prefix(maxBatch))
                state.queue.removeFirst(taken.count)
                if taken.isEmpty { state.draining = false } else {
                    state.transactions += 1
                    state.writes += taken.count
                }
                return taken
            }
            guard !batch.isEmpty else { return }
            await runBatch(batch)
        }
    }
}
