import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// The brief is the delegator's; the assignee proposes, requests and submits (DelegationRights).
@Suite("Delegation: who may change a delegated task")
struct DelegationAPITests {
    /// A delegated task from Olive Owner to Tom Becker with a full brief, and what it looked like.
    private static func delegated(_ work: WorkFixture, level: Int? = nil) async throws -> (id: String, items: [String], checkpoint: String) {
        var brief: [String: Any?] = ["outcome": "Launch page live", "success_criteria": "Legal approved the copy",
                                     "checklist": ["Legal sign-off", "Copy proofread"],
                                     "checkpoints": [["title": "Draft", "due_at": "2030-01-10T09:00:00Z"]]]
        if let level { brief["delegation_level"] = level }
        let created = try await work.task(["title": "Launch page", "assignee_id": work.memberID.uuidString, "brief": brief])
        return (try #require(created["task"]["id"].string), created["brief"]["checklist"].array.compactMap { $0["id"].string },
                try #require(created["brief"]["checkpoints"][0]["id"].string))
    }

    private static func events(_ app: Application) async throws -> Int { try await EventRecord.query(on: app.db).count() }

    @Test("the assignee cannot rewrite the brief, raise the level, add items, waive or reassign: 403 naming who can, nothing changed",
          arguments: TestDatabase.available)
    func briefIsTheDelegators(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let (lenaID, _) = try await work.org.addMember("Lena Novak")
            let task = try await Self.delegated(work)
            let base = "/api/v1/tasks/\(task.id)"
            let before = try await Self.events(app)
            // act + check
            let refusals: [(String, [String: Any?], String)] = [
                ("PATCH", ["version": 1, "brief": ["success_criteria": "Whatever I think is fine."]],
                 "Ask Olive Owner to change the success criteria."),
                ("PATCH", ["version": 1, "brief": ["delegation_level": 7]], "Ask Olive Owner to change the delegation level."),
                ("PATCH", ["version": 1, "assignee_id": lenaID.uuidString], "Ask Olive Owner to reassign this task."),
                ("POST checklist", ["text": "Nothing"], "Ask Olive Owner to change the acceptance items."),
                ("POST checkpoints", ["title": "Later", "due_at": "2030-02-01T00:00:00Z"], "Ask Olive Owner to change the checkpoints."),
                ("PATCH item", ["waived_reason": "Legal is on holiday"], "Ask Olive Owner to waive “Legal sign-off”."),
                ("POST review", ["status": "on_track"], "Ask Olive Owner to review this checkpoint."),
            ]
            for (route, body, message) in refusals {
                let reply: Reply
                switch route {
                case "PATCH": reply = try await work.member.patch(base, body)
                case "POST checklist": reply = try await work.member.post("\(base)/checklist", body)
                case "POST checkpoints": reply = try await work.member.post("\(base)/checkpoints", body)
                case "PATCH item": reply = try await work.member.patch("\(base)/checklist/\(task.items[0])", body)
                default: reply = try await work.member.post("\(base)/checkpoints/\(task.checkpoint)/review", body)
                }
                #expect(reply.status == .forbidden, "\(route) \(body): \(reply.body)")
                #expect(reply.json["error"]["message"].string?.hasPrefix(message) == true, "\(reply.body)")
            }
            let after = try await work.owner.get(base).json
            #expect(after["task"]["version"].int == 1)
            #expect(after["brief"]["success_criteria"].string == "Legal approved the copy")
            #expect(after["brief"]["delegation_level"].isNull)
            #expect(after["brief"]["checklist"].array.count == 2 && after["brief"]["checklist"][0]["waived_reason"].isNull)
            #expect(try await Self.events(app) == before)
            // the plain-words rights, and the assignee's own work goes through
            #expect(after["brief"]["rights_summary"].string == "Level 5 · Advise: you decide how; Olive Owner reviews before it is done")
            #expect(try await work.member.patch(base, ["version": 1, "title": "Launch page v2"]).status == .ok)
            // someone who is neither side (a member, not the lead) does not own the brief either
            let (_, lena) = try await work.org.addMember("Lena Other")
            let other = try await lena.patch(base, ["version": 2, "brief": ["outcome": "Mine"]])
            #expect(other.status == .forbidden && other.json["error"]["message"].string?.hasPrefix("Ask Olive Owner to change the outcome") == true)
            // the delegator edits it; the assignee may hand the task back
            #expect(try await work.owner.patch(base, ["version": 2, "brief": ["delegation_level": 3]]).status == .ok)
            let handedBack = try await work.member.patch(base, ["version": 3, "assignee_id": work.org.ownerID.uuidString])
            #expect(handedBack.status == .ok, "\(handedBack.body)")
        }
    }

