import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer
import BatonCore

/// Email over SMTP, against a real SMTP server (Python's aiosmtpd, started here).
@Suite("Mail: outbox and SMTP")
struct MailDeliveryTests {
    /// aiosmtpd on a free port, writing what it receives to a folder.
    final class Sink: @unchecked Sendable {
        let port: Int
        let folder: URL
        private let process = Process()

        init() throws {
            port = Int.random(in: 20_000...40_000)
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("smtp-\(UUID().uuidString)")
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../tests/mail/smtp_sink.py").standardizedFileURL
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path, String(port), folder.path]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let ready = output.fileHandleForReading.availableData
            guard String(decoding: ready, as: UTF8.self).contains("ready") else { throw SMTPError.closed("the SMTP sink did not start") }
        }

        var messages: [String] {
            let files = (try? FileManager.default.contentsOfDirectory(at: folder, includingPropertiesForKeys: nil)) ?? []
            return files.filter { $0.pathExtension == "eml" }.sorted { $0.lastPathComponent < $1.lastPathComponent }
                .compactMap { try? String(contentsOf: $0, encoding: .utf8) }
        }

        func stop() {
            // SIGKILL: the sink keeps nothing worth a clean shutdown, and waiting on it can hang
            kill(process.processIdentifier, SIGKILL)
            try? FileManager.default.removeItem(at: folder)
        }
    }

    /// The decoded text of each base64 part of a multipart message, by content type.
    static func parts(_ raw: String) -> [String: String] {
        var found: [String: String] = [:]
        for chunk in raw.components(separatedBy: "\r\n--") {
            guard let type = chunk.components(separatedBy: "\r\n").first(where: { $0.hasPrefix("Content-Type: text/") }),
                  let blank = chunk.range(of: "\r\n\r\n") else { continue }
            let encoded = chunk[blank.upperBound...].components(separatedBy: "\r\n").joined()
            if let data = Data(base64Encoded: encoded) { found[String(type.dropFirst("Content-Type: ".count).prefix { $0 != ";" })] = String(decoding: data, as: UTF8.self) }
        }
        return found
    }

    @Test("an invitation and a notification go to the mail server with both parts and the right headers", arguments: TestDatabase.available)
    func sends(db: TestDatabase) async throws {
        let sink = try Sink()
        defer { sink.stop() }
        try await withBaton(db, config: { config in
            config.smtp = SMTPSettings(host: "127.0.0.1", port: sink.port, security: .none, from: "Baton <baton@acme.test>")
        }) { app in
            let work = try await WorkFixture.make(app)   // invites and accepts Tom: one invitation email
            _ = try await work.task(["title": "Budget <draft>", "assignee_id": work.memberID.uuidString])
            try await EventConsumers.catchUp(app)
            while try await app.jobs.runDue(app: app) > 0 {}
            try await eventually { sink.messages.count == 2 }
            let messages = sink.messages
            let invitation = try #require(messages.first { $0.contains("Subject: You are invited to Acme on Baton") })
            #expect(invitation.contains("From: Baton <baton@acme.test>") && invitation.contains("Content-Type: multipart/alternative"))
            let invitationParts = Self.parts(invitation)
            // Tom accepted before the email went out: the link it would have carried is gone
            #expect(invitationParts["text/plain"]?.contains("You have been invited to join Acme") == true)
            #expect(invitationParts["text/plain"]?.contains("this link is no longer valid") == true)
            #expect(invitationParts["text/html"]?.contains("<p>") == true)
            let notice = try #require(messages.first { $0.contains("Subject: =?utf-8?B?") })   // “Budget <draft>” is not ASCII
            #expect(notice.contains("List-Unsubscribe: <http://baton.test/w/\(work.org.workspaceID)/inbox/settings>"))
            let noticeParts = Self.parts(notice)
            #expect(noticeParts["text/plain"]?.contains("Olive Owner assigned “Budget <draft>” to Tom Becker") == true)
            #expect(noticeParts["text/plain"]?.contains("Open it: http://baton.test/w/") == true)
            #expect(noticeParts["text/html"]?.contains("Budget &lt;draft&gt;") == true)
            let statuses = try await OutboxEmail.query(on: app.db).all().map { $0.status ?? "" }
            #expect(statuses == ["sent", "sent"])
            // a secret link does not outlive its sending
            #expect(try await OutboxEmail.query(on: app.db).filter(\.$secretLink != nil).count() == 0)
        }
    }

    @Test("a mail server that is down: the email waits in the outbox with the error and is tried again later; without one it is held",
          arguments: TestDatabase.available)
    func downAndHeld(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock, config: { config in
            config.smtp = SMTPSettings(host: "127.0.0.1", port: 1, security: .none, from: "baton@acme.test")
        }) { app in
            let org = try await Org.signUp(app)
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "later@example.com"])
            while try await app.jobs.runDue(app: app) > 0 {}
            let waiting = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(waiting.status == "queued" && waiting.attempts == 1 && waiting.sentAt == nil)
            #expect(waiting.lastError?.isEmpty == false)
            clock.advance(3600)
            try await app.jobs.runDue(app: app)
            #expect(try await OutboxEmail.query(on: app.db).first()?.attempts == 2)
        }
        try await withBaton(db) { app in
            let org = try await Org.signUp(app)
            _ = try await org.owner.post("\(org.base)/invitations", ["email": "held@example.com"])
            while try await app.jobs.runDue(app: app) > 0 {}
            let held = try #require(try await OutboxEmail.query(on: app.db).first())
            #expect(held.status == "held" && held.lastError?.contains("BATON_SMTP_HOST") == true)
            // admins see it in the outbox, page and API; members may not
            let outbox = try await org.owner.get("\(org.base)/outbox")
            #expect(outbox.status == .ok && outbox.json["data"].array.first?["status"].string == "held")
            #expect(outbox.json["data"].array.first?["to"].string == "held@example.com")
            let (_, member) = try await org.addMember("Mo Member")
            #expect(try await member.get("\(org.base)/outbox").status == .forbidden)
            let browser = PagesTests.Browser(app: app)
            browser.cookies[SessionCookie.name] = org.token
            let page = try await browser.get("/w/\(org.workspaceID)/outbox")
            #expect(page.status == .ok && page.body.contains("held@example.com") && page.body.contains("No mail server is configured"))
        }
    }
}
