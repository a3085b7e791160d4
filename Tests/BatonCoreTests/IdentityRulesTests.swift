import Foundation
import Testing
@testable import BatonCore

@Suite("Identity rules")
struct IdentityRulesTests {
    @Test("roles are ordered and only admins and owners administer")
    func roles() {
        #expect(Role.guest < Role.member && Role.member < Role.admin && Role.admin < Role.owner)
        #expect(Role.allCases.filter(\.canAdminister) == [.admin, .owner])
    }

    @Test("role changes: owners make owners, the last owner stays")
    func roleChanges() {
        #expect(RoleChangeRule.check(actor: .member, targetCurrent: .guest, targetNew: .member, ownerCount: 1) != nil)
        #expect(RoleChangeRule.check(actor: .admin, targetCurrent: .member, targetNew: .admin, ownerCount: 1) == nil)
        #expect(RoleChangeRule.check(actor: .admin, targetCurrent: .member, targetNew: .owner, ownerCount: 1) != nil)
        #expect(RoleChangeRule.check(actor: .admin, targetCurrent: .owner, targetNew: .member, ownerCount: 2) != nil)
        #expect(RoleChangeRule.check(actor: .owner, targetCurrent: .owner, targetNew: .admin, ownerCount: 1) == .lastOwner)
        #expect(RoleChangeRule.check(actor: .owner, targetCurrent: .owner, targetNew: .admin, ownerCount: 2) == nil)
    }

    @Test("passwords need ten characters and not one repeated", arguments: [
        ("short", false), ("exactly10!", true), ("aaaaaaaaaaaa", false), (String(repeating: "ab", count: 101), false),
        ("correct horse battery", true),
    ])
    func passwords(password: String, acceptable: Bool) {
        #expect((PasswordPolicy.problem(with: password) == nil) == acceptable)
    }

    @Test("emails are trimmed, lowercased and checked", arguments: [
        (" Ada@Example.COM ", "ada@example.com"), ("no-at-sign", nil), ("a@b", nil), ("@example.com", nil),
        ("a b@example.com", nil), ("a@example.", nil), ("x@sub.example.org", "x@sub.example.org"),
    ] as [(String, String?)])
    func emails(raw: String, expected: String?) {
        #expect(EmailAddress.normalized(raw) == expected)
    }

    @Test("display text is trimmed and bounded")
    func displayText() throws {
        #expect(try DisplayText.validate("  Acme  ", label: "Name", max: 10).get() == "Acme")
        #expect(throws: DisplayText.TextProblem.self) { try DisplayText.validate("   ", label: "Name", max: 10).get() }
        #expect(throws: DisplayText.TextProblem.self) { try DisplayText.validate("12345678901", label: "Name", max: 10).get() }
        #expect(try DisplayText.validate("", label: "Title", max: 10, required: false).get() == "")
    }

    @Test("a name is one printable line; longer text keeps its lines", arguments: [
        ("Ünïcødé 日本語 🚀", false, nil), ("عربي", false, nil), ("a\nb", false, "Name must be one line."),
        ("a\r\nb", false, "Name must be one line."), ("a\tb", false, "Name must not contain a tab."),
        ("a\u{200B}b", false, "Name must not contain the invisible character U+200B."),
        ("Soft\u{AD}hyphen", false, "Name must not contain the invisible character U+00AD."),
        ("\u{645}\u{6CC}\u{200C}\u{62E}\u{648}\u{627}\u{647}\u{645}", false, nil), ("👩\u{200D}💻", false, nil),
        ("a\u{2029}b", false, "Name must be one line."), ("a\u{0}b", false, "Name must not contain the invisible character U+0000."),
        ("a\u{1B}[31m", false, "Name must not contain the invisible character U+001B."),
        ("a\u{85}b", false, "Name must not contain the invisible character U+0085."),
        ("txt.\u{202E}exe", false, "Name must not contain the invisible character U+202E."),
        ("a\u{2067}b", false, "Name must not contain the invisible character U+2067."),
        ("a\n\tb\r\nc", true, nil), ("txt.\u{202E}exe", true, nil),
        ("a\u{0}b", true, "Name must not contain the invisible character U+0000."),
        ("a\u{7F}b", true, "Name must not contain the invisible character U+007F."),
    ] as [(String, Bool, String?)])
    func displayTextCharacters(text: String, lines: Bool, problem: String?) {
        let result = DisplayText.validate(text, label: "Name", max: 100, lines: lines)
        if case .failure(let failure) = result { #expect(failure.message == problem) } else { #expect(problem == nil) }
    }

    @Test("long text: line breaks become \\n, blank lines before and spaces after go, indentation stays")
    func paragraphs() throws {
        #expect(try DisplayText.validate("\r\n  \n    code\r\n\tmore\rlast \n\n", label: "Text", max: 100, lines: true).get()
                == "    code\n\tmore\nlast")
        #expect(throws: DisplayText.TextProblem.self) { try DisplayText.validate(" \r\n ", label: "Text", max: 100, lines: true).get() }
    }