    @Test("at level 5 done is a submission: it waits in review until the delegator accepts or returns it with feedback",
          arguments: TestDatabase.available)
    func submitForAcceptance(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // setup
            let work = try await WorkFixture.make(app)
            let task = try await Self.delegated(work, level: 5)
            let base = "/api/v1/tasks/\(task.id)"
            let done = work.stages["Done"]!.uuidString
            for item in task.items { _ = try await work.member.patch("\(base)/checklist/\(item)", ["checked": true]) }
            // act: Tom moves it to Done
            let version = try #require(try await work.member.get(base).json["task"]["version"].int)
            let submitted = try await work.member.patch(base, ["version": version, "stage_id": done])
            // check: it waits in review
            #expect(submitted.status == .ok, "\(submitted.body)")
            #expect(submitted.json["task"]["stage_id"].uuid == work.stages["In review"])
            #expect(submitted.json["task"]["completed_at"].isNull)
            #expect(submitted.json["brief"]["awaiting_acceptance_since"].string != nil)
            let again = try await work.member.patch(base, ["version": submitted.json["task"]["version"].int!, "stage_id": done])
            #expect(again.status == .conflict)
            // after submitting, only the delegator unticks; the assignee cannot accept their own work
            #expect(try await work.member.patch("\(base)/checklist/\(task.items[0])", ["checked": false]).status == .forbidden)
            // completing it is the delegator's: the assignee's own "accept" is a 403 naming who can
            let selfAccept = try await work.member.post("\(base)/completion", ["decision": "accept"])
            #expect(selfAccept.status == .forbidden && selfAccept.json["error"]["message"].string?.contains("Olive Owner") == true)
            #expect(try await work.member.get(base).json["task"]["stage_category"].string == "in_progress")
            // returned: feedback is required, and names what is missing
            #expect(try await work.owner.post("\(base)/completion", ["decision": "return", "feedback": " "]).errorField == "feedback")
            let returned = try await work.owner.post("\(base)/completion", ["decision": "return", "feedback": "Legal has not signed yet.",
                                                                             "untick_item_ids": [task.items[0]]])
            #expect(returned.status == .ok, "\(returned.body)")
            #expect(returned.json["task"]["stage_id"].uuid == work.stages["To do"])
            #expect(returned.json["brief"]["return_feedback"].string == "Legal has not signed yet.")
            #expect(returned.json["brief"]["checklist"][0]["checked"].bool == false)
            #expect(returned.json["brief"]["awaiting_acceptance_since"].isNull)
            // resubmitted and accepted
            _ = try await work.member.patch("\(base)/checklist/\(task.items[0])", ["checked": true])
            let current = try #require(try await work.member.get(base).json["task"]["version"].int)
            #expect(try await work.member.patch(base, ["version": current, "stage_id": done]).status == .ok)
            let accepted = try await work.owner.post("\(base)/completion", ["decision": "accept"])
            #expect(accepted.json["task"]["stage_category"].string == "done", "\(accepted.body)")
            #expect(accepted.json["task"]["completed_at"].string != nil)
            #expect(try await work.owner.post("\(base)/completion", ["decision": "accept"]).status == .conflict)
            let kinds = try await work.owner.get("\(base)/history").json["data"].array.compactMap { $0["kind"].string }
            #expect(kinds.filter { $0 == "task.submitted_for_acceptance" }.count == 2)
            #expect(kinds.contains("task.completion_returned") && kinds.contains("task.completion_accepted"))
        }
    }

    @Test("at level 7 the assignee completes; an unset level reviews like level 5", arguments: TestDatabase.available)
    func levelsDecideDone(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let done = work.stages["Done"]!.uuidString
            let free = try #require(try await work.task(["title": "Free", "assignee_id": work.memberID.uuidString,
                                                         "brief": ["delegation_level": 7]])["task"]["id"].string)
            #expect(try await work.member.patch("/api/v1/tasks/\(free)", ["version": 1, "stage_id": done]).json["task"]["stage_category"].string == "done")
            let unset = try #require(try await work.task(["title": "Unset", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            let reply = try await work.member.patch("/api/v1/tasks/\(unset)", ["version": 1, "stage_id": done])
            #expect(reply.json["task"]["stage_category"].string == "in_progress" && reply.json["task"]["awaiting_acceptance_since"].string != nil)
            // a task nobody delegated (the owner's own) is done when its holder says so
            let own = try #require(try await work.task(["title": "Own", "assignee_id": work.org.ownerID.uuidString])["task"]["id"].string)
            #expect(try await work.owner.patch("/api/v1/tasks/\(own)", ["version": 1, "stage_id": done]).json["task"]["stage_category"].string == "done")
            // moving a waiting task back takes it out of review
            let back = try await work.member.patch("/api/v1/tasks/\(unset)", ["version": reply.json["task"]["version"].int!,
                                                                            "stage_id": work.stages["In progress"]!.uuidString])
            #expect(back.json["task"]["awaiting_acceptance_since"].isNull)
        }
    }

    @Test("handing back does not make the assignee the delegator; a bystander cannot take work out of review; a stage's own change cannot finish unaccepted work",
          arguments: TestDatabase.available)
    func noSideDoors(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let (_, lena) = try await work.org.addMember("Lena Other")
            // hand back: the owner holds their task again, and Tom gains nothing
            let back = try await Self.delegated(work)
            let handed = try await work.member.patch("/api/v1/tasks/\(back.id)", ["version": 1, "assignee_id": work.org.ownerID.uuidString])
            #expect(handed.json["task"]["delegator_id"].uuid == work.org.ownerID, "\(handed.body)")
            #expect(try await work.member.patch("/api/v1/tasks/\(back.id)", ["version": 2, "brief": ["outcome": "Mine"]]).status == .forbidden)
            #expect(try await work.member.patch("/api/v1/tasks/\(back.id)", ["version": 2, "assignee_id": work.memberID.uuidString]).status == .forbidden)
            // a submission waits in review; a bystander cannot move it out
            let task = try await Self.delegated(work)
            let base = "/api/v1/tasks/\(task.id)"
            for item in task.items { _ = try await work.member.patch("\(base)/checklist/\(item)", ["checked": true]) }
            var version = try #require(try await work.member.get(base).json["task"]["version"].int)
            version = try #require(try await work.member.patch(base, ["version": version, "stage_id": work.stages["Done"]!.uuidString]).json["task"]["version"].int)
            #expect(try await lena.patch(base, ["version": version, "stage_id": work.stages["In progress"]!.uuidString]).status == .forbidden)
            // making the review stage done, or removing it into Done, does not accept it
            let review = work.stages["In review"]!.uuidString
            let made = try await work.owner.send(.PATCH, "\(work.projectBase)/stages/\(review)", ["category": "done"])
            #expect(made.status == .unprocessableEntity && made.json["error"]["message"].string?.contains("“Launch page”") == true, "\(made.body)")
            let removed = try await work.owner.delete("\(work.projectBase)/stages/\(review)?move_to=\(work.stages["Done"]!.uuidString)")
            #expect(removed.status == .unprocessableEntity, "\(removed.body)")
            #expect(try await work.owner.get(base).json["task"]["stage_category"].string == "in_progress")
            // removing it into another stage takes the task out of review
            #expect(try await work.owner.delete("\(work.projectBase)/stages/\(review)?move_to=\(work.stages["In progress"]!.uuidString)").status == .noContent)
            #expect(try await work.owner.get(base).json["task"]["awaiting_acceptance_since"].isNull)
        }
    }

    @Test("proposals, waiver requests, self-assessments and answers: each side does its part, each is an event",
          arguments: TestDatabase.available)
    func conversation(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let task = try await Self.delegated(work)
            let base = "/api/v1/tasks/\(task.id)"
            // proposals
            let proposal = try await work.member.post("\(base)/brief-proposals", ["field": "success_criteria", "text": "Legal or the CEO approved the copy",
                                                                                  "reason": "Legal is away until the 20th"])
            #expect(proposal.status == .created, "\(proposal.body)")
            let proposalID = try #require(proposal.json["id"].string)
            #expect(try await work.member.post("\(base)/brief-proposals", ["field": "scope", "text": "x"]).errorField == "field")
            #expect(try await work.owner.post("\(base)/brief-proposals", ["field": "outcome", "text": "x"]).status == .forbidden)
            #expect(try await work.member.post("\(base)/brief-proposals/\(proposalID)/decision", ["decision": "accept"]).status == .forbidden)
            #expect(try await work.owner.get(base).json["brief"]["proposals"][0]["text"].string == "Legal or the CEO approved the copy")
            let accepted = try await work.owner.post("\(base)/brief-proposals/\(proposalID)/decision", ["decision": "accept"])
            #expect(accepted.json["brief"]["success_criteria"].string == "Legal or the CEO approved the copy", "\(accepted.body)")
            #expect(accepted.json["brief"]["proposals"].array.isEmpty)
            #expect(try await work.owner.post("\(base)/brief-proposals/\(proposalID)/decision", ["decision": "decline"]).status == .conflict)
            let second = try #require(try await work.member.post("\(base)/brief-proposals", ["field": "outcome", "text": "Page drafted"]).json["id"].string)
            let declined = try await work.owner.post("\(base)/brief-proposals/\(second)/decision", ["decision": "decline"])
            #expect(declined.json["brief"]["outcome"].string == "Launch page live")
            // waiver requests
            #expect(try await work.member.post("\(base)/checklist/\(task.items[0])/waiver-request", ["reason": " "]).errorField == "reason")
            let requested = try await work.member.post("\(base)/checklist/\(task.items[0])/waiver-request", ["reason": "Legal is on holiday"])
            #expect(requested.json["waiver_request"]["reason"].string == "Legal is on holiday", "\(requested.body)")
            #expect(requested.json["waived_reason"].isNull)
            #expect(try await work.member.post("\(base)/checklist/\(task.items[0])/waiver-decision", ["decision": "grant"]).status == .forbidden)
            let refused = try await work.owner.post("\(base)/checklist/\(task.items[0])/waiver-decision", ["decision": "refuse"])
            #expect(refused.json["waived_reason"].isNull && refused.json["waiver_request"].isNull)
            _ = try await work.member.post("\(base)/checklist/\(task.items[1])/waiver-request", ["reason": "Proofread by the agency"])
            let granted = try await work.owner.post("\(base)/checklist/\(task.items[1])/waiver-decision", ["decision": "grant"])
            #expect(granted.json["waived_reason"].string == "Proofread by the agency")
            // ticks: the assignee takes back their own tick, not the delegator's
            _ = try await work.member.patch("\(base)/checklist/\(task.items[0])", ["checked": true])
            #expect(try await work.member.patch("\(base)/checklist/\(task.items[0])", ["checked": false]).status == .ok)
            _ = try await work.owner.patch("\(base)/checklist/\(task.items[0])", ["checked": true])
            #expect(try await work.member.patch("\(base)/checklist/\(task.items[0])", ["checked": false]).status == .forbidden)
            // checkpoints: the assignee assesses, the delegator reviews
            let assessed = try await work.member.post("\(base)/checkpoints/\(task.checkpoint)/self-assessment", ["status": "at_risk", "note": "Legal is slow"])
            #expect(assessed.json["self_status"].string == "at_risk", "\(assessed.body)")
            #expect(try await work.owner.post("\(base)/checkpoints/\(task.checkpoint)/self-assessment", ["status": "on_track"]).status == .forbidden)
            let reviewed = try await work.owner.post("\(base)/checkpoints/\(task.checkpoint)/review", ["status": "on_track"])
            #expect(reviewed.json["status"].string == "on_track" && reviewed.json["self_status"].string == "at_risk")
            // questions: asked by the assignee, answered by the delegator (as a comment)
            _ = try await work.member.post("\(base)/clarification", ["question": "Which legal contact?"])
            #expect(try await work.owner.get(base).json["brief"]["clarification_question"].string == "Which legal contact?")
            #expect(try await work.member.post("\(base)/clarification/answer", ["answer": "Me"]).status == .forbidden)
            let answered = try await work.owner.post("\(base)/clarification/answer", ["answer": "Priya in legal."])
            #expect(answered.json["brief"]["clarification_requested_at"].isNull, "\(answered.body)")
            #expect(try await work.owner.post("\(base)/clarification/answer", ["answer": "Again"]).status == .conflict)
            #expect(try await work.owner.get("\(base)/comments").json["data"].array.last?["body"].string == "Priya in legal.")
            let kinds = Set(try await work.owner.get("\(base)/history").json["data"].array.compactMap { $0["kind"].string })
            for kind in ["task.brief_change_proposed", "task.brief_change_accepted", "task.brief_change_declined", "task.waiver_requested",
                         "task.waiver_granted", "task.waiver_refused", "task.checkpoint_self_assessed", "task.clarification_answered"] {
                #expect(kinds.contains(kind), "\(kind)")
            }
        }
    }
}

@Suite("Plausible dates and long text")
struct PlausibleInputTests {
    @Test("due, start and checkpoint dates lie between 2000 and 2100; a 10,000-character description saves", arguments: TestDatabase.available)
    func dates(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "due_at": "9999-12-31T00:00:00Z"]).errorField == "due_at")
            #expect(try await work.owner.post("\(work.projectBase)/tasks", ["title": "T", "start_at": "1999-06-01T00:00:00Z"]).errorField == "start_at")
            let created = try await work.task(["title": "T", "description": String(repeating: "Lorem ipsum ", count: 834)])
            let id = try #require(created["task"]["id"].string)
            #expect((created["task"]["description"].string?.count ?? 0) >= 10_000)
            #expect(try await work.owner.post("/api/v1/tasks/\(id)/checkpoints", ["title": "Old", "due_at": "1999-12-31T00:00:00Z"]).errorField == "due_at")
            #expect(try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "title": String(repeating: "x", count: 100_000)])
                        .json["error"]["message"].string?.contains("at most 300 characters") == true)
            #expect(try await WorkTask.query(on: app.db).count() == 1)
        }
    }
}
