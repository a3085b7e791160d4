import Fluent
import Vapor

/// Side effects of invitations, run by the job worker after the inviting transaction committed.
enum InvitationJobs {
    static func register(on app: Application) {
        app.jobs.register(.invitationEmail) { job, app in
            guard let dedupe = job.dedupeKey, let email = job.payload["email"], let url = job.payload["accept_url"] else { return }
            let workspace = job.payload["workspace_name"] ?? "Baton"
            try await app.store.write { ctx in
                // Unique on the job's dedupe key: a job re-run after a crash queues nothing twice.
                let exists = try await OutboxEmail.query(on: ctx.db).filter(\.$dedupeKey == dedupe).count() > 0
                guard !exists else { return }
                let message = OutboxEmail()
                message.dedupeKey = dedupe
                message.toAddress = email
                message.subject = "You are invited to \(workspace) on Baton"
                message.body = """
                    You have been invited to join \(workspace) on Baton.

                    Accept the invitation (the link works once and expires in 7 days):
                    \(url)
                    """
                message.createdAt = ctx.now
                try await message.create(on: ctx.db)
            }
        }
        app.jobs.register(.invitationExpire) { job, app in
            guard let id = job.payload["invitation_id"].flatMap(UUID.init(uuidString:)) else { return }
            try await app.identity.expireInvitation(id: id)
        }
    }
}
