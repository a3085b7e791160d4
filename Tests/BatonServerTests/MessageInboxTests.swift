import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Messages: the inbox, search, tabs and the incoming webhook")
struct MessageInboxTests {
    static func inbox(_ api: APIClient) async throws -> [JSON] { try await api.get("/api/v1/me/notifications").json["data"].array }

    @Test("mentions, direct messages, thread replies and requests to acknowledge reach the inbox by each person's level; mute and none quieten",
          arguments: TestDatabase.available)
    func inbox(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let handle = { (id: UUID) async throws -> String in try #require(try await User.find(id, on: app.db)).email.split(separator: "@").map(String.init)[0] }
            let ben = try await handle(chat.ben.id)
            _ = try await chat.post("Plain news", as: chat.ana.api)
            _ = try await chat.post("@\(ben) can you look?", as: chat.ana.api)
            try await settleJobs(app)
            #expect(try await Self.inbox(chat.ben.api).compactMap { $0["kind"].string } == ["message_mention"], "plain news is not a notice at “mentions”")
            #expect(try await Self.inbox(chat.org.owner).isEmpty)

            let direct = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "direct", "member_ids": [chat.ben.id.uuidString]])
                .json["id"].string)
            _ = try await chat.ana.api.post("/api/v1/channels/\(direct)/messages", ["body": "Quick question"])
            let root = try #require(try await chat.post("Retro notes", as: chat.org.owner)["id"].string)
            _ = try await chat.ben.api.post("/api/v1/messages/\(root)/replies", ["body": "Added mine"])
            try await settleJobs(app)
            let benKinds = try await Self.inbox(chat.ben.api).compactMap { $0["kind"].string }
            #expect(benKinds.contains("message_direct"))
            #expect(try await Self.inbox(chat.org.owner).compactMap { $0["kind"].string } == ["message_reply"], "the root's author follows its thread")

            // Ben mutes the channel: a mention still reaches him, @channel does not; Olive sets "all" and hears everything
            _ = try await chat.ben.api.patch("/api/v1/channels/\(chat.channelID)/members/me", ["muted": true])
            _ = try await chat.org.owner.patch("/api/v1/channels/\(chat.channelID)/members/me", ["notify_level": "all"])
            let before = try await Self.inbox(chat.ben.api).count
            _ = try await chat.post("@channel release at 5", as: chat.ana.api)
            try await settleJobs(app)
            #expect(try await Self.inbox(chat.ben.api).count == before)
            #expect(try await Self.inbox(chat.org.owner).contains { $0["kind"].string == "message_mention" })
            _ = try await chat.post("Lunch?", as: chat.ana.api)
            _ = try await chat.post("Please read the rota", as: chat.ana.api, extra: ["acknowledgement": ["user_ids": [chat.ben.id.uuidString]]])
            try await settleJobs(app)
            #expect(try await Self.inbox(chat.org.owner).contains { $0["kind"].string == "message_channel" })
            #expect(try await Self.inbox(chat.ben.api).contains { $0["kind"].string == "message_acknowledge" }, "asked to acknowledge: even muted")
            // a private channel's messages never reach anyone outside it, not even by a mention
            let (carlID, carl) = try await chat.org.addMember("Carl Lind")
            let carlHandle = try await handle(carlID)
            let secret = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "private", "name": "Quiet"]).json["id"].string)
            _ = try await chat.ana.api.post("/api/v1/channels/\(secret)/messages", ["body": "@\(carlHandle) secret"])
            try await settleJobs(app)
            #expect(try await Self.inbox(carl).isEmpty)
        }
    }

    @Test("search finds what one can see, on both databases: every word, any case, wildcards as themselves", arguments: TestDatabase.available)
    func search(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            _ = try await chat.post("The Launch deck is ready", as: chat.ana.api)
            _ = try await chat.post("launch moved to Friday", as: chat.ben.api)
            _ = try await chat.post("100% done_now", as: chat.ben.api)
            let secret = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "private", "name": "Quiet"]).json["id"].string)
            _ = try await chat.ana.api.post("/api/v1/channels/\(secret)/messages", ["body": "launch budget is secret"])
            let search = "\(chat.org.base)/messages/search?q="
            #expect(try await chat.ben.api.get(search + "LAUNCH").json["data"].array.compactMap { $0["message"]["body"].string }
                    == ["launch moved to Friday", "The Launch deck is ready"])
            #expect(try await chat.ana.api.get(search + "launch").json["data"].array.count == 3, "Ana sees her private channel")
            #expect(try await chat.ben.api.get(search + "launch%20deck").json["data"].array.count == 1)
            #expect(try await chat.ben.api.get(search + "%25").json["data"].array.compactMap { $0["message"]["body"].string } == ["100% done_now"])
            #expect(try await chat.ben.api.get(search + "e_d").json["data"].array.isEmpty, "_ is not a wildcard")
            #expect(try await chat.ben.api.get(search + "%20").status == .unprocessableEntity)
            let (_, carl) = try await chat.org.addMember("Carl Lind")
            #expect(try await carl.get(search + "launch").json["data"].array.count == 2, "a public channel is readable without joining")
            let (_, guest) = try await chat.org.addMember("Gus Guest", role: "guest")
            #expect(try await guest.get(search + "launch").json["data"].array.isEmpty)
            let other = try await Org.signUp(app, workspace: "Other")
            #expect(try await other.owner.get("/api/v1/workspaces/\(chat.org.workspaceID)/messages/search?q=launch").status == .notFound)
        }
    }

    @Test("tabs pin pages of this workspace and the channel's messages; the webhook posts by its secret address alone", arguments: TestDatabase.available)
    func tabsAndWebhook(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let url = "/api/v1/channels/\(chat.channelID)"
            let message = try #require(try await chat.post("Decision: ship Friday", as: chat.ana.api)["id"].string)
            #expect(try await chat.ben.api.post("\(url)/pins", ["kind": "message", "message_id": message]).status == .created)
            let task = try await chat.ben.api.post("\(url)/pins", ["kind": "task", "title": "Launch checklist",
                                                                  "url": "http://localhost:8080/w/\(chat.org.workspaceID)/tasks/\(UUID())"])
            #expect(task.status == .created && task.json["url"].string?.hasPrefix("/w/") == true)
            #expect(try await chat.ben.api.post("\(url)/pins", ["kind": "task", "title": "Evil", "url": "https://evil.example/w/x"]).json["error"]["field"].string == "url")
            #expect(try await chat.ben.api.post("\(url)/pins", ["kind": "task", "title": "Evil", "url": "javascript:alert(1)"]).status == .unprocessableEntity)
            let tabs = try await chat.ana.api.get(url).json["pins"].array
            #expect(tabs.compactMap { $0["title"].string } == ["Decision: ship Friday", "Launch checklist"])
            #expect(try await chat.ana.api.delete("\(url)/pins/\(try #require(tabs[1]["id"].string))").status == .noContent)

            #expect(try await chat.ana.api.post("\(url)/webhook").status == .forbidden)
            let hook = try await chat.org.owner.post("\(url)/webhook")
            let secret = try #require(hook.json["secret"].string)
            #expect(hook.status == .created && hook.json["url"].string?.hasSuffix("/api/v1/hooks/messages/\(secret)") == true)
            let anonymous = APIClient(app: app)
            let posted = try await anonymous.post("/api/v1/hooks/messages/\(secret)", ["text": "Build 512 passed", "sender": "CI"])
            #expect(posted.status == .created, "\(posted.body)")
            #expect(try await anonymous.post("/api/v1/hooks/messages/\(secret)", ["text": String(repeating: "x", count: 40_001)]).status == .unprocessableEntity)
            #expect(try await anonymous.post("/api/v1/hooks/messages/\(secret)x", ["text": "guess"]).status == .notFound)
            let latest = try await chat.ben.api.get(chat.messages).json["data"].array.last
            #expect(latest?["body"].string == "Build 512 passed" && latest?["via"].string == "webhook" && latest?["author_name"].string == "Integration")
            let rotated = try #require(try await chat.org.owner.post("\(url)/webhook").json["secret"].string)
            #expect(try await anonymous.post("/api/v1/hooks/messages/\(secret)", ["text": "old"]).status == .notFound, "rotating ends the old address")
            #expect(try await chat.org.owner.delete("\(url)/webhook").status == .noContent)
            #expect(try await anonymous.post("/api/v1/hooks/messages/\(rotated)", ["text": "off"]).status == .notFound)
        }
    }
}

