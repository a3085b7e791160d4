import Foundation
import Testing
@testable import BatonCore

@Suite("Platform rules")
struct PlatformRulesTests {
    @Test("backoff doubles from five seconds and stops at an hour")
    func backoff() {
        let backoff = RetryBackoff()
        #expect((1...6).map { backoff.delay(afterAttempt: $0) } == [5, 10, 20, 40, 80, 160])
        #expect(backoff.delay(afterAttempt: 20) == 3600)
        #expect(backoff.delay(afterAttempt: 10_000) == 3600)
    }

    @Test("page sizes", arguments: [(nil, 50), (1, 1), (200, 200), (0, nil), (201, nil), (-5, nil)] as [(Int?, Int?)])
    func pageSize(requested: Int?, resolved: Int?) {
        #expect(PageSize.resolve(requested) == resolved)
    }

    static let catalog = EventCatalog([IdentityEvent.self, WorkEvent.self])

    @Test("admins see every event; members see team-wide ones and their own; guests their own and their projects' work")
    func visibility() {
        let me = "me", other = "other"
        func sees(_ kind: String, actor: String?, subject: String? = nil, project: String? = nil, inWorkspace: Bool = true,
                  _ role: Role, projects: Set<String> = []) -> Bool {
            EventVisibility.canSee(audience: Self.catalog.audience(of: kind), inWorkspace: inWorkspace, actor: actor, subject: subject,
                                   project: project, viewer: .init(id: me, role: role, guestProjects: projects))
        }
        #expect(sees("member.invited", actor: other, .admin))
        #expect(!sees("member.invited", actor: other, .member))
        #expect(sees("team.created", actor: other, .member))
        #expect(!sees("team.created", actor: other, .guest))
        #expect(sees("member.role_changed", actor: other, subject: me, .guest))
        #expect(!sees("something.unknown", actor: other, .member))
        // outside any workspace: the actor's own, even for admins
        #expect(sees("token.created", actor: me, inWorkspace: false, .member))
        #expect(!sees("user.signed_in", actor: other, inWorkspace: false, .owner))
        // guests: task events of their projects only
        #expect(sees("task.stage_changed", actor: other, project: "p1", .guest, projects: ["p1"]))
        #expect(!sees("task.stage_changed", actor: other, project: "p2", .guest, projects: ["p1"]))
        #expect(!sees("task.stage_changed", actor: other, project: nil, .guest, projects: ["p1"]))
        #expect(sees("task.stage_changed", actor: other, project: "p2", .member))
        // a saved view is its owner's; an import's summary is announced, its quiet rows are not
        #expect(!sees("view.saved", actor: other, .member))
        #expect(Self.catalog.isAnnounced(kind: "tasks.imported", data: [EventVisibility.bulkKey: "i1"]))
        #expect(!Self.catalog.isAnnounced(kind: "task.created", data: [EventVisibility.bulkKey: "i1"]))
        #expect(Self.catalog.isAnnounced(kind: "task.created", data: [:]))
    }

    @Test("every kind of every module has an audience and a sentence; a kind is declared once")
    func catalogIsComplete() {
        #expect(Self.catalog.kinds.count == IdentityEvent.allCases.count + WorkEvent.allCases.count)
        #expect(Self.catalog.kinds.allSatisfy { Self.catalog.audience(of: $0) != nil })
        #expect(Self.catalog.audience(of: "goal.created") == nil)
        #expect(Self.catalog.describe(kind: "goal.created", actor: "u1", subject: nil, data: [:]) { _ in "Maya" } == "Maya did goal.created")
    }

    @Test("activity sentences name people, roles and teams")
    func sentences() {
        let names = ["u1": "Maya Chen", "u2": "Tom Becker", "u3": "Lars"]
        func line(_ kind: IdentityEvent, _ subject: String?, _ data: [String: String]) -> String {
            Self.catalog.describe(kind: kind.rawValue, actor: "u1", subject: subject, data: data) { names[$0] ?? "someone" }
        }
        #expect(line(.memberRoleChanged, "u2", ["from": "member", "to": "admin"]) == "Maya Chen changed Tom Becker’s role from member to admin")
        #expect(line(.memberManagerChanged, "u2", ["from": "", "to": "u1"]) == "Maya Chen set Tom Becker’s manager to Maya Chen")
        #expect(line(.memberManagerChanged, "u3", ["from": "u1", "to": ""]) == "Maya Chen cleared Lars’ manager")
        #expect(line(.memberInvited, nil, ["email": "a@b.co", "role": "guest"]) == "Maya Chen invited a@b.co as guest")
        #expect(line(.teamMemberAdded, nil, ["user_id": "u2", "team": "Engineering"]) == "Maya Chen added Tom Becker to Engineering")
        #expect(Self.catalog.describe(kind: "invitation.expired", actor: nil, subject: nil, data: ["email": "x@y.z"]) { $0 }
                == "The invitation for x@y.z expired")
        #expect(Self.catalog.kinds.allSatisfy { !Self.catalog.describe(kind: $0, actor: "u1", subject: "u2", data: [:]) { names[$0] ?? "?" }.isEmpty })
    }
}
