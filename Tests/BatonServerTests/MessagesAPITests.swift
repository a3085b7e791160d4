import Fluent
import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

/// A workspace with three people and a public channel they are in.
struct ChatFixture: Sendable {
    let org: Org
    let ana: (id: UUID, api: APIClient)
    let ben: (id: UUID, api: APIClient)
    let channelID: String

    static func make(_ app: Application) async throws -> ChatFixture {
        let org = try await Org.signUp(app)
        let ana = try await org.addMember("Ana Ortiz")
        let ben = try await org.addMember("Ben Okafor")
        let channel = try await org.owner.post("\(org.base)/channels", ["kind": "public", "name": "#Launch", "topic": "Q3 launch",
                                                                        "member_ids": [ana.id.uuidString, ben.id.uuidString]])
        try #require(channel.status == .created, "\(channel.body)")
        return ChatFixture(org: org, ana: ana, ben: ben, channelID: try #require(channel.json["id"].string))
    }

    var messages: String { "/api/v1/channels/\(channelID)/messages" }

    @discardableResult
    func post(_ body: String, as api: APIClient, extra: [String: Any?] = [:]) async throws -> JSON {
        let reply = try await api.post(messages, ["body": body].merging(extra) { $1 })
        try #require(reply.status == .created, "\(reply.body)")
        return reply.json
    }

    func unread(_ api: APIClient) async throws -> JSON { try await api.get("/api/v1/me/unread?workspace_id=\(org.workspaceID)").json }

    func unreadCount(_ api: APIClient) async throws -> Int {
        try await unread(api)["channels"].array.first { $0["channel_id"].string == channelID }?["unread"].int ?? 0
    }
}

@Suite("Messages API: channels, messages, threads, reactions, read positions and acknowledgements")
struct MessagesAPITests {
    @Test("channels: public, private and direct; names unique; a direct conversation is found again; outsiders hear 404",
          arguments: TestDatabase.available)
    func channels(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let base = chat.org.base
            let detail = try await chat.ana.api.get("/api/v1/channels/\(chat.channelID)")
            #expect(detail.json["name"].string == "Launch" && detail.json["member_count"].int == 3 && detail.json["is_member"].bool == true)
            #expect(detail.json["members"].array.compactMap { $0["name"].string } == ["Ana Ortiz", "Ben Okafor", "Olive Owner"])

            let stranger = try await Org.signUp(app, workspace: "Other")
            let events = try await EventRecord.query(on: app.db).count()
            let taken = try await chat.ana.api.post("\(base)/channels", ["kind": "public", "name": "launch"])
            #expect(taken.status == .conflict && taken.json["error"]["field"].string == "name")
            #expect(try await chat.ana.api.post("\(base)/channels", ["kind": "public"]).json["error"]["field"].string == "name")
            #expect(try await chat.ana.api.post("\(base)/channels", ["kind": "loud", "name": "x"]).json["error"]["field"].string == "kind")
            let foreign = try await chat.ana.api.post("\(base)/channels", ["kind": "private", "name": "Mixed", "member_ids": [stranger.ownerID.uuidString]])
            #expect(foreign.status == .unprocessableEntity && foreign.json["error"]["field"].string == "member_ids")
            #expect(try await EventRecord.query(on: app.db).count() == events, "refused creations write nothing")

            let secret = try await chat.ana.api.post("\(base)/channels", ["kind": "private", "name": "Hiring", "member_ids": [chat.ben.id.uuidString]])
            let secretID = try #require(secret.json["id"].string)
            #expect(secret.status == .created && secret.json["member_count"].int == 2)
            #expect(try await chat.org.owner.get("/api/v1/channels/\(secretID)").status == .notFound, "a private channel is hidden even from the owner")
            #expect(try await stranger.owner.get("/api/v1/channels/\(chat.channelID)").status == .notFound)
            #expect(try await stranger.owner.get("/api/v1/channels/\(UUID())").status == .notFound)

            let direct = try await chat.ana.api.post("\(base)/channels", ["kind": "direct", "member_ids": [chat.ben.id.uuidString]])
            #expect(direct.status == .created && direct.json["title"].string == "Ben Okafor" && direct.json["name"].string == "")
            let again = try await chat.ben.api.post("\(base)/channels", ["kind": "direct", "member_ids": [chat.ana.id.uuidString]])
            #expect(again.status == .ok && again.json["id"].string == direct.json["id"].string && again.json["title"].string == "Ana Ortiz")
            var crowd: [String] = []
            for number in 0..<8 { crowd.append(try await chat.org.addMember("Person \(number)").id.uuidString) }
            let tooMany = try await chat.ana.api.post("\(base)/channels", ["kind": "direct", "member_ids": crowd])
            #expect(tooMany.status == .unprocessableEntity && tooMany.json["error"]["field"].string == "member_ids")
            #expect(try await chat.ana.api.post("\(base)/channels", ["kind": "direct", "member_ids": [chat.ana.id.uuidString]]).status == .unprocessableEntity)

            let mine = try await chat.ben.api.get("\(base)/channels").json["data"].array.compactMap { $0["title"].string }
            #expect(mine == ["Hiring", "Launch", "Ana Ortiz"], "named channels first, then conversations")
            let (_, carl) = try await chat.org.addMember("Carl Lind")
            #expect(try await carl.get("\(base)/channels").json["data"].array.isEmpty)
            #expect(try await carl.get("\(base)/channels?view=all").json["data"].array.compactMap { $0["name"].string } == ["Launch"])
            #expect(try await carl.get("\(base)/channels?view=loud").status == .unprocessableEntity)
            let (guestID, guest) = try await chat.org.addMember("Gus Guest", role: "guest")
            #expect(try await guest.post("\(base)/channels", ["kind": "public", "name": "Mine"]).status == .forbidden)
            #expect(try await guest.get("/api/v1/channels/\(chat.channelID)").status == .notFound, "guests see only channels they are in")
            let guestInPublic = try await chat.ana.api.post("/api/v1/channels/\(chat.channelID)/members", ["user_ids": [guestID.uuidString]])
            #expect(guestInPublic.status == .unprocessableEntity)
        }
    }