@Suite("Messages: a project's channel and its tasks' work-updates threads")
struct WorkUpdatesTests {
    @Test("a project gets its channel with its people; a delegated task's thread collects stage changes and checkpoint reviews",
          arguments: TestDatabase.available)
    func workUpdates(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            try await settleJobs(app)
            let channels = try await work.member.get("\(work.org.base)/channels?view=all").json["data"].array
            let channel = try #require(channels.first { $0["kind"].string == "project" })
            #expect(channel["name"].string == "Launch" && channel["project_id"].string == work.projectID.uuidString)
            let channelID = try #require(channel["id"].string)
            let task = try await work.task(["title": "Draft the deck", "assignee_id": work.memberID.uuidString,
                                            "brief": ["checkpoints": [["title": "Outline", "due_at": "2030-01-01T00:00:00Z"]]]])
            let taskID = try #require(task["task"]["id"].string)
            let thread = try await work.member.post("/api/v1/tasks/\(taskID)/thread")
            #expect(thread.status == .ok && thread.json["task_id"].string == taskID && thread.json["via"].string == "baton", "\(thread.body)")
            let again = try await work.owner.post("/api/v1/tasks/\(taskID)/thread")
            #expect(again.json["id"].string == thread.json["id"].string, "one thread per task")
            let rootID = try #require(thread.json["id"].string)
            _ = try await work.member.post("/api/v1/messages/\(rootID)/replies", ["body": "Outline done, slides next"])
            _ = try await work.change(taskID, ["stage_id": try #require(work.stages["In progress"]).uuidString])
            let checkpoint = try #require(task["brief"]["checkpoints"][0]["id"].string)
            _ = try await work.owner.post("/api/v1/tasks/\(taskID)/checkpoints/\(checkpoint)/review", ["status": "on_track", "note": "Good pace"])
            try await settleJobs(app)
            let replies = try await work.owner.get("/api/v1/messages/\(rootID)/replies").json["data"].array.compactMap { $0["body"].string }
            #expect(replies.count == 3 && replies[0] == "Outline done, slides next", "\(replies)")
            #expect(replies[1].contains("to **In progress**") && replies[2].contains("“Outline”") && replies[2].contains("Good pace"))
            // turned off for the channel, nothing more arrives
            _ = try await work.owner.patch("/api/v1/channels/\(channelID)", ["posts_work_updates": false])
            _ = try await work.change(taskID, ["stage_id": try #require(work.stages["In review"]).uuidString])
            try await settleJobs(app)
            #expect(try await work.owner.get("/api/v1/messages/\(rootID)/replies").json["data"].array.count == 3)
            let outsider = try await Org.signUp(app, workspace: "Other")
            #expect(try await outsider.owner.post("/api/v1/tasks/\(taskID)/thread").status == .notFound)
        }
    }
}

@Suite("Messages: automation rules post in a channel")
struct RulePostTests {
    @Test("“post in #Launch when a task is blocked”: the rule's message arrives once, as from the rule; another workspace's channel is refused",
          arguments: TestDatabase.available)
    func postInChannel(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            try await settleJobs(app)
            let channel = try #require(try await work.owner.get("\(work.org.base)/channels").json["data"].array.first { $0["kind"].string == "project" })
            let channelID = try #require(channel["id"].string)
            let other = try await Org.signUp(app, workspace: "Other")
            let foreign = try #require(try await other.owner.post("\(other.base)/channels", ["kind": "public", "name": "Elsewhere"]).json["id"].string)
            let refused = try await work.owner.post("\(work.projectBase)/rules", [
                "name": "Leak", "trigger": ["type": "blocked"],
                "actions": [["type": "post_in_channel", "channel_id": foreign, "message": "{{title}} is blocked"]]])
            #expect(refused.status == .unprocessableEntity && refused.json["error"]["field"].string == "actions.0.channel_id")
            #expect(try await work.owner.post("\(work.projectBase)/rules", [
                "name": "No channel", "trigger": ["type": "blocked"], "actions": [["type": "post_in_channel", "message": "x"]]])
                .json["error"]["field"].string == "actions.0.channel_id")
            _ = try await work.addRule(["name": "Tell the channel", "trigger": ["type": "blocked"],
                                        "actions": [["type": "post_in_channel", "channel_id": channelID, "message": "{{title}} is blocked: {{blocked_reason}}"]]])
            let task = try #require(try await work.task(["title": "Ship the deck", "assignee_id": work.memberID.uuidString])["task"]["id"].string)
            _ = try await work.change(task, ["blocked": true, "blocked_reason": "Waiting on legal"])
            try await settleJobs(app)
            try await settleJobs(app)
            let posted = try await work.owner.get("/api/v1/channels/\(channelID)/messages").json["data"].array
            #expect(posted.count == 1 && posted[0]["via"].string == "automation", "\(posted)")
            #expect(posted.first?["body"].string?.hasPrefix("Ship the deck is blocked") == true, "\(posted)")
        }
    }
}

