import Fluent
import Vapor

/// Side effects of invitations, run by the job worker after the inviting transaction committed.
///
/// The accept link is a secret (only its hash is in `invitations`). It lives in plain text only as
/// long as it is needed to send the email: in the job's payload until the job has run (the queue
/// then drops `JobKind.secretPayloadKeys`), and in the outbox's `secret_link` until the message is
/// sent or the invitation stops being pending (accepted, revoked, expired), whichever comes first.
enum InvitationJobs {
    static let definitions = [
        JobDefinition(kind: .invitationEmail, secretPayloadKeys: ["accept_url"]) { job, app in
            guard let dedupe = job.dedupeKey, let email = job.payload["email"], let url = job.payload["accept_url"],
                  let invitationID = job.payload["invitation_id"].flatMap(UUID.init(uuidString:)) else { return }
            let workspace = job.payload["workspace_name"] ?? "Baton"
            try await app.store.write { ctx in
                // Unique on the job's dedupe key: a job re-run after a crash queues nothing twice.
                // An invitation revoked or accepted before its email went out needs no link any more.
                let pending = try await Invitation.find(invitationID, on: ctx.db)?.state(now: ctx.now) == .pending
                try await Outbox.queue(.init(
                    to: email, subject: "You are invited to \(workspace) on Baton",
                    text: """
                        You have been invited to join \(workspace) on Baton.

                        Accept the invitation (the link works once and expires in 7 days):
                        \(OutboxEmail.linkPlaceholder)
                        """,
                    workspaceID: job.payload["workspace_id"].flatMap(UUID.init(uuidString:)),
                    secretLink: pending ? url : nil, dedupeKey: dedupe), ctx: ctx)
            }
        },
        JobDefinition(kind: .invitationExpire) { job, app in
            guard let id = job.payload["invitation_id"].flatMap(UUID.init(uuidString:)) else { return }
            try await app.identity.expireInvitation(id: id)
        },
    ]

    /// The invitation is no longer pending: its queued email keeps no working link.
    static func forgetLink(of invitationID: UUID, ctx: WriteContext) async throws {
        try await OutboxEmail.query(on: ctx.db).filter(\.$dedupeKey == "invitation.email:\(invitationID)")
            .set(\.$secretLink, to: nil).update()
    }
}

extension JobKind {
    static let invitationEmail = JobKind("invitation.email")
    static let invitationExpire = JobKind("invitation.expire")
}

extension OutboxEmail {
    static let linkPlaceholder = "{{link}}"

    /// The text to send: the body with its link, while the link is still there.
    var composedBody: String {
        body.replacingOccurrences(of: Self.linkPlaceholder, with: secretLink ?? "(this link is no longer valid)")
    }

    /// Called by email delivery once the message is handed to the mail server: the secret goes.
    static func markSent(_ id: UUID, ctx: WriteContext) async throws {
        try await OutboxEmail.query(on: ctx.db).filter(\.$id == id)
            .set(\.$sentAt, to: ctx.now).set(\.$secretLink, to: nil).update()
    }
}
