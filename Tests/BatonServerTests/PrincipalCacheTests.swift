import Foundation
import NIOCore
import Testing
import Vapor
import BatonCore
@testable import BatonServer

/// Revocation, sign-out, password change and deactivation through the API are covered (with the
/// cache in place) by AuthAPITests and MembersAPITests.
@Suite("Principal cache: who a token belongs to, remembered briefly and forgotten on the right events")
struct PrincipalCacheTests {
    private let principal = Principal(userID: UUID(), name: "Kim", email: "kim@example.com", timeZone: "UTC",
                                      createdAt: Date(), tokenID: UUID(), tokenKind: .personal)

    @Test("a second lookup is served without loading; an event that changes access empties it")
    func hitsAndForgets() async throws {
        let cache = PrincipalCache()
        let loads = Counter()
        for _ in 0..<3 {
            let found = try await cache.principal(tokenHash: "h", now: Date()) { loads.add(); return (principal, nil) }
            #expect(found?.userID == principal.userID)
        }
        #expect(loads.value == 1)
        cache.forget(after: [event(WorkEvent.taskStageChanged)])
        _ = try await cache.principal(tokenHash: "h", now: Date()) { loads.add(); return (principal, nil) }
        #expect(loads.value == 1)
        for kind in [IdentityEvent.tokenRevoked, .signedOut, .passwordChanged, .passwordReset, .profileUpdated, .memberDeactivated] {
            cache.forget(after: [event(WorkEvent.taskCommented), event(kind)])
            #expect(cache.count == 0)
            _ = try await cache.principal(tokenHash: "h", now: Date()) { loads.add(); return (principal, nil) }
        }
        #expect(loads.value == 7)
    }

    @Test("an expired token is refused even while cached; unknown tokens are not cached")
    func expiryAndMisses() async throws {
        let cache = PrincipalCache()
        let now = Date()
        #expect(try await cache.principal(tokenHash: "s", now: now) { (principal, now.addingTimeInterval(60)) } != nil)
        #expect(try await cache.principal(tokenHash: "s", now: now.addingTimeInterval(61)) { Issue.record("loaded"); return nil } == nil)
        #expect(try await cache.principal(tokenHash: "unknown", now: now) { nil } == nil)
        #expect(cache.count == 1)
    }

    @Test("a lookup that began before a forget does not store what it read")
    func raceWithForget() async throws {
        let cache = PrincipalCache()
        let found = try await cache.principal(tokenHash: "r", now: Date()) {
            cache.forgetAll()   // a revocation commits while this lookup is reading
            return (principal, nil)
        }
        #expect(found != nil)
        #expect(cache.count == 0)
    }

    @Test("entries live only for their lifetime")
    func lifetime() async throws {
        let cache = PrincipalCache(lifetime: .milliseconds(20))
        let loads = Counter()
        _ = try await cache.principal(tokenHash: "t", now: Date()) { loads.add(); return (principal, nil) }
        try await Task.sleep(for: .milliseconds(40))
        _ = try await cache.principal(tokenHash: "t", now: Date()) { loads.add(); return (principal, nil) }
        #expect(loads.value == 2)
    }

    private func event(_ kind: some EventKinds) -> LoggedEvent {
        LoggedEvent(id: 1, workspaceId: nil, actorId: nil, kind: kind.rawValue, subjectType: "user", subjectId: nil, projectId: nil,
                    data: [:], createdAt: Date())
    }
}

private final class Counter: @unchecked Sendable {
    private(set) var value = 0
    func add() { value += 1 }
}