@Suite("Messages: what a review of the change found, each tried")
struct MessageHardeningTests {
    @Test("a private channel's name, events and pins stay its own; guests keep to their projects; a project kind from the form is refused",
          arguments: TestDatabase.available)
    func privateStaysPrivate(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let ws = chat.org.workspaceID
            let secret = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "private", "name": "Layoffs 2027",
                "member_ids": [chat.ben.id.uuidString]]).json["id"].string)
            let message = try #require(try await chat.ana.api.post("/api/v1/channels/\(secret)/messages", ["body": "Confidential plan"]).json["id"].string)
            _ = try await chat.ana.api.post("/api/v1/channels/\(secret)/pins", ["kind": "message", "message_id": message])
            // the owner's activity page does not show it
            let owner = try await NotificationPagesTests.browser(app, token: chat.org.token)
            let activity = try await owner.get("/w/\(ws)/activity")
            #expect(activity.status == .ok && !activity.body.contains("Layoffs") && !activity.body.contains("Confidential"))
            // the name is not revealed by a clash
            #expect(try await chat.org.owner.post("\(chat.org.base)/channels", ["kind": "public", "name": "Layoffs 2027"]).status == .created)
            // deleting the message takes its pin (which held its words)
            _ = try await chat.ana.api.delete("/api/v1/messages/\(message)")
            #expect(try await ChannelPin.query(on: app.db).count() == 0)
            // a form cannot ask for a project's channel without a project
            let ana = try await NotificationPagesTests.browser(app, token: try #require(chat.ana.api.token))
            let crafted = try await ana.post("/w/\(ws)/channels", ["kind": "project", "name": "Sneaky"])
            #expect(crafted.status == .seeOther || crafted.status == .found, "read as a public channel, never a crash")
            // guests: not into another project's channel; a member made a guest leaves public channels
            let work = try await chat.org.owner.post("\(chat.org.base)/projects", ["name": "Board"])
            let projectID = try #require(work.json["id"].string)
            try await settleJobs(app)
            let projectChannel = try #require(try await chat.org.owner.get("\(chat.org.base)/channels?view=all").json["data"].array
                .first { $0["project_id"].string == projectID }?["id"].string)
            let (guestID, _) = try await chat.org.addMember("Gus Guest", role: "guest")
            let refused = try await chat.org.owner.post("/api/v1/channels/\(projectChannel)/members", ["user_ids": [guestID.uuidString]])
            #expect(refused.status == .unprocessableEntity, "\(refused.body)")
            _ = try await chat.org.owner.patch("\(chat.org.base)/members/\(chat.ben.id)", ["role": "guest"])
            #expect(try await chat.ben.api.get("/api/v1/channels/\(chat.channelID)").status == .notFound)
            #expect(try await chat.ben.api.get("/api/v1/channels/\(secret)").status == .ok, "a private channel they were added to stays")
            // rules post only where the project's people may read
            let rule = try await chat.org.owner.post("/api/v1/projects/\(projectID)/rules", [
                "name": "Leak", "trigger": ["type": "blocked"], "actions": [["type": "post_in_channel", "channel_id": secret, "message": "x"]]])
            #expect(rule.status == .unprocessableEntity)
        }
    }

    @Test("a read position read before another commit does not carry the pointer back (two \u{201C}mark read\u{201D}s at once on PostgreSQL)",
          arguments: TestDatabase.available)
    func readPointerNeverMovesBack(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            var ids: [String] = []
            for number in 1...5 { ids.append(try #require(try await chat.post("Note \(number)", as: chat.ana.api)["id"].string)) }
            let channelID = try #require(UUID(uuidString: chat.channelID))
            // the copy a slower request read, while the pointer was still at 0
            let stale = try #require(try await MessageService.member(chat.ben.id, of: channelID, on: app.db))
            _ = try await chat.ben.api.post("/api/v1/channels/\(chat.channelID)/read", ["message_id": ids[4]])
            let channel = try #require(try await MessageChannel.find(channelID, on: app.db))
            try await app.store.write { ctx in
                try await MessageService.moveChannelPointer(stale, to: 2, channel: channel, force: false, ctx: ctx)
            }
            #expect(try await MessageService.member(chat.ben.id, of: channelID, on: app.db)?.lastReadSeq == 5)
            #expect(try await chat.unreadCount(chat.ben.api) == 0)
            // a thread's pointer only moves forward too
            let root = try #require(UUID(uuidString: ids[0]))
            for reply in ["a", "b", "c"] { _ = try await chat.ana.api.post("/api/v1/messages/\(ids[0])/replies", ["body": reply]) }
            try await app.store.write { ctx in
                try await MessageService.moveThreadPointer(chat.ben.id, rootID: root, to: 3, force: false, channel: channel, ctx: ctx)
                try await MessageService.moveThreadPointer(chat.ben.id, rootID: root, to: 1, force: false, channel: channel, ctx: ctx)
            }
            let follow = try await PlainSQL.rows(on: app.db, "SELECT last_read_seq FROM thread_follows WHERE root_id = \(bind: root) AND user_id = \(bind: chat.ben.id)")
            #expect(try follow.first?.decode(column: "last_read_seq", as: Int.self) == 3)
        }
    }
}
