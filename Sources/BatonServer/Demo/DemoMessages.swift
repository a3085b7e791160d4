import Fluent
import Vapor
import BatonCore

/// The demo's messages: a channel per project and a team channel with a few weeks of history and
/// threads, work-update threads on delegated tasks, direct conversations, weekly check-ins
/// waiting to go, and an announcement that asks everyone to acknowledge it, partly acknowledged.
enum DemoMessages {
    static func run(on app: Application, clock: DemoClock?, access: WorkspaceAccess, people: [String: UUID]) async throws {
        func person(_ name: String) -> UUID { people["\(name)@acme.test"]! }
        func at(_ days: Double) { clock?.set(daysAgo: max(days, 0)) }
        let channels = ChannelService(store: app.store)
        let messages = MessageService(store: app.store)
        // The demo's work history comes before its channels: the messages consumer starts after it,
        // so sixty days of stage changes do not arrive as today's chatter.
        try await app.store.write { ctx in
            try await ctx.sql.raw("""
                UPDATE event_cursors SET position = (SELECT COALESCE(MAX(id), 0) FROM events) WHERE name = 'messages'
                """).run()
        }
        at(27)
        let projects = try await Project.query(on: app.db).filter(\.$workspaceID == access.workspaceID).sort(\.$name).all()
        var projectChannels: [String: UUID] = [:]
        for project in projects {
            let lead = project.leadID ?? access.userID
            let leadAccess = try await Tenancy.access(access.workspaceID, for: lead, on: app.db)
            let members = ["tom", "lena", "priya", "sam", "aiko", "daniel"].map(person).filter { $0 != lead }
            let (channel, _) = try await channels.create(leadAccess, ChannelDraft(kind: .project, memberIDs: members + [access.userID], projectID: project.id))
            projectChannels[project.name] = channel.id!
        }
        let team = try await channels.create(access, ChannelDraft(kind: .public, name: "team", topic: "Announcements and the week ahead",
                                                                  memberIDs: people.values.filter { $0 != access.userID && $0 != people["jordan@client.test"] }))
        let teamID = team.channel.id!
        let relaunch = projectChannels["Website relaunch"] ?? teamID
        let onboarding = projectChannels["Customer onboarding"] ?? teamID

        func post(_ days: Double, _ who: String, _ channel: UUID, _ body: String, asks: Bool = false) async throws -> Message {
            at(days)
            return try await messages.post(channel, by: person(who), MessageDraft(body: body, everyone: asks))
        }
        func reply(_ days: Double, _ who: String, _ root: Message, _ body: String) async throws {
            at(days)
            _ = try await messages.reply(to: root.id!, by: person(who), MessageDraft(body: body))
        }
        func read(_ who: String, _ channel: UUID) async throws { try await messages.markRead(channel, by: person(who), messageID: nil) }

        // The relaunch channel: a plan, a decision in a thread, a few weeks of steady updates.
        let kickoff = try await post(26, "daniel", relaunch, "Kick-off notes are in the project brief. Goal: new checkout live before the spring campaign. **Decisions** go in threads so we can find them again.")
        try await reply(25.9, "lena", kickoff, "Thanks. I'll take the checkout flow; @tom can you own the payment API side?")
        try await reply(25.8, "tom", kickoff, "Yes — I'll post progress in the task threads, no need to ping me for status.")
        // Work-updates threads on delegated tasks, opened early in the project (a channel's
        // messages are written in the order they happen): the assignee writes, the manager reads
        // when they choose.
        let delegated = try await WorkTask.query(on: app.db).filter(\.$workspaceID == access.workspaceID).filter(\.$archivedAt == nil)
            .filter(\.$assigneeID != nil).filter(\.$stageCategory != .done).sort(\.$createdAt).limit(40).all()
        var threads = 0
        for task in delegated where threads < 4 {
            guard let assignee = task.assigneeID, let delegator = task.delegatorID, assignee != delegator,
                  people.values.contains(assignee), assignee != people["jordan@client.test"] else { continue }
            at(25.5 - Double(threads) * 0.5)
            let root = try await WorkUpdates.open(task.id!, by: delegator, store: app.store)
            let updates = ["Started: I've read the brief and the acceptance checklist, no open questions.",
                           "About half done. On track for the checkpoint.",
                           "Blocked for a day on access to staging — asked IT, working on the copy meanwhile.",
                           "Ready for review tomorrow."]
            for (index, update) in updates.prefix(2 + threads % 3).enumerated() {
                at(20 - Double(threads) * 2 - Double(index) * 4)
                _ = try await messages.reply(to: root.id!, by: assignee, MessageDraft(body: update))
            }
            threads += 1
        }

        _ = try await post(22, "priya", relaunch, "Designs for the product pages are ready for review: see #3 and #5.")
        let launchDate = try await post(18, "maya", relaunch, "Can we keep the launch date if the payment provider slips a week?")
        try await reply(17.9, "daniel", launchDate, "Yes, if we ship checkout behind a flag. Tom and Lena agree; decision: flag first, switch on in week 2.")
        try await reply(17.8, "maya", launchDate, "Good — that's the call. 👍")
        _ = try await messages.react(launchDate.id!, by: person("lena"), emoji: "✅", remove: false)
        _ = try await post(12, "aiko", relaunch, "Test plan for checkout is up. I'll run the full pass when #8 reaches review.")
        _ = try await post(6, "lena", relaunch, "Checkout flow is in review. Staging link in the task.")
        _ = try await post(1.2, "tom", relaunch, "Payment API integration passed the sandbox suite. 🎉")

        // Onboarding: quieter, with a question waiting.
        _ = try await post(24, "priya", onboarding, "Onboarding interviews are scheduled for next week; notes will go in the research doc.")
        let emails = try await post(9, "sam", onboarding, "First-week email drafts are ready. @priya do you want to review before I send them to the client?")
        try await reply(8.8, "priya", emails, "Send them to Jordan directly, you have the call on wording.")
        _ = try await post(0.4, "sam", onboarding, "Activation dashboard updated with last week's cohort.")

        // Direct conversations.
        let direct = try await channels.create(access, ChannelDraft(kind: .direct, memberIDs: [person("daniel")])).channel.id!
        _ = try await post(3, "maya", direct, "Do you have ten minutes tomorrow for the hiring plan?")
        _ = try await post(2.9, "daniel", direct, "Sure, 10:30 works.")
        let tomDirect = try await channels.create(access, ChannelDraft(kind: .direct, memberIDs: [person("tom")])).channel.id!
        _ = try await post(0.8, "tom", tomDirect, "FYI the vendor contract for the payment API is in Approvals, waiting on you.")

        // An announcement that asks everyone to acknowledge it, partly acknowledged.
        let announcement = try await post(2, "maya", teamID, "From Monday, releases go out on **Tuesdays and Thursdays** only. Please acknowledge so I know you've seen it.", asks: true)
        for name in ["daniel", "priya", "tom", "ruth"] {
            at(1.8)
            _ = try await messages.acknowledge(announcement.id!, by: person(name))
        }
        _ = try await post(1, "daniel", teamID, "Retro on Friday at 15:00 — add topics in the thread.")

        // Everyone has read up to a few days ago; some have caught up since.
        at(0)
        for name in ["daniel", "tom", "lena", "priya"] { try await read(name, relaunch) }
        for name in ["priya", "sam"] { try await read(name, onboarding) }

        // Weekly check-ins waiting to go, and one for the start of Tom's working day.
        let schedules = ScheduleService(store: app.store)
        _ = try await schedules.schedule(direct, by: access.userID, ScheduleDraft(body: "Weekly check-in: what should I know, what do you need from me?",
                                                                                  timing: .weekly(weekday: 1, at: "09:00", timeZone: nil)))
        _ = try await schedules.schedule(tomDirect, by: access.userID, ScheduleDraft(body: "Thanks — approved. Go ahead with the contract.",
                                                                                     timing: .startOfDay))
        clock?.reset()
    }
}
