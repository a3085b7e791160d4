import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Messages pages: channels, the composer, threads, scheduling, search, the task's work updates")
struct MessagePagesTests {
    func browser(_ app: Application, _ client: APIClient) async throws -> PagesTests.Browser {
        try await NotificationPagesTests.browser(app, token: try #require(client.token))
    }

    @Test("a task's #number and a pasted link to an approval request show as chips: title, where it stands, whose it is; a request only to those who may open it",
          arguments: TestDatabase.available)
    func chips(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let fixture = try await ApprovalOrgFixture.make(app)
            let org = fixture.org
            let ws = org.workspaceID
            let template = try #require(try await fixture.template()["id"].string)
            let request = try #require(try await fixture.submit(template, ["item": "Servers", "amount": 20_000])["id"].string)
            let requestTitle = try #require(try await fixture.ana.api.get("/api/v1/approval-requests/\(request)").json["title"].string)
            let project = try #require(try await org.owner.post("\(org.base)/projects", ["name": "Launch"]).json["id"].string)
            let task = try await org.owner.post("/api/v1/projects/\(project)/tasks", ["title": "Print the deck", "assignee_id": fixture.ana.id.uuidString])
            try #require(task.status == .created, "\(task.body)")
            let sam = try await org.addMember("Sam Stranger")
            let channel = try #require(try await org.owner.post("\(org.base)/channels", ["kind": "public", "name": "Ops",
                "member_ids": [fixture.ana.id.uuidString, sam.id.uuidString]]).json["id"].string)
            let link = "https://baton.example/w/\(ws.uuidString.uppercased())/approvals/requests/\(request)."
            let posted = try await fixture.ana.api.post("/api/v1/channels/\(channel)/messages", ["body": "Waiting on #1 and \(link)"])
            try #require(posted.status == .created, "\(posted.body)")

            func chipsOn(_ client: APIClient) async throws -> String {
                let page = try await browser(app, client).get("/w/\(ws)/channels/\(channel)")
                try #require(page.status == .ok)
                return page.body.components(separatedBy: "class=\"chips\"").dropFirst().joined()
            }
            let ana = try await chipsOn(fixture.ana.api)
            #expect(ana.contains("#1 Print the deck") && ana.contains("Ana Lopez"), "the task: title and assignee")
            #expect(ana.contains(requestTitle) && ana.contains("with Dana Head"), "the request: title and whom it waits on")
            let samSees = try await chipsOn(sam.api)
            #expect(samSees.contains("#1 Print the deck") && !samSees.contains(requestTitle), "not a participant: no chip of the request")
            #expect(try await chipsOn(org.owner).contains(requestTitle), "admins see every request")
            // live: the chip follows the request
            _ = try await fixture.act(request, "approve", as: fixture.dana.api)
            #expect(try await chipsOn(fixture.ana.api).contains("with Finn Ledger"))
            _ = try await fixture.act(request, "approve", as: fixture.finn.api)
            let decided = try await chipsOn(fixture.ana.api)
            #expect(decided.contains("Approved") && decided.contains("chip done"))
            // another workspace's link stays a plain link
            #expect(WorkspaceLinks.paths(in: "see /w/\(UUID())/approvals/requests/\(request)", workspaceID: ws).isEmpty)
        }
    }

    @Test("a channel reads, posts, reacts, replies and marks read; refusals sit beside the composer with the text kept", arguments: TestDatabase.available)
    func channelPage(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let ws = chat.org.workspaceID
            let ana = try await browser(app, chat.ana.api)
            let ben = try await browser(app, chat.ben.api)
            _ = try await chat.post("Plan for **Friday**", as: chat.org.owner)
            #expect(try await chat.unreadCount(chat.ben.api) == 1)
            let home = try await ben.get("/w/\(ws)/messages")
            #expect(home.status == .seeOther || home.status == .found, "the home opens a channel")
            let page = try await ben.get("/w/\(ws)/channels/\(chat.channelID)")
            #expect(page.status == .ok && page.body.contains("<strong>Friday</strong>") && page.body.contains("#Launch"))
            #expect(try await chat.unreadCount(chat.ben.api) == 0, "opening the channel reads it")
            let hidden = try await chat.post("Second", as: chat.org.owner)
            _ = hidden
            _ = try await ben.get("/w/\(ws)/channels/\(chat.channelID)", headers: ["X-Baton-Hidden": "1"])
            #expect(try await chat.unreadCount(chat.ben.api) == 1, "a hidden tab's refresh does not read")

            let long = try await ana.post("/w/\(ws)/channels/\(chat.channelID)/messages", ["body": String(repeating: "a", count: 40_001)])
            #expect(long.status == .unprocessableEntity && long.body.contains("id=\"body-error\"") && long.body.contains("40,000"))
            #expect(long.body.contains(String(repeating: "a", count: 100)), "the text stays in the composer")
            let sent = try await ana.post("/w/\(ws)/channels/\(chat.channelID)/messages", ["body": "Deck is #1 on my list"])
            #expect(sent.status == .seeOther || sent.status == .found)
            let message = try #require(try await Message.query(on: app.db).filter(\.$authorID == chat.ana.id).first())
            let act = "/w/\(ws)/messages/\(message.id!)/act"
            _ = try await ben.post(act, ["action": "react", "emoji": "👍"])
            #expect(try await MessageReaction.query(on: app.db).count() == 1)
            _ = try await ben.post(act, ["action": "react", "emoji": "👍"])
            #expect(try await MessageReaction.query(on: app.db).count() == 0, "a second click takes it back")
            #expect(try await ben.post(act, ["action": "edit", "body": "Mine now"]).status == .forbidden)
            _ = try await ben.post(act, ["action": "reply", "body": "I'll review it", "back": "thread"])
            let thread = try await ana.get("/w/\(ws)/messages/\(message.id!)")
            #expect(thread.status == .ok && thread.body.contains("I&#39;ll review it") || thread.body.contains("I'll review it"))
            #expect(thread.body.contains("Read by"))
            let unseen = try await ana.get("/w/\(ws)/channels/\(chat.channelID)")
            #expect(unseen.body.contains("Not seen yet") && unseen.body.contains("1 reply"))
            _ = try await ben.get("/w/\(ws)/channels/\(chat.channelID)")
            #expect(try await ana.get("/w/\(ws)/channels/\(chat.channelID)").body.contains("Seen by Ben Okafor"))
            let (_, carl) = try await chat.org.addMember("Carl Lind")
            let carlPage = try await browser(app, carl).get("/w/\(ws)/channels/\(chat.channelID)")
            #expect(carlPage.body.contains("Join to write") && !carlPage.body.contains("data-composer"))
            let outsider = try await Org.signUp(app, workspace: "Other")
            #expect(try await browser(app, outsider.owner).get("/w/\(outsider.workspaceID)/channels/\(chat.channelID)").status == .notFound)
        }
    }

    @Test("start channels and conversations from the home page; schedule from the composer, then reschedule or cancel; search",
          arguments: TestDatabase.available)
    func homeScheduleSearch(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let chat = try await ChatFixture.make(app)
            let ws = chat.org.workspaceID
            let ana = try await browser(app, chat.ana.api)
            let taken = try await ana.post("/w/\(ws)/channels", ["kind": "public", "name": "launch"])
            #expect(taken.status == .conflict && taken.body.contains("channel-name-error"))
            let created = try await ana.post("/w/\(ws)/channels", ["kind": "private", "name": "Design crit"])
            #expect(created.status == .seeOther || created.status == .found)
            let direct = try await ana.post("/w/\(ws)/channels", ["kind": "direct", "member_ids[]": chat.ben.id.uuidString])
            #expect(direct.status == .seeOther || direct.status == .found, "\(direct.body.prefix(400))")
            #expect(try await MessageChannel.query(on: app.db).filter(\.$kind == "direct").count() == 1)

            let post = "/w/\(ws)/channels/\(chat.channelID)/messages"
            let past = try await ana.post(post, ["body": "Later", "when": "later", "send_at": "2020-01-01T09:00"])
            #expect(past.status == .unprocessableEntity && past.body.contains("send-at-error"))
            let scheduled = try await ana.post(post, ["body": "Later", "when": "later", "send_at": "2027-01-20T09:00"])
            #expect(scheduled.status == .seeOther || scheduled.status == .found)
            let list = try await ana.get("/w/\(ws)/scheduled-messages")
            #expect(list.body.contains("Waiting to go") && list.body.contains("Later"))
            let id = try #require(try await ScheduledMessage.query(on: app.db).first()?.id)
            _ = try await ana.post("/w/\(ws)/scheduled-messages/\(id)/act", ["action": "reschedule", "send_at": "2027-01-21T10:00"])
            #expect(try await ScheduledMessage.find(id, on: app.db)?.version == 1)
            _ = try await ana.post("/w/\(ws)/scheduled-messages/\(id)/act", ["action": "cancel"])
            #expect(try await ScheduledMessage.find(id, on: app.db)?.status == "cancelled")
            #expect(try await browser(app, chat.ben.api).post("/w/\(ws)/scheduled-messages/\(id)/act", ["action": "send_now"]).status == .notFound)

            _ = try await chat.post("Launch checklist is ready", as: chat.ben.api)
            let search = try await ana.get("/w/\(ws)/search/messages?q=checklist")
            #expect(search.body.contains("Launch checklist is ready"))
            #expect(try await ana.get("/w/\(ws)/search/messages?q=nothing-like-it").body.contains("Nothing found"))
        }
    }

    @Test("the task page offers its work-updates thread and then shows the latest updates", arguments: TestDatabase.available)
    func taskPanel(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            try await settleJobs(app)
            let task = try await work.task(["title": "Draft the deck", "assignee_id": work.memberID.uuidString])
            let taskID = try #require(task["task"]["id"].string)
            let tom = try await browser(app, work.member)
            let before = try await tom.get("/w/\(work.org.workspaceID)/tasks/\(taskID)")
            #expect(before.body.contains("Start the work-updates thread"), "\(before.body.count)")
            let opened = try await tom.post("/w/\(work.org.workspaceID)/tasks/\(taskID)/thread", [:])
            #expect(opened.status == .seeOther || opened.status == .found)
            let root = try #require(try await Message.query(on: app.db).filter(\.$taskID == UUID(uuidString: taskID)!).first())
            _ = try await work.member.post("/api/v1/messages/\(root.id!)/replies", ["body": "Outline done"])
            let after = try await tom.get("/w/\(work.org.workspaceID)/tasks/\(taskID)")
            #expect(after.body.contains("Outline done") && after.body.contains("updates in #Launch"))
        }
    }
}
