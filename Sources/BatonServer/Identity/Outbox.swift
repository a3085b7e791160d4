import Fluent
import SQLKit
import Vapor
import BatonCore

/// Every email Baton sends: a row in the outbox, then a durable job that hands it to the mail
/// server (`BATON_SMTP_HOST`), retried with backoff; a slow or down server never slows a request.
/// Without a mail server the message is held in the outbox (and written to the log), never lost.
/// Other modules queue mail through `Outbox.queue`.
enum Outbox {
    struct Draft: Sendable {
        var to: String
        var subject: String
        var text: String
        var html: String? = nil
        var workspaceID: UUID? = nil
        var unsubscribeURL: String? = nil
        /// A secret link kept out of `text` (`OutboxEmail.linkPlaceholder`) until the message is sent.
        var secretLink: String? = nil
        /// Unique: the same key queues nothing twice.
        var dedupeKey: String
        var sendAt: Date? = nil
    }

    @discardableResult
    static func queue(_ draft: Draft, ctx: WriteContext) async throws -> UUID? {
        guard try await OutboxEmail.query(on: ctx.db).filter(\.$dedupeKey == draft.dedupeKey).count() == 0 else { return nil }
        let message = OutboxEmail()
        message.id = UUID()
        message.dedupeKey = draft.dedupeKey
        message.toAddress = draft.to
        message.subject = String(draft.subject.prefix(300))
        message.body = draft.text
        message.html = draft.html
        message.secretLink = draft.secretLink
        message.workspaceID = draft.workspaceID
        message.unsubscribeURL = draft.unsubscribeURL
        message.status = "queued"
        message.attempts = 0
        message.createdAt = ctx.now
        try await ctx.insert(message)
        try await ctx.enqueue(.mailSend, payload: ["message_id": message.id!.uuidString], runAt: draft.sendAt,
                              dedupeKey: "mail.send:\(message.id!)")
        return message.id
    }

    static let sendJob = JobDefinition(kind: .mailSend) { job, app in
        guard let id = job.payload["message_id"].flatMap(UUID.init(uuidString:)),
              let message = try await OutboxEmail.find(id, on: app.db), message.sentAt == nil, message.status != "failed" else { return }
        guard let smtp = app.batonConfig.smtp else {
            app.logger.notice("email held (no BATON_SMTP_HOST): to \(message.toAddress): \(message.subject)\n\(message.composedBody)")
            try await setStatus(id, "held", error: "No mail server is configured (BATON_SMTP_HOST).", app: app)
            return
        }
        let mail = MailMessage(from: smtp.from, to: message.toAddress, subject: message.subject, text: message.composedBody,
                               html: message.html.map { $0.replacingOccurrences(of: OutboxEmail.linkPlaceholder, with: message.secretLink ?? "") }
                                   ?? MailMessage.html(fromText: message.composedBody, title: message.subject),
                               unsubscribe: message.unsubscribeURL, messageID: "\(id.uuidString.lowercased())@baton", date: app.clock.now())
        do {
            try await SMTPClient(settings: smtp, group: app.eventLoopGroup).send(mail)
        } catch {
            let permanent = (error as? SMTPError)?.isPermanent ?? false
            let last = permanent || job.attempts >= job.maxAttempts
            try await setStatus(id, last ? "failed" : "queued", error: String(describing: error), app: app)
            if permanent {
                app.logger.warning("email to \(message.toAddress) refused for good: \(String(describing: error))")
                return
            }
            throw error
        }
        try await app.store.write { ctx in
            try await OutboxEmail.markSent(id, ctx: ctx)
            try await OutboxEmail.query(on: ctx.db).filter(\.$id == id).set(\.$status, to: "sent")
                .set(\.$attempts, to: job.attempts).set(\.$lastError, to: nil).update()
        }
    }

    private static func setStatus(_ id: UUID, _ status: String, error: String, app: Application) async throws {
        try await app.store.write { ctx in
            let message = try await OutboxEmail.find(id, on: ctx.db)
            try await OutboxEmail.query(on: ctx.db).filter(\.$id == id).set(\.$status, to: status)
                .set(\.$attempts, to: (message?.attempts ?? 0) + 1).set(\.$lastError, to: String(error.prefix(1000))).update()
        }
    }
}

extension JobKind {
    static let mailSend = JobKind("mail.send")
}

/// The outbox's delivery columns.
struct AddOutboxDelivery: AsyncMigration {
    func prepare(on database: any Database) async throws {
        for (name, type) in [("workspace_id", DatabaseSchema.DataType.uuid), ("html", .string), ("status", .string), ("attempts", .int),
                             ("last_error", .string), ("unsubscribe_url", .string)] {
            try await database.schema(OutboxEmail.schema).field(.definition(name: .key(.string(name)), dataType: type, constraints: [])).update()
        }
        try await SQLIndex.create("outbox_workspace", on: OutboxEmail.schema, columns: ["workspace_id", "created_at"], database)
    }

    func revert(on database: any Database) async throws {
        for name in ["workspace_id", "html", "status", "attempts", "last_error", "unsubscribe_url"] {
            try await database.schema(OutboxEmail.schema).deleteField(.string(name)).update()
        }
    }
}
