import Fluent
import SQLKit
import Foundation
import Testing
import Vapor
@testable import BatonServer
import BatonCore

@Suite("Concurrent writes")
struct ConcurrentWritesTests {
    @Test("16 concurrent writers through the real server: every request succeeds, every event is written",
          arguments: TestDatabase.available)
    func sixteenWriters(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true) { app in
            try await withRunningServer(app) { port in
                // setup
                let org = try await Org.signUp(app)
                var members: [(UUID, String)] = []
                for index in 0..<16 {
                    let (id, client) = try await org.addMember("Writer \(index)")
                    members.append((id, client.token!))
                }
                let eventsBefore = try await EventRecord.query(on: app.db).count()
                // act: each writer changes its own title and creates tokens, all at once
                let statuses = try await withThrowingTaskGroup(of: [UInt].self) { group in
                    for (index, (id, token)) in members.enumerated() {
                        group.addTask {
                            var statuses: [UInt] = []
                            for round in 0..<8 {
                                var headers = HTTPHeaders()
                                headers.bearerAuthorization = BearerAuthorization(token: token)
                                let response: ClientResponse
                                if round % 2 == 0 {
                                    response = try await app.client.patch(
                                        "http://127.0.0.1:\(port)/api/v1/workspaces/\(org.workspaceID)/members/\(id)", headers: headers
                                    ) { try $0.content.encode(["title": "Title \(index)-\(round)"], as: .json) }
                                } else {
                                    response = try await app.client.post("http://127.0.0.1:\(port)/api/v1/me/tokens", headers: headers) {
                                        try $0.content.encode(["name": "t\(index)-\(round)"], as: .json)
                                    }
                                }
                                statuses.append(response.status.code)
                            }
                            return statuses
                        }
                    }
                    return try await group.reduce(into: []) { $0 += $1 }
                }
                // check
                #expect(statuses.count == 128)
                #expect(statuses.allSatisfy { (200..<300).contains($0) }, "\(statuses.filter { $0 >= 300 })")
                let eventsAfter = try await EventRecord.query(on: app.db).count()
                #expect(eventsAfter - eventsBefore == 128)
                #expect(try await AuthToken.query(on: app.db).filter(\.$kind == .personal).count() == 64)
                let ids = try await EventRecord.query(on: app.db).sort(\.$id).all().compactMap(\.id)
                #expect(Set(ids).count == ids.count)
            }
        }
    }

    @Test("racing PATCHes with the same version: exactly one wins, the others get 409 and change nothing",
          arguments: TestDatabase.available)
    func versionRace(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let task = try await work.task(["title": "Contested"])
            let taskID = try #require(task["task"]["id"].uuid)
            let version = try #require(task["task"]["version"].int)
            // stages the task is not in (it starts in To do)
            let targets = ["In progress", "Done", "In review", "In progress", "In review", "Done", "In progress", "In review"]
            // act
            let statuses = try await withThrowingTaskGroup(of: UInt.self) { group in
                for name in targets {
                    group.addTask {
                        try await work.owner.patch("/api/v1/tasks/\(taskID)", ["version": version, "stage_id": work.stages[name]!.uuidString]).status.code
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            // check
            #expect(statuses.filter { $0 == 200 }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == 409 }.count == targets.count - 1, "\(statuses)")
            let stored = try #require(try await WorkTask.find(taskID, on: app.db))
            #expect(stored.version == version + 1)
            let moves = try await EventRecord.query(on: app.db).filter(\.$subjectID == taskID)
                .filter(\.$kind == WorkEvent.taskStageChanged.rawValue).count()
            #expect(moves == 1)
        }
    }

    @Test("group commit: writes that throw inside a shared transaction are undone alone", arguments: TestDatabase.available)
    func failingWritesInABatch(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let before = app.store.groupCommit.counts
            let subjects = (0..<40).map { _ in UUID() }
            // act: 40 writes at once; each queues a job row and records two events, the odd ones then throw
            let outcomes = try await withThrowingTaskGroup(of: (Int, Bool).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        do {
                            try await app.store.write { ctx in
                                try await ctx.enqueue(.invitationExpire, payload: ["batch_test": "\(index)"], runAt: ctx.now.addingTimeInterval(86_400), dedupeKey: "batch-\(index)")
                                for step in ["first", "second"] {
                                    ctx.record(IdentityEvent.tokenCreated, workspace: nil, actor: nil, subject: .token(subjects[index]), data: ["step": step])
                                }
                                if index % 2 == 1 { throw BatonError.validation("index", "odd") }
                            }
                            return (index, true)
                        } catch let error as BatonError {
                            #expect(error.message == "odd")
                            return (index, false)
                        }
                    }
                }
                return try await group.reduce(into: [:]) { $0[$1.0] = $1.1 }
            }
            // check
            #expect(outcomes.count == 40)
            #expect(outcomes.allSatisfy { $0.value == ($0.key % 2 == 0) })
            let keys = try await (app.db as! any SQLDatabase).raw("SELECT dedupe_key FROM jobs WHERE dedupe_key LIKE 'batch-%'")
                .all().map { try $0.decode(column: "dedupe_key", as: String.self) }
            #expect(Set(keys) == Set((0..<40).filter { $0 % 2 == 0 }.map { "batch-\($0)" }))
            // each committed write's two events, one right after the other; none of a failed one
            let events = try await EventRecord.query(on: app.db).filter(\.$subjectID ~~ subjects).sort(\.$id).all()
            let bySubject = Dictionary(grouping: events, by: { $0.subjectID! })
            #expect(Set(bySubject.keys) == Set(subjects.enumerated().filter { $0.offset % 2 == 0 }.map(\.element)))
            for (_, pair) in bySubject {
                #expect(pair.count == 2)
                #expect(pair.map(\.data).map { $0.contains("first") } == [true, false])
                #expect(pair.count == 2 && pair[1].id! == pair[0].id! + 1)
            }
            if db == .sqlite {
                let after = app.store.groupCommit.counts
                #expect(after.writes - before.writes == 40)
                #expect(after.transactions - before.transactions < 40, "concurrent writes shared transactions")
            }
        }
    }

    @Test("64 concurrent writers, twenty rounds: every answer is a 200 or a 409 within 2 seconds, never a 500",
          arguments: TestDatabase.available)
    func sixtyFourWriters(db: TestDatabase) async throws {
        try await withBaton(db, exclusive: true) { app in
            try await withRunningServer(app) { port in
                // setup: one contested task and 48 others
                let work = try await WorkFixture.make(app)
                let contested = try #require(try await work.task(["title": "Contested"])["task"]["id"].string)
                var created: [String] = []
                for index in 0..<48 { created.append(try #require(try await work.task(["title": "Task \(index)"])["task"]["id"].string)) }
                let others = created
                // three stages, none the tasks start in: every round moves every task somewhere new
                let stages = ["In progress", "Done", "In review"].map { work.stages[$0]!.uuidString }
                struct Move: Content { let version: Int; let stageId: String }
                var auth = HTTPHeaders()
                auth.bearerAuthorization = BearerAuthorization(token: work.org.token)
                let headers = auth
                let client = app.client
                for round in 0..<20 {
                    // act: 16 writers race on the contested task with the version they read, 48 change a task each
                    let current = try await work.owner.get("/api/v1/tasks/\(contested)").json["task"]
                    let contestedVersion = try #require(current["version"].int)
                    let elsewhere = stages.filter { $0 != current["stage_id"].string?.uppercased() }
                    let results = try await withThrowingTaskGroup(of: (UInt, Duration).self) { group in
                        for writer in 0..<64 {
                            let target = writer < 16 ? contested : others[writer - 16]
                            let version = writer < 16 ? contestedVersion : round + 1
                            let stage = writer < 16 ? elsewhere[writer % elsewhere.count] : stages[(writer + round) % stages.count]
                            group.addTask {
                                let started = ContinuousClock.now
                                let response = try await client.patch("http://127.0.0.1:\(port)/api/v1/tasks/\(target)", headers: headers) {
                                    try $0.content.encode(Move(version: version, stageId: stage), as: .json)
                                }
                                return (response.status.code, ContinuousClock.now - started)
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    // check
                    let statuses = results.map(\.0)
                    #expect(statuses.allSatisfy { $0 == 200 || $0 == 409 }, "round \(round): \(statuses)")
                    #expect(statuses.filter { $0 == 200 }.count == 49, "round \(round): \(statuses)")
                    let slowest = results.map(\.1).max() ?? .zero
                    #expect(slowest < .seconds(2), "round \(round): slowest answer took \(slowest)")
                }
            }
        }
    }
}