    @Test("a cell written on several lines becomes one", arguments: [
        ("Plan\nthe launch", "Plan the launch"), ("Plan  \r\n  the\tlaunch", "Plan the launch"), ("one line", "one line"),
        ("a\n\n\nb", "a b"), ("trailing\n", "trailing"),
    ])
    func oneLine(text: String, expected: String) {
        #expect(DisplayText.oneLine(text) == expected)
    }

    @Test("passwords and emails hold no control characters")
    func controlCharactersInCredentials() {
        #expect(PasswordPolicy.problem(with: "long enough\u{0}but cut") == "Password must not contain control characters.")
        #expect(EmailAddress.normalized("a\u{0}b@example.com") == nil)
        #expect(EmailAddress.normalized("a\u{202E}b@example.com") == nil)
    }

    @Test("time zones are IANA names")
    func timeZones() {
        #expect(TimeZoneName.isValid("Europe/Berlin"))
        #expect(TimeZoneName.isValid("UTC"))
        #expect(!TimeZoneName.isValid("Mars/Olympus"))
        #expect(!TimeZoneName.isValid(""))
    }

    @Test("invitations: pending for seven days, then expired; accepted and revoked win")
    func invitationState() {
        let created = Date(timeIntervalSince1970: 0)
        let expires = InvitationRules.expiry(from: created)
        #expect(expires.timeIntervalSince(created) == 7 * 24 * 3600)
        #expect(InvitationRules.state(acceptedAt: nil, revokedAt: nil, expiresAt: expires, now: created) == .pending)
        #expect(InvitationRules.state(acceptedAt: nil, revokedAt: nil, expiresAt: expires, now: expires) == .expired)
        #expect(InvitationRules.state(acceptedAt: created, revokedAt: nil, expiresAt: expires, now: expires) == .accepted)
        #expect(InvitationRules.state(acceptedAt: nil, revokedAt: created, expiresAt: expires, now: created) == .revoked)
        #expect(InvitationRules.mayInvite(actor: .admin, as: .member))
        #expect(!InvitationRules.mayInvite(actor: .admin, as: .owner))
        #expect(InvitationRules.mayInvite(actor: .owner, as: .owner))
        #expect(!InvitationRules.mayInvite(actor: .member, as: .guest))
    }

    @Test("reporting lines never loop")
    func managerChain() {
        let managers = ["b": "a", "c": "b"]
        #expect(ManagerChain.wouldLoop(person: "a", manager: "a", managers: managers))
        #expect(ManagerChain.wouldLoop(person: "a", manager: "c", managers: managers))
        #expect(!ManagerChain.wouldLoop(person: "d", manager: "c", managers: managers))
        #expect(!ManagerChain.wouldLoop(person: "c", manager: "a", managers: managers))
        // an existing loop elsewhere does not hang the check
        #expect(!ManagerChain.wouldLoop(person: "z", manager: "x", managers: ["x": "y", "y": "x"]))
    }
}

