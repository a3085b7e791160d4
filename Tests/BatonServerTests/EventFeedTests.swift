import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer
import BatonCore

@Suite("Activity feed")
struct EventFeedTests {
    @Test("pages through events with after and limit; bad cursors are 422", arguments: TestDatabase.available)
    func pagination(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            for index in 0..<5 { _ = try await org.owner.post("\(org.base)/teams", ["name": "Team \(index)"]) }
            let all = try await org.owner.get("\(org.base)/events?limit=200").json["data"].array
            #expect(all.count == 7)

            var seen: [Int] = []
            var cursor: String? = nil
            repeat {
                let page = try await org.owner.get("\(org.base)/events?limit=3" + (cursor.map { "&after=\($0)" } ?? "")).json
                seen += page["data"].array.compactMap { $0["id"].int }
                cursor = page["next_cursor"].string
            } while cursor != nil
            #expect(seen == all.compactMap { $0["id"].int })
            #expect(seen == seen.sorted())

            let first = try #require(all.first)
            #expect(first["actor_id"].uuid == org.ownerID)
            #expect(first["kind"].string == "workspace.created")
            #expect(first["created_at"].string?.hasSuffix("Z") == true)

            for bad in ["limit=0", "limit=201", "limit=abc", "after=-1", "after=x"] {
                let reply = try await org.owner.get("\(org.base)/events?\(bad)")
                #expect(reply.status == .unprocessableEntity, "\(bad)")
                #expect(reply.errorField == bad.split(separator: "=").first.map(String.init))
            }
        }
    }

    @Test("events are written in the same transaction as the change", arguments: TestDatabase.available)
    func sameTransaction(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            let access = try await Tenancy.access(org.workspaceID, for: org.ownerID, on: app.db)
            struct Boom: Error {}
            // a service body that records an event and then fails leaves neither state nor event behind
            await #expect(throws: Boom.self) {
                try await app.store.write { ctx in
                    let team = Team()
                    team.workspaceID = access.workspaceID
                    team.name = "Ghost"
                    team.createdAt = ctx.now
                    try await team.create(on: ctx.db)
                    ctx.record(IdentityEvent.teamCreated, workspace: access.workspaceID, actor: access.userID, subject: .team(team.id!))
                    try await ctx.enqueue(.invitationEmail, payload: [:], dedupeKey: "ghost")
                    throw Boom()
                }
            }
            #expect(try await Team.query(on: app.db).count() == 0)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "team.created").count() == 0)
            #expect(try await app.store.sql.raw("SELECT COUNT(*) AS n FROM jobs WHERE dedupe_key = 'ghost'").first()?.decode(column: "n", as: Int.self) == 0)
        }
    }
}
