import Fluent
import Vapor
import BatonCore

/// Scheduled messages: write now, send later; each is its author's alone.
struct SchedulesAPI {
    func register(_ api: APIRoutes) {
        api.signedIn.post("channels", ":channelID", "scheduled-messages", use: schedule)
        api.signedIn.get("me", "scheduled-messages", use: mine)
        api.signedIn.patch("scheduled-messages", ":scheduledID", use: update)
        api.signedIn.delete("scheduled-messages", ":scheduledID", use: cancel)
        api.signedIn.post("scheduled-messages", ":scheduledID", "send-now", use: sendNow)
    }

    private func scheduledID(_ req: Request) throws -> UUID { try req.uuidParameter("scheduledID", label: "Scheduled message") }

    func schedule(req: Request) async throws -> Response {
        let userID = try req.principal().userID
        let channelID = try req.uuidParameter("channelID", label: "Channel")
        _ = try await ChannelScope.channel(channelID, for: userID, on: req.reader)
        let scheduled = try await req.schedules.schedule(channelID, by: userID, try ScheduleDraft(try PatchReader.body(req)))
        return try await ScheduleQueries.dto(scheduled, on: req.application.store.reader).encodeResponse(status: .created, for: req)
    }

    func mine(req: Request) async throws -> ListPage<ScheduledMessageDTO> {
        let userID = try req.principal().userID
        let status = req.queryText("status") ?? ""
        guard status.isEmpty || status == "all" || ScheduledMessage.Status(rawValue: status) != nil else {
            throw BatonError.validation("status", "status is pending (default), sent, cancelled, failed or all.")
        }
        let list = try await ScheduleQueries.mine(userID, status: status.isEmpty ? "pending" : status, workspaceID: try await req.workspaceFilter(for: userID),
                                                  limit: try req.pageSize(), on: req.reader)
        return ListPage(data: list, nextCursor: nil)
    }

    func update(req: Request) async throws -> ScheduledMessageDTO {
        let userID = try req.principal().userID
        let id = try scheduledID(req)
        _ = try await ScheduleService.find(id, of: userID, on: req.reader)
        let scheduled = try await req.schedules.update(id, by: userID, try SchedulePatch(try PatchReader.body(req)))
        return try await ScheduleQueries.dto(scheduled, on: req.application.store.reader)
    }

    func cancel(req: Request) async throws -> HTTPStatus {
        try await req.schedules.cancel(try scheduledID(req), by: try req.principal().userID)
        return .noContent
    }

    func sendNow(req: Request) async throws -> ScheduledMessageDTO {
        let scheduled = try await req.schedules.sendNow(try scheduledID(req), by: try req.principal().userID)
        return try await ScheduleQueries.dto(scheduled, on: req.application.store.reader)
    }
}

struct RecurrenceDTO: Content {
    let weekday: Int
    let at: String
    let timeZone: String
}

struct ScheduledMessageDTO: Content {
    let id: UUID
    let workspaceId: UUID
    let channelId: UUID
    let channelTitle: String
    let body: String
    let sendAt: Date
    let atStartOfDay: Bool
    let recipientId: UUID?
    let recipientName: String?
    let recurrence: RecurrenceDTO?
    let askAcknowledgement: Bool
    let status: String
    let failure: String?
    let sentCount: Int
    let lastMessageId: UUID?
    let lastSentAt: Date?
    let version: Int
    let createdAt: Date
    let updatedAt: Date
}

enum ScheduleQueries {
    static func mine(_ userID: UUID, status: String, workspaceID: UUID?, limit: Int, on db: any Database) async throws -> [ScheduledMessageDTO] {
        var query = ScheduledMessage.query(on: db).filter(\.$authorID == userID)
        if status != "all" { query = query.filter(\.$status == status) }
        if let workspaceID { query = query.filter(\.$workspaceID == workspaceID) }
        let rows = try await query.sort(\.$sendAt, status == "pending" ? .ascending : .descending).limit(limit).all()
        return try await dtos(rows, viewer: userID, on: db)
    }

    static func dto(_ scheduled: ScheduledMessage, on db: any Database) async throws -> ScheduledMessageDTO {
        try await dtos([scheduled], viewer: scheduled.authorID, on: db)[0]
    }

    static func dtos(_ rows: [ScheduledMessage], viewer: UUID, on db: any Database) async throws -> [ScheduledMessageDTO] {
        guard !rows.isEmpty else { return [] }
        let channels = try await MessageChannel.query(on: db).filter(\.$id ~~ Set(rows.map(\.channelID))).all()
        let titles = try await ChannelQueries.directTitles(channels.filter { $0.channelKind == .direct }, viewer: viewer, on: db)
        var byID: [UUID: String] = [:]
        for channel in channels { byID[channel.id!] = titles[channel.id!] ?? "#" + channel.name }
        let names = try await UserNames.load(rows.compactMap(\.recipientID), on: db)
        return rows.map { row in
            let recurrence = row.recurrence.flatMap { try? StoredJSON.decode(MessageSchedule.Recurrence.self, $0) }
            return ScheduledMessageDTO(
                id: row.id!, workspaceId: row.workspaceID, channelId: row.channelID, channelTitle: byID[row.channelID] ?? "a channel", body: row.body,
                sendAt: row.sendAt, atStartOfDay: row.atStartOfDay, recipientId: row.recipientID, recipientName: row.recipientID.flatMap { names[$0] },
                recurrence: recurrence.map { RecurrenceDTO(weekday: $0.weekday, at: $0.at, timeZone: $0.timeZone) },
                askAcknowledgement: row.asksAcknowledgement, status: row.status, failure: row.failure, sentCount: row.sentCount,
                lastMessageId: row.lastMessageID, lastSentAt: row.lastSentAt, version: row.version, createdAt: row.createdAt, updatedAt: row.updatedAt)
        }
    }
}
