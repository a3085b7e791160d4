import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

/// The inbox, its badge, settings and reminders in the browser.
@Suite("Notifications: pages")
struct NotificationPagesTests {
    /// Tom's browser, signed in with his session.
    static func browser(_ app: Application, token: String) async throws -> PagesTests.Browser {
        let browser = PagesTests.Browser(app: app)
        browser.cookies[SessionCookie.name] = token
        // the landing page hands out the form token
        let home = try await browser.get("/")
        if let landing = home.headers.first(name: .location) { _ = try await browser.get(landing) }
        #expect(browser.cookies[CSRF.cookie] != nil)
        return browser
    }

    @Test("the inbox lists what is new with a badge on every page; opening reads it; read all and archive", arguments: TestDatabase.available)
    func inbox(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let first = try await work.task(["title": "Quarterly <b>numbers</b>", "assignee_id": work.memberID.uuidString])
            _ = try await work.task(["title": "Second", "assignee_id": work.memberID.uuidString])
            try await EventConsumers.catchUp(app)
            let tom = try await Self.browser(app, token: try #require(work.member.token))
            let base = "/w/\(work.org.workspaceID)"
            let page = try await tom.get("\(base)/inbox")
            #expect(page.status == .ok)
            #expect(page.body.contains("Quarterly &lt;b&gt;numbers&lt;/b&gt;") && !page.body.contains("<b>numbers</b>"))
            #expect(page.body.contains("data-badge=\"inbox\"><span class=\"visually-hidden\">, unread: </span><span class=\"n\">2</span>"))
            // the badge is on other pages too
            #expect(try await tom.get("\(base)/my-work").body.contains("<span class=\"n\">2</span>"))
            // opening an entry reads it and goes to the task
            let entry = try #require(try await InboxEntry.query(on: app.db).filter(\.$userID == work.memberID).sort(\.$position).first())
            let opened = try await tom.post("\(base)/inbox/\(entry.id!)/open", [:])
            #expect(opened.status == .seeOther)
            #expect(opened.headers.first(name: .location) == "\(base)/tasks/\(first["task"]["id"].string!)")
            #expect(try await tom.get("\(base)/inbox").body.contains("<span class=\"n\">1</span>"))
            // read all: the badge is hidden, the unread tab is empty and says what would fill it
            #expect(try await tom.post("\(base)/inbox/read", ["all": "true"]).status == .seeOther)
            let empty = try await tom.get("\(base)/inbox")
            #expect(empty.body.contains("data-badge=\"inbox\" hidden") && empty.body.contains("Nothing new."))
            let all = try await tom.get("\(base)/inbox?show=all")
            #expect(all.body.contains("Second"))
            #expect(try await tom.post("\(base)/inbox/archive", ["id": entry.id!.uuidString]).status == .seeOther)
            #expect(try await tom.get("\(base)/inbox?show=archived").body.contains("Quarterly"))
            // another person's entry: 404
            let olive = try await Self.browser(app, token: work.org.token)
            let stolen = try await olive.post("\(base)/inbox/\(entry.id!)/open", [:])
            #expect(stolen.status == .notFound, "\(stolen.status) \(stolen.body.prefix(300))")
            #expect(try await olive.post("\(base)/inbox/archive", ["id": entry.id!.uuidString]).status == .notFound)
        }
    }

    @Test("settings save per kind; half-given quiet hours are refused next to the field", arguments: TestDatabase.available)
    func settings(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            let work = try await WorkFixture.make(app)
            let tom = try await Self.browser(app, token: try #require(work.member.token))
            let path = "/w/\(work.org.workspaceID)/inbox/settings"
            let form = try await tom.get(path)
            #expect(form.body.contains("name=\"delivery_assigned\"") && form.body.contains("Your reminders"))
            let refused = try await tom.post(path, ["delivery_comment": "none", "quiet_start": "22:00"])
            #expect(refused.status == .unprocessableEntity)
            #expect(refused.body.contains("id=\"quiet_end-error\""))
            #expect(try await NotificationSettingsRow.query(on: app.db).count() == 0)
            let saved = try await tom.post(path, ["delivery_comment": "none", "quiet_start": "22:00", "quiet_end": "07:00", "digest": "on"])
            #expect(saved.status == .seeOther)
            let again = try await tom.get(path)
            #expect(again.body.contains("value=\"22:00\"") && again.body.contains("id=\"digest\" name=\"digest\" checked"))
            #expect(again.body.contains("<option value=\"none\" selected>Off</option>"))
        }
    }

    @Test("a task page offers 'Remind me'; a reminder set there is listed, moved and cancelled; a bad time is named next to the field",
          arguments: TestDatabase.available)
    func reminders(db: TestDatabase) async throws {
        let clock = TestClock()
        try await withBaton(db, clock: clock) { app in
            let work = try await WorkFixture.make(app)
            let created = try await work.task(["title": "Vendor", "assignee_id": work.memberID.uuidString])
            let taskID = try #require(created["task"]["id"].string)
            let olive = try await Self.browser(app, token: work.org.token)
            let base = "/w/\(work.org.workspaceID)"
            let taskPage = try await olive.get("\(base)/tasks/\(taskID)")
            #expect(taskPage.body.contains("data-live-region=\"reminders\"") && taskPage.body.contains("Set reminder"))
            let past = try await olive.post("\(base)/tasks/\(taskID)/reminders", ["remind_at": "2020-01-01T09:00", "note": "Too late"])
            #expect(past.status == .unprocessableEntity)
            #expect(past.body.contains("id=\"remind-at-error\"") && past.body.contains("value=\"Too late\""))
            let set = try await olive.post("\(base)/tasks/\(taskID)/reminders", ["remind_at": "2027-01-20T09:30", "note": "Ask Tom"])
            #expect(set.status == .seeOther && set.headers.first(name: .location) == "\(base)/tasks/\(taskID)")
            let reminder = try #require(try await Reminder.query(on: app.db).first())
            #expect(reminder.note == "Ask Tom")
            let shown = try await olive.get("\(base)/tasks/\(taskID)")
            #expect(shown.body.contains("Ask Tom") && shown.body.contains("value=\"2027-01-20T09:30\""))
            #expect(try await olive.get("\(base)/reminders").body.contains("Ask Tom"))
            // Tom sees none of Olive's reminders, and cannot touch them
            let tom = try await Self.browser(app, token: try #require(work.member.token))
            #expect(!(try await tom.get("\(base)/tasks/\(taskID)").body.contains("Ask Tom")))
            #expect(try await tom.post("\(base)/reminders/\(reminder.id!)/cancel", [:]).status == .notFound)
            let moved = try await olive.post("\(base)/reminders/\(reminder.id!)", ["remind_at": "2027-01-21T10:00", "note": "Ask Tom again"])
            #expect(moved.status == .seeOther)
            #expect(try await olive.get("\(base)/tasks/\(taskID)").body.contains("Ask Tom again"))
            #expect(try await olive.post("\(base)/reminders/\(reminder.id!)/cancel", ["return": "reminders"]).status == .seeOther)
            #expect(try await olive.get("\(base)/reminders").body.contains("No reminders waiting"))
        }
    }
}
