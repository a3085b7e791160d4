import Fluent
import Vapor
import BatonCore

/// Notices by email: one message each, or one daily digest per person; quiet hours in the
/// person's own zone hold the email (the inbox entry is not held).
enum NoticeMail {
    /// When a digest goes out, local time.
    static let digestHour = 8

    static func queue(_ notices: [Notice], events: [Int: LoggedEvent], settings: [UUID: NotificationSettings],
                      ctx: WriteContext, app: Application) async throws {
        let users = try await User.query(on: ctx.db).filter(\.$id ~~ Array(Set(notices.map(\.recipient)))).all()
        let byID = Dictionary(users.compactMap { user in user.id.map { ($0, user) } }) { first, _ in first }
        let base = app.publicBaseURL
        for (recipient, group) in Dictionary(grouping: notices, by: \.recipient) {
            guard let user = byID[recipient] else { continue }
            let personal = settings[recipient] ?? .defaults
            let zone = TimeZone(identifier: user.timeZone) ?? TimeZone(identifier: "UTC")!
            let groupEvents = group.compactMap { events[$0.eventID] }
            let sentences = try await EventSentences.describe(groupEvents, in: app.modules.events, timeZone: user.timeZone, on: ctx.db)
            let lines = Dictionary(zip(groupEvents.map(\.id), sentences)) { first, _ in first }
            for notice in group {
                let sentence = lines[notice.eventID] ?? notice.subjectTitle
                let link = app.modules.subjectLink(type: notice.subjectType, id: notice.subjectID, workspaceID: notice.workspaceID).map { base + $0 } ?? ""
                let settingsURL = base + NotificationPaths.settings.url(notice.workspaceID)
                let label = app.modules.noticeKinds.first { $0.rawValue == notice.kind }?.label ?? notice.kind
                if personal.digest {
                    try await addToDigest(user, line: sentence + (link.isEmpty ? "" : "\n" + link), settingsURL: settingsURL,
                                          workspace: notice.workspaceID, settings: personal, zone: zone, ctx: ctx)
                    continue
                }
                let text = """
                    \(sentence)

                    \(link.isEmpty ? "" : "Open it: \(link)\n\n")—
                    You get this for “\(label)”. Choose what Baton emails you: \(settingsURL)
                    """
                try await Outbox.queue(.init(to: user.email, subject: String(sentence.prefix(150)), text: text,
                                             workspaceID: notice.workspaceID, unsubscribeURL: settingsURL,
                                             dedupeKey: "notice:\(notice.eventID):\(recipient)",
                                             sendAt: personal.emailTime(after: ctx.now, timeZone: zone)), ctx: ctx)
            }
        }
    }

    /// The day's digest: one queued message per person and day, each notice a line of it, sent
    /// at `digestHour` local time (or when their quiet hours end).
    private static func addToDigest(_ user: User, line: String, settingsURL: String, workspace: UUID, settings: NotificationSettings,
                                    zone: TimeZone, ctx: WriteContext) async throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var sendAt = calendar.date(bySettingHour: digestHour, minute: 0, second: 0, of: ctx.now) ?? ctx.now
        if sendAt <= ctx.now { sendAt = calendar.date(byAdding: .day, value: 1, to: sendAt) ?? sendAt }
        sendAt = settings.emailTime(after: sendAt, timeZone: zone)
        let day = BatonDate.format(sendAt, "yyyy-MM-dd", timeZone: zone.identifier)
        let key = "digest:\(user.id!):\(day)"
        if let open = try await OutboxEmail.query(on: ctx.db).filter(\.$dedupeKey == key).filter(\.$sentAt == nil).first() {
            let marker = "\n\n—\n"
            let parts = open.body.components(separatedBy: marker)
            open.body = parts[0] + "\n\n" + line + marker + parts.dropFirst().joined(separator: marker)
            try await OutboxEmail.query(on: ctx.db).filter(\.$id == open.id!).set(\.$body, to: open.body).update()
            return
        }
        try await Outbox.queue(.init(to: user.email, subject: "Your Baton digest for \(BatonDate.format(sendAt, "MMM d", timeZone: zone.identifier))",
                                     text: "What happened since your last digest:\n\n\(line)\n\n—\nChoose what Baton emails you: \(settingsURL)",
                                     workspaceID: workspace, unsubscribeURL: settingsURL, dedupeKey: key, sendAt: sendAt), ctx: ctx)
    }
}