@Suite("Login throttle")
struct LoginThrottleTests {
    let now = Date(timeIntervalSince1970: 10_000)
    let throttle = LoginThrottle()

    func pair(_ dates: [Date], known: Bool = false) -> LoginThrottle.Failures {
        .init(accountAndAddress: dates, address: dates, account: dates, knownAddress: known)
    }

    @Test("nine failures from one address are allowed, the tenth blocks that account there")
    func threshold() {
        let nine = (0..<9).map { now.addingTimeInterval(-Double($0) * 10) }
        #expect(throttle.decide(pair(nine), now: now) == .allowed)
        let ten = nine + [now.addingTimeInterval(-100)]
        #expect(throttle.decide(pair(ten), now: now) == .blocked(retryAfterSeconds: 800))
    }

    @Test("failures older than the window do not count")
    func window() {
        let old = (0..<200).map { now.addingTimeInterval(-900 - Double($0)) }
        #expect(throttle.decide(pair(old), now: now) == .allowed)
    }

    @Test("the block lifts once enough failures age out")
    func lifts() {
        let failures = (0..<12).map { now.addingTimeInterval(-Double($0) * 60) }
        guard case .blocked(let seconds) = throttle.decide(pair(failures), now: now) else {
            Issue.record("expected a block")
            return
        }
        #expect(throttle.decide(pair(failures), now: now.addingTimeInterval(Double(seconds) - 1)) != .allowed)
        #expect(throttle.decide(pair(failures), now: now.addingTimeInterval(Double(seconds))) == .allowed)
    }

    @Test("one address spraying many accounts is blocked by its own total")
    func spraying() {
        let fifty = (0..<50).map { now.addingTimeInterval(-Double($0)) }
        let failures = LoginThrottle.Failures(accountAndAddress: [], address: fifty, account: [], knownAddress: false)
        #expect(throttle.decide(failures, now: now) != .allowed)
        let fewer = LoginThrottle.Failures(accountAndAddress: [], address: Array(fifty.prefix(49)), account: [], knownAddress: false)
        #expect(throttle.decide(fewer, now: now) == .allowed)
    }

    @Test("a hammered account stays open from an address it signed in from before, closed from new ones")
    func hammered() {
        let hundred = (0..<100).map { now.addingTimeInterval(-Double($0)) }
        let fromNew = LoginThrottle.Failures(accountAndAddress: [], address: [], account: hundred, knownAddress: false)
        #expect(throttle.decide(fromNew, now: now) != .allowed)
        let fromKnown = LoginThrottle.Failures(accountAndAddress: [], address: [], account: hundred, knownAddress: true)
        #expect(throttle.decide(fromKnown, now: now) == .allowed)
        // but the owner's own address still has its own tight limit
        let ten = Array(hundred.prefix(10))
        let guessingThere = LoginThrottle.Failures(accountAndAddress: ten, address: ten, account: hundred, knownAddress: true)
        #expect(throttle.decide(guessingThere, now: now) != .allowed)
    }
}

@Suite("Redirect targets")
struct RedirectTargetTests {
    @Test("same-origin paths pass as they are")
    func local() {
        #expect(RedirectTarget.safePath("/w/1/board?x=%20y") == "/w/1/board?x=%20y")
        #expect(RedirectTarget.safePath("/") == "/")
    }

    @Test("anything that a browser could read as another origin falls back to /",
          arguments: ["//evil.com", "/%09/evil.com", "/%2F/evil.com", "/%5Cevil.com", "/\\evil.com", "https://evil.com",
                      "/\t/evil.com", " /x", "/%0d%0aSet-Cookie:x", "/%252F/evil.com", "evil.com", "", "/%zz", "/\u{0}x"])
    func foreign(raw: String) {
        #expect(RedirectTarget.safePath(raw) == "/")
    }

    @Test("no target is /")
    func missing() { #expect(RedirectTarget.safePath(nil) == "/") }
}
