import Fluent
import SQLKit
import Foundation
import Vapor
import BatonCore

/// What the channel and thread pages show of a message: its text rendered by the one markdown
/// renderer, live chips for the tasks it names (`#12`) and the approval requests it links to,
/// reactions, who has seen it and who was asked to acknowledge it.
struct MessageView: Encodable {
    struct Reaction: Encodable { let emoji: String; let count: Int; let mine: Bool; let names: String }

    let id: UUID
    let authorName: String
    let initials: String
    let system: Bool
    let time: String
    let iso: String
    let html: String
    let body: String
    let edited: Bool
    let deleted: Bool
    let mine: Bool
    let canDelete: Bool
    let replyCount: Int
    let lastReply: String?
    let reactions: [Reaction]
    let chips: [LinkChip]
    let askedMe: Bool
    let ackSummary: String?
    let ackPending: String?
    let seenBy: String?
    let firstUnread: Bool
    let threadURL: String
    let taskURL: String?
}

enum MessageViews {
    /// Views of `messages` for the viewer; `pointers` are the channel's read positions (for "seen by").
    /// `members`: the workspace's memberships with their people, when the caller read them already.
    static func make(_ messages: [Message], scope: ChannelScope, firstUnreadSeq: Int?, members: [Membership]? = nil, on db: any Database,
                     req: Request) async throws -> [MessageView] {
        guard !messages.isEmpty else { return [] }
        let viewer = scope.userID
        let dtos = try await MessageQueries.dtos(messages, viewer: viewer, on: db)
        let timeZone = try req.principal().timeZone
        let members = if let members { members } else { try await Tenancy.query(scope.access, Membership.self, on: db).with(\.$user).all() }
        let names = Dictionary(members.map { ($0.$user.id, $0.user.name) }) { first, _ in first }
        let chips = try await taskChips(in: messages.map(\.body), access: scope.access, on: db)
        let linked = messages.map { WorkspaceLinks.paths(in: $0.body, workspaceID: scope.access.workspaceID) }
        // as for task chips, at most 200 a page
        let linkChips = try await req.application.modules.linkChips(Array(Set(linked.joined()).prefix(200)), viewer: scope.access, on: db)
        let markdown = MarkdownRenderer.forWorkspace(scope.access.workspaceID, members: members,
                                                      tasks: chips.mapValues { MarkdownRenderer.Link(url: $0.url, title: $0.title) })
        var pointers: [UUID: Int] = [:]
        for row in try await PlainSQL.rows(on: db, "SELECT user_id, last_read_seq FROM channel_members WHERE channel_id = \(bind: scope.channelID)") {
            pointers[try row.decode(column: "user_id", as: UUID.self)] = try row.decode(column: "last_read_seq", as: Int.self)
        }
        let manages = try await scope.manages(on: db)
        return zip(zip(messages, dtos), linked).map { pair, links in
            let (message, dto) = pair
            let others = pointers.keys.filter { $0 != message.authorID }
            var seenBy: String?
            if message.authorID == viewer, let seq = message.seq, !others.isEmpty {
                let seen = others.filter { (pointers[$0] ?? 0) >= seq }.compactMap { names[$0] }.sorted()
                seenBy = seen.isEmpty ? "Not seen yet" : (others.count <= 4 ? "Seen by " + ListWords.join(seen, "and")
                                                                           : "Seen by \(seen.count) of \(others.count)")
            }
            let acks = dto.acknowledgement
            return MessageView(
                id: message.id!, authorName: dto.authorName, initials: initials(dto.authorName), system: message.authorID == nil,
                time: BatonDate.format(message.createdAt, "MMM d, HH:mm", timeZone: timeZone), iso: BatonDate.iso(message.createdAt),
                html: message.isDeleted ? "" : markdown.html(message.body), body: message.body, edited: message.editCount > 0,
                deleted: message.isDeleted, mine: message.authorID == viewer && !message.isDeleted,
                canDelete: !message.isDeleted && (message.authorID == viewer || manages),
                replyCount: message.replyCount, lastReply: message.lastReplyAt.map { BatonDate.format($0, "MMM d, HH:mm", timeZone: timeZone) },
                reactions: dto.reactions.map { reaction in
                    MessageView.Reaction(emoji: reaction.emoji, count: reaction.count, mine: reaction.mine,
                             names: ListWords.join(reaction.userIds.map { names[$0] ?? "someone" }, "and"))
                },
                chips: Array((TaskNumbers.references(in: message.body).compactMap { chips[$0] } + links.compactMap { linkChips[$0] }).prefix(10)),
                askedMe: acks?.mine == "asked",
                ackSummary: acks.map { "\($0.acknowledged) of \($0.asked) acknowledged" },
                ackPending: acks.flatMap { ack in
                    let waiting = (ack.people ?? []).filter { $0.acknowledgedAt == nil }.map(\.name)
                    return waiting.isEmpty ? nil : "Waiting for " + ListWords.join(waiting, "and")
                },
                seenBy: seenBy, firstUnread: message.seq != nil && message.seq == firstUnreadSeq,
                threadURL: MessagePaths.thread.url(scope.access.workspaceID, message.threadRootID ?? message.id!),
                taskURL: message.taskID.map { WorkPaths.task.url(scope.access.workspaceID, $0) })
        }
    }

    static func initials(_ name: String) -> String {
        String(name.split(separator: " ").prefix(2).compactMap(\.first)).uppercased()
    }

    /// Live chips for the tasks the texts name, that the viewer may see: title, stage, assignee.
    static func taskChips(in bodies: [String], access: WorkspaceAccess, on db: any Database) async throws -> [Int: LinkChip] {
        let numbers = Array(Set(bodies.flatMap(TaskNumbers.references)).sorted().prefix(200))
        guard !numbers.isEmpty else { return [:] }
        let rows = try await PlainSQL.rows(on: db, """
            SELECT tasks.number, tasks.id, tasks.title, tasks.project_id, tasks.stage_category, stages.name AS stage, users.name AS assignee
            FROM tasks JOIN stages ON stages.id = tasks.stage_id LEFT JOIN users ON users.id = tasks.assignee_id
            WHERE tasks.workspace_id = \(bind: access.workspaceID) AND tasks.number IN (\(binds: numbers)) AND tasks.archived_at IS NULL
            """)
        let viewer = access.role == .guest ? try await WorkScope.viewer(access, on: db) : nil
        var chips: [Int: LinkChip] = [:]
        for row in rows {
            let project = try row.decode(column: "project_id", as: UUID.self)
            if let viewer, !viewer.guestProjects.contains(project) { continue }
            let id = try row.decode(column: "id", as: UUID.self)
            chips[try row.decode(column: "number", as: Int.self)] = LinkChip(
                url: WorkPaths.task.url(access.workspaceID, id), title: "#\(try row.decode(column: "number", as: Int.self)) " + (try row.decode(column: "title", as: String.self)),
                stage: try row.decode(column: "stage", as: String.self), assignee: try row.decode(column: "assignee", as: String?.self) ?? "Unassigned",
                done: try row.decode(column: "stage_category", as: String.self) == "done")
        }
        return chips
    }
}
