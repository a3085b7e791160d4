import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("Manager dashboard")
struct DashboardAPITests {
    @Test("covers the manager's direct reports: counts, overdue, stale, blocked, checkpoints at risk, workload, burn-up",
          arguments: TestDatabase.available)
    func managerDashboard(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            // setup: Tom reports to the owner, Lena does not
            let work = try await WorkFixture.make(app)
            let (lenaID, lena) = try await work.org.addMember("Lena Novak")
            _ = try await work.owner.patch("\(work.org.base)/members/\(work.memberID)", ["manager_id": work.org.ownerID.uuidString])
            func iso(_ days: Double) -> String { ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(days * 86_400)) }
            let tom = work.memberID.uuidString
            let late = try await work.task(["title": "Late report", "assignee_id": tom, "due_at": iso(-1), "estimate": 4])
            _ = try await work.task(["title": "Soon and idle", "assignee_id": tom, "due_at": iso(3), "estimate": 2])
            let stuck = try await work.task(["title": "Stuck", "assignee_id": tom])
            _ = try await work.task(["title": "Lena's own", "assignee_id": lenaID.uuidString, "due_at": iso(-5)])
            let risky = try await work.task(["title": "Risky", "assignee_id": tom,
                                            "brief": ["checkpoints": [["title": "Draft", "due_at": iso(2)]]]])
            clock.advance(4 * 86_400)
            _ = try await work.member.patch("/api/v1/tasks/\(stuck["task"]["id"].string!)", ["version": 1, "blocked": true, "blocked_reason": "No access"])
            let checkpoint = try #require(risky["brief"]["checkpoints"][0]["id"].string)
            _ = try await work.owner.post("/api/v1/tasks/\(risky["task"]["id"].string!)/checkpoints/\(checkpoint)/review", ["status": "off_track"])
            // Tom submits it for acceptance (level 5 by default); the owner, who delegated it, accepts
            _ = try await work.member.patch("/api/v1/tasks/\(late["task"]["id"].string!)", ["version": 1, "stage_id": work.stages["Done"]!.uuidString])
            _ = try await work.owner.post("/api/v1/tasks/\(late["task"]["id"].string!)/completion", ["decision": "accept"])

            // act: the reports' work only (the owner also delegated Lena's task; `both` covers it too)
            let reply = try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)?cover=reports")
            // check
            #expect(reply.status == .ok, "\(reply.body)")
            let dashboard = reply.json
            #expect(dashboard["scope"]["member_ids"].array.compactMap(\.uuid) == [work.memberID])
            #expect(dashboard["counts"]["done"].int == 1)
            #expect(dashboard["counts"]["todo"].int == 3)
            // "Late report" was finished; "Soon and idle" is past due now
            #expect(dashboard["overdue"].array.compactMap { $0["title"].string } == ["Soon and idle"])
            #expect(dashboard["blocked"].array.compactMap { $0["task"]["title"].string } == ["Stuck"])
            #expect(dashboard["blocked"][0]["reason"].string == "No access")
            #expect(dashboard["checkpoints_at_risk"][0]["status"].string == "off_track")
            #expect(dashboard["workload"][0]["name"].string == "Tom Becker")
            #expect(dashboard["workload"][0]["open_tasks"].int == 3)
            #expect(dashboard["burn_up"].array.last?["done"].int == 1)
            #expect(dashboard["burn_up"].array.count == 28)
            #expect(dashboard["burn_up_svg"].string?.hasPrefix("<svg") == true)
            // (what waits for the owner as a delegator, `needs_you`, is the same whatever the cover)
            #expect(!dashboard["workload"].description.contains("Lena") && !dashboard["overdue"].description.contains("Lena's own"))
            #expect(dashboard["scope"]["cover"].string == "reports")
            // what the owner delegated, to reports or not: Lena's task is there, and so are the handoffs she has not accepted
            let delegated = try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)?cover=delegated").json
            #expect(delegated["overdue"].array.compactMap { $0["title"].string }.sorted() == ["Lena's own", "Soon and idle"])
            #expect(delegated["workload"].array.compactMap { $0["name"].string }.sorted() == ["Lena Novak", "Tom Becker"])
            #expect(delegated["needs_you"]["unaccepted_handoffs"].array.count == 4)
            let both = try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)").json
            #expect(both["counts"]["todo"].int == 4 && both["scope"]["cover"].string == "both")
            #expect(try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)?cover=team").errorField == "cover")

            // who may look
            #expect(try await lena.get("/api/v1/dashboards/manager/\(work.org.ownerID)").status == .forbidden)
            #expect(try await work.member.get("/api/v1/dashboards/manager/\(work.memberID)").status == .ok)
            let outsider = try await Org.signUp(app)
            #expect(try await outsider.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)").status == .notFound)
            #expect(try await outsider.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)?workspace_id=\(work.org.workspaceID)").status == .notFound)
            let project = try await work.owner.get("/api/v1/dashboards/projects/\(work.projectID)").json
            #expect(project["scope"]["type"].string == "project")
            #expect(project["counts"]["todo"].int == 4)
        }
    }

    @Test("a task due soon that has not moved for three days is flagged", arguments: TestDatabase.available)
    func staleTasks(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            _ = try await work.owner.patch("\(work.org.base)/members/\(work.memberID)", ["manager_id": work.org.ownerID.uuidString])
            let due = ISO8601DateFormatter().string(from: clock.now.addingTimeInterval(8 * 86_400))
            _ = try await work.task(["title": "Idle", "assignee_id": work.memberID.uuidString, "due_at": due])
            let moving = try await work.task(["title": "Moving", "assignee_id": work.memberID.uuidString, "due_at": due])
            clock.advance(4 * 86_400)
            _ = try await work.member.post("/api/v1/tasks/\(moving["task"]["id"].string!)/accept")
            let dashboard = try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)").json
            #expect(dashboard["due_soon_without_progress"].array.compactMap { $0["title"].string } == ["Idle"])
            clock.advance(5 * 86_400)
            let later = try await work.owner.get("/api/v1/dashboards/manager/\(work.org.ownerID)").json
            #expect(Set(later["overdue"].array.compactMap { $0["title"].string }) == ["Idle", "Moving"])
        }
    }
}
