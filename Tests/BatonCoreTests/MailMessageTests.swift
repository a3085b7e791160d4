import Foundation
import Testing
@testable import BatonCore

@Suite("Mail messages and SMTP replies")
struct MailMessageTests {
    @Test("a message has both parts, encoded subjects and no header a value can break out of")
    func rendering() {
        let message = MailMessage(from: "Baton <baton@acme.test>", to: "tom@acme.test\r\nBcc: evil@x.test", subject: "Grüße\r\nBcc: evil@x.test",
                                  text: "Hello\n.\nBye", html: "<p>Hello</p>", unsubscribe: "https://b.test/settings",
                                  messageID: "1@baton", date: Date(timeIntervalSince1970: 0))
        let raw = message.rendered(boundary: "b1")
        #expect(!raw.contains("\r\nBcc:"))
        #expect(raw.contains("Subject: =?utf-8?B?"))
        #expect(raw.contains("List-Unsubscribe: <https://b.test/settings>"))
        #expect(raw.contains("Date: Thu, 01 Jan 1970 00:00:00 +0000"))
        #expect(raw.components(separatedBy: "--b1\r\n").count == 3 && raw.hasSuffix("--b1--\r\n"))
        #expect(raw.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 998 })
        #expect(MailMessage.dotStuffed("a\r\n.b\r\n") == "a\r\n..b\r\n")
        #expect(MailMessage.address("Baton <baton@acme.test>") == "baton@acme.test")
        #expect(MailMessage.html(fromText: "<a> & b", title: "T").contains("&lt;a&gt; &amp; b"))
    }

    @Test("multi-line SMTP replies are read to their last line")
    func replies() {
        #expect(SMTPReply.parse(["250-acme.test", "250-STARTTLS"]) == nil)
        let parsed = SMTPReply.parse(["250-acme.test", "250-STARTTLS", "250 OK", "220 next"])
        #expect(parsed?.reply == SMTPReply(code: 250, lines: ["acme.test", "STARTTLS", "OK"]) && parsed?.used == 3)
        #expect(SMTPReply.parse(["554"])?.reply.code == 554)
    }
}
