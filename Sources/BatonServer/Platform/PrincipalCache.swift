import NIOConcurrencyHelpers
import NIOCore
import Foundation
import BatonCore

/// Remembers who a token belongs to for a few seconds, so a burst of API calls does not repeat the
/// token ⋈ user query on every request.
///
/// Committed events that change what a lookup returns (revoked tokens, sign-outs, password
/// changes, profile edits, deactivations) empty it at once — in this process when the write
/// commits, in other PostgreSQL nodes when the event reaches them. The lifetime bounds what
/// nothing announces: a `baton user reset-password` run by another process on the same SQLite
/// file takes effect within `lifetime`.
final class PrincipalCache: Sendable {
    static let forgettingKinds: Set<String> = Set([
        IdentityEvent.tokenRevoked, .signedOut, .passwordChanged, .passwordReset, .passwordResetByLink, .profileUpdated, .memberDeactivated,
    ].map(\.rawValue))

    private struct Entry {
        let principal: Principal
        let tokenExpiresAt: Date?
        let cachedUntil: NIODeadline
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Bumped by every `forgetAll`; a lookup that started before it must not store its result.
        var generation = 0
    }

    private let state = NIOLockedValueBox(State())
    private let lifetime: TimeAmount
    private let capacity: Int

    init(lifetime: TimeAmount = .seconds(5), capacity: Int = 10_000) {
        self.lifetime = lifetime
        self.capacity = capacity
    }

    /// The cached principal for a token hash, or a lookup through `load` (whose result is cached).
    func principal(tokenHash: String, now: Date,
                   load: () async throws -> (Principal, expiresAt: Date?)?) async throws -> Principal? {
        let (hit, generation) = state.withLockedValue { state -> (Entry?, Int) in
            guard let entry = state.entries[tokenHash] else { return (nil, state.generation) }
            if entry.cachedUntil <= .now() {
                state.entries.removeValue(forKey: tokenHash)
                return (nil, state.generation)
            }
            return (entry, state.generation)
        }
        if let hit { return Self.unexpired(hit.principal, expiresAt: hit.tokenExpiresAt, now: now) }
        guard let (principal, expiresAt) = try await load() else { return nil }
        let entry = Entry(principal: principal, tokenExpiresAt: expiresAt, cachedUntil: .now() + lifetime)
        state.withLockedValue { state in
            guard state.generation == generation else { return }
            if state.entries.count >= capacity { state.entries.removeAll(keepingCapacity: true) }
            state.entries[tokenHash] = entry
        }
        return Self.unexpired(principal, expiresAt: expiresAt, now: now)
    }

    /// Called with every batch of committed events, before anyone hears about them.
    func forget(after events: [LoggedEvent]) {
        guard events.contains(where: { Self.forgettingKinds.contains($0.kind) }) else { return }
        forgetAll()
    }

    func forgetAll() {
        state.withLockedValue { state in
            state.entries.removeAll()
            state.generation += 1
        }
    }

    var count: Int { state.withLockedValue { $0.entries.count } }

    private static func unexpired(_ principal: Principal, expiresAt: Date?, now: Date) -> Principal? {
        if let expiresAt, expiresAt <= now { return nil }
        return principal
    }
}