    @Test("join, leave, rename, archive; who may; a version guards against a lost edit", arguments: TestDatabase.available)
    func membersAndSettings(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let url = "/api/v1/channels/\(chat.channelID)"
            let (carlID, carl) = try await chat.org.addMember("Carl Lind")
            #expect(try await carl.post(chat.messages, ["body": "Hello?"]).status == .notFound, "posting needs joining")
            let joined = try await carl.post("\(url)/members", ["user_ids": [carlID.uuidString]])
            #expect(joined.status == .ok && joined.json["member_count"].int == 4 && joined.json["is_member"].bool == true)
            #expect(try await carl.post(chat.messages, ["body": "Hello!"]).status == .created)

            #expect(try await chat.ana.api.patch(url, ["topic": "Ship it"]).json["topic"].string == "Ship it", "any member sets the topic")
            #expect(try await chat.ana.api.patch(url, ["name": "Renamed"]).status == .forbidden)
            let renamed = try await chat.org.owner.patch(url, ["name": "Launch Q3", "version": 1])
            #expect(renamed.status == .ok && renamed.json["name"].string == "Launch Q3" && renamed.json["version"].int == 2)
            #expect(try await chat.org.owner.patch(url, ["name": "Stale", "version": 1]).status == .conflict)

            #expect(try await chat.ana.api.delete("\(url)/members/\(carlID)").status == .forbidden, "members take only themselves out")
            #expect(try await carl.delete("\(url)/members/\(carlID)").status == .noContent)
            #expect(try await carl.post(chat.messages, ["body": "Still here?"]).status == .notFound)
            #expect(try await chat.org.owner.delete("\(url)/members/\(chat.ben.id)").status == .noContent)
            #expect(try await chat.ben.api.get(url).json["is_member"].bool == false)

            let archived = try await chat.org.owner.patch(url, ["archived": true])
            #expect(archived.json["archived"].bool == true)
            #expect(try await chat.ana.api.post(chat.messages, ["body": "Anyone?"]).status == .conflict)
            #expect(try await chat.ana.api.get("\(chat.org.base)/channels").json["data"].array.isEmpty)
            #expect(try await chat.ana.api.get("\(chat.org.base)/channels?view=archived").json["data"].array.count == 1)
            #expect(try await chat.org.owner.patch(url, ["archived": false]).json["archived"].bool == false)

            let level = try await chat.ana.api.patch("\(url)/members/me", ["notify_level": "all", "muted": true])
            #expect(level.json["notify_level"].string == "all" && level.json["muted"].bool == true)
            #expect(try await chat.ana.api.patch("\(url)/members/me", ["notify_level": "loud"]).json["error"]["field"].string == "notify_level")
            let kinds = try await EventRecord.query(on: app.db).filter(\.$kind ~~ ["channel.member_added", "channel.member_left", "channel.archived",
                                                                                   "channel.unarchived", "channel.updated"]).all().map(\.kind)
            #expect(kinds.filter { $0 == "channel.member_left" }.count == 2 && kinds.contains("channel.unarchived"))
        }
    }

    @Test("messages: post, page through, edit with history, delete to a tombstone; bad input is refused and writes nothing",
          arguments: TestDatabase.available)
    func messages(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            var ids: [String] = []
            for number in 1...7 { ids.append(try #require(try await chat.post("Update \(number)", as: chat.ana.api)["id"].string)) }
            let latest = try await chat.ben.api.get("\(chat.messages)?limit=3").json
            #expect(latest["data"].array.compactMap { $0["body"].string } == ["Update 5", "Update 6", "Update 7"])
            let older = try await chat.ben.api.get("\(chat.messages)?limit=3&before=\(try #require(latest["next_cursor"].string))").json
            #expect(older["data"].array.compactMap { $0["body"].string } == ["Update 2", "Update 3", "Update 4"])
            let newer = try await chat.ben.api.get("\(chat.messages)?limit=4&after=\(ids[1])").json
            #expect(newer["data"].array.compactMap { $0["seq"].int } == [3, 4, 5, 6] && newer["next_cursor"].string == ids[5])
            #expect(try await chat.ben.api.get("\(chat.messages)?after=\(UUID())").status == .unprocessableEntity)

            let events = try await EventRecord.query(on: app.db).count()
            let long = try await chat.ana.api.post(chat.messages, ["body": String(repeating: "a", count: 40_001)])
            #expect(long.status == .unprocessableEntity && long.json["error"]["field"].string == "body")
            #expect(try await chat.ana.api.post(chat.messages, ["body": "   "]).status == .unprocessableEntity)
            #expect(try await chat.ana.api.post(chat.messages, ["body": "hi", "colour": "red"]).status == .unprocessableEntity)
            #expect(try await chat.ana.api.post(chat.messages, ["body": "hi", "acknowledgement": ["user_ids": [UUID().uuidString]]]).status
                    == .unprocessableEntity)
            #expect(try await Message.query(on: app.db).count() == 7)
            #expect(try await EventRecord.query(on: app.db).count() == events)
            #expect(try await chat.ana.api.post(chat.messages, ["body": String(repeating: "a", count: 40_000)]).status == .created)

            let edited = try await chat.ana.api.patch("/api/v1/messages/\(ids[0])", ["body": "Update one, corrected"])
            #expect(edited.json["edit_count"].int == 1 && edited.json["edited_at"].string != nil)
            #expect(try await chat.ben.api.patch("/api/v1/messages/\(ids[0])", ["body": "Mine now"]).status == .forbidden)
            let history = try await chat.ben.api.get("/api/v1/messages/\(ids[0])/revisions").json["data"].array
            #expect(history.compactMap { $0["body"].string } == ["Update 1"])

            #expect(try await chat.ben.api.delete("/api/v1/messages/\(ids[1])").status == .forbidden)
            #expect(try await chat.ana.api.delete("/api/v1/messages/\(ids[1])").status == .noContent)
            let tombstone = try await chat.ben.api.get("/api/v1/messages/\(ids[1])").json
            #expect(tombstone["deleted"].bool == true && tombstone["body"].string == "" && tombstone["seq"].int == 2)
            #expect(try await chat.ana.api.patch("/api/v1/messages/\(ids[1])", ["body": "Back"]).status == .conflict)
            #expect(try await chat.org.owner.delete("/api/v1/messages/\(ids[0])").status == .noContent, "the channel's maker moderates")
            #expect(try await chat.ben.api.get("/api/v1/messages/\(ids[0])/revisions").json["data"].array.isEmpty, "deleting takes the history too")
            let kinds = try await EventRecord.query(on: app.db).filter(\.$kind ~~ ["message.edited", "message.deleted"]).all()
            #expect(kinds.count == 3 && kinds.allSatisfy { $0.logged.data["room_id"] == chat.channelID && $0.logged.data["body"] == nil })
        }
    }

    @Test("reactions from a fixed set, idempotent; threads with reply counts, also-to-channel, replies to replies join the root",
          arguments: TestDatabase.available)
    func reactionsAndThreads(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let root = try #require(try await chat.post("Plan for Friday", as: chat.ana.api)["id"].string)
            let react = "/api/v1/messages/\(root)/reactions"
            #expect(try await chat.ben.api.post(react, ["emoji": "🦄"]).json["error"]["field"].string == "emoji")
            _ = try await chat.ben.api.post(react, ["emoji": "👍"])
            let twice = try await chat.ben.api.post(react, ["emoji": "👍"]).json
            #expect(twice["reactions"][0]["count"].int == 1 && twice["reactions"][0]["mine"].bool == true)
            let ana = try await chat.ana.api.post(react, ["emoji": "👍"]).json
            #expect(ana["reactions"][0]["count"].int == 2)
            #expect(try await chat.ben.api.post(react, ["emoji": "👍", "remove": true]).json["reactions"][0]["count"].int == 1)
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "message.reacted").count() == 2)

            let replies = "/api/v1/messages/\(root)/replies"
            let first = try await chat.ben.api.post(replies, ["body": "I can take the deck"])
            #expect(first.status == .created && first.json["thread_root_id"].string == root && first.json["seq"].value == nil)
            let nested = try await chat.org.owner.post("/api/v1/messages/\(try #require(first.json["id"].string))/replies",
                                                       ["body": "Thanks Ben", "also_send_to_channel": true])
            #expect(nested.json["thread_root_id"].string == root && nested.json["thread_seq"].int == 2 && nested.json["seq"].int == 2)
            let thread = try await chat.ana.api.get(replies).json["data"].array
            #expect(thread.compactMap { $0["body"].string } == ["I can take the deck", "Thanks Ben"])
            let rootNow = try await chat.ana.api.get("/api/v1/messages/\(root)").json
            #expect(rootNow["reply_count"].int == 2 && rootNow["reply_user_ids"].array.compactMap(\.string)
                    == [chat.ben.id.uuidString, chat.org.ownerID.uuidString])
            let channel = try await chat.ana.api.get(chat.messages).json["data"].array.compactMap { $0["body"].string }
            #expect(channel == ["Plan for Friday", "Thanks Ben"], "only replies also sent show in the channel")
        }
    }

    @Test("unread counts are read positions: mark read, unread from here, deleted messages and mentions; reads per message",
          arguments: TestDatabase.available)
    func unreadAndReads(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let benHandle = try #require(try await User.find(chat.ben.id, on: app.db)).email.split(separator: "@")[0]
            var ids: [String] = []
            for number in 1...4 { ids.append(try #require(try await chat.post("Note \(number)", as: chat.ana.api)["id"].string)) }
            ids.append(try #require(try await chat.post("@\(benHandle) can you check?", as: chat.ana.api)["id"].string))
            #expect(try await chat.unreadCount(chat.ben.api) == 5)
            #expect(try await chat.unreadCount(chat.ana.api) == 0, "one's own messages are read")
            let benChannel = try await chat.unread(chat.ben.api)["channels"][0]
            #expect(benChannel["mentions"].int == 1)

            let url = "/api/v1/channels/\(chat.channelID)"
            #expect(try await chat.ben.api.post("\(url)/read", ["message_id": ids[2]]).json["last_read_seq"].int == 3)
            #expect(try await chat.unreadCount(chat.ben.api) == 2)
            #expect(try await chat.ben.api.post("\(url)/read", ["message_id": ids[0]]).json["last_read_seq"].int == 3, "read never moves back")
            #expect(try await chat.ben.api.post("\(url)/unread", ["message_id": ids[1]]).json["last_read_seq"].int == 1)
            #expect(try await chat.unreadCount(chat.ben.api) == 4)
            _ = try await chat.ana.api.delete("/api/v1/messages/\(ids[3])")
            #expect(try await chat.unreadCount(chat.ben.api) == 3, "a deleted message is no longer unread")

            let reads = try await chat.ana.api.get("/api/v1/messages/\(ids[0])/reads").json
            #expect(reads["read"].array.compactMap { $0["name"].string } == ["Ben Okafor"])
            #expect(reads["unread"].array.compactMap { $0["name"].string } == ["Olive Owner"])
            #expect(try await chat.ben.api.post("\(url)/read", [:]).json["last_read_seq"].int == 5)
            #expect(try await chat.unread(chat.ben.api)["total"].int == 0)
            #expect(try await chat.ben.api.post("\(url)/read", ["message_id": UUID().uuidString]).status == .unprocessableEntity)
            let (_, carl) = try await chat.org.addMember("Carl Lind")
            #expect(try await carl.post("\(url)/read", [:]).status == .notFound)

            // a thread: its root's author follows it and has its replies unread
            _ = try await chat.ben.api.post("/api/v1/messages/\(ids[0])/replies", ["body": "Done"])
            let threads = try await chat.unread(chat.ana.api)["threads"].array
            #expect(threads.count == 1 && threads[0]["root_id"].string == ids[0] && threads[0]["unread"].int == 1)
            let reply = try #require(try await chat.ana.api.get("/api/v1/messages/\(ids[0])/replies").json["data"][0]["id"].string)
            _ = try await chat.ana.api.post("\(url)/read", ["message_id": reply])
            #expect(try await chat.unread(chat.ana.api)["threads"].array.isEmpty)

            // leaving the channel ends its threads' counts too (the follow row stays, unread by nobody)
            _ = try await chat.ben.api.post("/api/v1/messages/\(ids[0])/replies", ["body": "And the appendix"])
            #expect(try await chat.unread(chat.ana.api)["threads"].array.count == 1)
            #expect(try await chat.ana.api.delete("\(url)/members/\(chat.ana.id.uuidString)").status == .noContent)
            #expect(try await chat.unread(chat.ana.api)["threads"].array.isEmpty, "no thread of a channel one left")
        }
    }

    @Test("acknowledge-required: the asked acknowledge once, the sender sees who and when; others cannot", arguments: TestDatabase.available)
    func acknowledgements(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let chat = try await ChatFixture.make(app)
            let announcement = try await chat.post("New release process from Monday", as: chat.org.owner, extra: ["acknowledgement": ["everyone": true]])
            let id = try #require(announcement["id"].string)
            #expect(announcement["acknowledgement"]["asked"].int == 2 && announcement["acknowledgement"]["acknowledged"].int == 0)
            let acked = try await chat.ana.api.post("/api/v1/messages/\(id)/acknowledge")
            #expect(acked.status == .ok && acked.json["acknowledgement"]["mine"].string == "acknowledged")
            _ = try await chat.ana.api.post("/api/v1/messages/\(id)/acknowledge")
            #expect(try await EventRecord.query(on: app.db).filter(\.$kind == "message.acknowledged").count() == 1)
            let seen = try await chat.org.owner.get("/api/v1/messages/\(id)").json["acknowledgement"]
            #expect(seen["acknowledged"].int == 1)
            let people = seen["people"].array
            #expect(people.first { $0["name"].string == "Ana Ortiz" }?["acknowledged_at"].string != nil)
            #expect(people.first { $0["name"].string == "Ben Okafor" }?["acknowledged_at"].value == nil)

            let named = try await chat.post("Ben, please confirm", as: chat.ana.api, extra: ["acknowledgement": ["user_ids": [chat.ben.id.uuidString]]])
            let namedID = try #require(named["id"].string)
            #expect(try await chat.org.owner.post("/api/v1/messages/\(namedID)/acknowledge").status == .conflict)
            #expect(try await chat.ben.api.post("/api/v1/messages/\(namedID)/acknowledge").json["acknowledgement"]["acknowledged"].int == 1)
        }
    }

    @Test("live: channel events reach the channel's members alone, joining opens them and leaving closes them", arguments: TestDatabase.available)
    func live(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                let chat = try await ChatFixture.make(app)
                let secret = try #require(try await chat.ana.api.post("\(chat.org.base)/channels", ["kind": "private", "name": "Quiet",
                    "member_ids": [chat.ben.id.uuidString]]).json["id"].string)
                let (carlID, carl) = try await chat.org.addMember("Carl Lind")
                let ben = try await LiveClient.connect(port: port, token: chat.ben.api.token!)
                let owner = try await LiveClient.connect(port: port, token: chat.org.token)
                let carlSocket = try await LiveClient.connect(port: port, token: carl.token!)
                _ = try await chat.ana.api.post("/api/v1/channels/\(secret)/messages", ["body": "Just us"])
                try await eventually { ben.eventKinds.contains("message.posted") }
                #expect(!owner.eventKinds.contains("message.posted"), "an admin outside a private channel does not hear it")
                _ = try await carl.post("/api/v1/channels/\(chat.channelID)/members", ["user_ids": [carlID.uuidString]])
                _ = try await chat.ana.api.post(chat.messages, ["body": "Welcome Carl"])
                try await eventually { carlSocket.eventKinds.filter { $0 == "message.posted" }.count == 1 }
                // the catch-up feed answers the same
                let feed = try await carl.get("\(chat.org.base)/events?limit=200").json["data"].array
                #expect(feed.filter { $0["kind"].string == "message.posted" }.count == 1)
                _ = try await carl.delete("/api/v1/channels/\(chat.channelID)/members/\(carlID)")
                _ = try await chat.ana.api.post(chat.messages, ["body": "Carl left"])
                try await eventually { owner.eventKinds.filter { $0 == "message.posted" }.count == 2 }
                #expect(carlSocket.eventKinds.filter { $0 == "message.posted" }.count == 1)
                for client in [ben, owner, carlSocket] { await client.close() }
            }
        }
    }

    @Test("typing reaches the room's other people; presence goes online, away and offline; nothing is written", arguments: TestDatabase.available)
    func typingAndPresence(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            try await withRunningServer(app) { port in
                let chat = try await ChatFixture.make(app)
                let (_, carl) = try await chat.org.addMember("Carl Lind")
                let ben = try await LiveClient.connect(port: port, token: chat.ben.api.token!)
                let outsider = try await LiveClient.connect(port: port, token: carl.token!)
                let events = try await EventRecord.query(on: app.db).count()
                let ana = try await LiveClient.connect(port: port, token: chat.ana.api.token!)
                try await eventually { ben.signals.contains("presence:\(chat.ana.id.uuidString):online") }
                #expect(try await chat.ben.api.get("\(chat.org.base)/presence").json["data"][chat.ana.id.uuidString].string == "online")
                try await ana.send(#"{"type":"typing","room_id":"\#(chat.channelID)"}"#)
                try await ana.send(#"{"type":"typing","room_id":"\#(chat.channelID)"}"#)
                try await eventually { ben.signals.contains("typing:\(chat.ana.id.uuidString)") }
                try await ana.send(#"{"type":"presence","status":"away"}"#)
                try await eventually { ben.signals.contains("presence:\(chat.ana.id.uuidString):away") }
                await ana.close()
                try await eventually { ben.signals.contains("presence:\(chat.ana.id.uuidString):offline") }
                #expect(ben.signals.filter { $0.hasPrefix("typing") }.count == 1, "one typing signal per two seconds")
                #expect(!outsider.signals.contains { $0.hasPrefix("typing") }, "typing stays in the room")
                #expect(try await EventRecord.query(on: app.db).count() == events)

                // the limit is a person's, not a socket's (the test clock stands still, so the second waits forever)
                let tabs = [try await LiveClient.connect(port: port, token: chat.ana.api.token!),
                            try await LiveClient.connect(port: port, token: chat.ana.api.token!)]
                try await eventually { ben.signals.filter { $0 == "presence:\(chat.ana.id.uuidString):online" }.count == 2 }
                for tab in tabs { try await tab.send(#"{"type":"typing","room_id":"\#(chat.channelID)"}"#) }
                try await eventually { ben.signals.filter { $0.hasPrefix("typing") }.count == 2 }
                try await Task.sleep(for: .milliseconds(300))
                #expect(ben.signals.filter { $0.hasPrefix("typing") }.count == 2, "her second tab's typing within 2 s does not count")
                // deactivation ends her sockets, and the others hear she is gone
                let gone = ben.signals.filter { $0 == "presence:\(chat.ana.id.uuidString):offline" }.count
                #expect(try await chat.org.owner.post("\(chat.org.base)/members/\(chat.ana.id)/deactivate").status == .ok)
                try await eventually { ben.signals.filter { $0 == "presence:\(chat.ana.id.uuidString):offline" }.count == gone + 1 }
                // a person's sockets have a ceiling
                var more: [LiveClient] = []
                for _ in 1..<LiveHub.socketsPerPerson { more.append(try await LiveClient.connect(port: port, token: chat.ben.api.token!)) }
                await #expect(throws: LiveClient.Refused.self) { _ = try await LiveClient.connect(port: port, token: chat.ben.api.token!) }
                for client in [ben, outsider] + tabs + more { await client.close() }
            }
        }
    }
}
