import Fluent
import SQLKit
import Foundation
import BatonCore

/// Search over the messages a person can see: the channels they are in and, for members, the
/// open ones. Every word must appear (case-insensitively, anywhere); newest first. It is plain
/// SQL that both databases run alike (a lowercased copy of the text, LIKE with escaped
/// wildcards), so one implementation serves both and is tested on both.
struct MessageSearch: Sendable {
    struct Query: Sendable {
        let words: [String]
        var channelID: UUID?
        var authorID: UUID?
        var offset = 0
        var limit = 50

        /// "launch  deck" → ["launch", "deck"]; 1–8 words of at most 100 characters.
        static func words(_ raw: String?) throws -> [String] {
            let words = (raw ?? "").lowercased().split(whereSeparator: \.isWhitespace).map(String.init)
            guard !words.isEmpty else { throw BatonError.validation("q", "Type something to search for.") }
            guard words.count <= 8, words.allSatisfy({ $0.count <= 100 }) else {
                throw BatonError.validation("q", "Search for at most 8 words of at most 100 characters.")
            }
            return words
        }
    }

    /// `%`, `_` and the escape itself match only themselves.
    static func pattern(_ word: String) -> String {
        "%" + word.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%")
            .replacingOccurrences(of: "_", with: "\\_") + "%"
    }

    func search(_ access: WorkspaceAccess, _ query: Query, on db: any Database) async throws -> (hits: [SearchHitDTO], next: Int?) {
        var sql: SQLQueryString = """
            SELECT messages.*, channels.name AS channel_name, channels.kind AS channel_kind FROM messages
            JOIN channels ON channels.id = messages.channel_id
            LEFT JOIN channel_members ON channel_members.channel_id = channels.id AND channel_members.user_id = \(bind: access.userID)
            WHERE messages.workspace_id = \(bind: access.workspaceID) AND messages.deleted_at IS NULL
              AND (channel_members.id IS NOT NULL OR (channels.kind IN ('public', 'project') AND \(bind: access.role != .guest)))
            """
        for word in query.words {
            sql.appendInterpolation(unsafeRaw: " AND messages.search_text LIKE ")
            sql.appendInterpolation(bind: Self.pattern(word))
            sql.appendInterpolation(unsafeRaw: " ESCAPE '\\'")
        }
        if let channel = query.channelID { sql.appendInterpolation(unsafeRaw: " AND messages.channel_id = "); sql.appendInterpolation(bind: channel) }
        if let author = query.authorID { sql.appendInterpolation(unsafeRaw: " AND messages.author_id = "); sql.appendInterpolation(bind: author) }
        sql.appendInterpolation(unsafeRaw: " ORDER BY messages.created_at DESC, messages.id LIMIT ")
        sql.appendInterpolation(bind: query.limit + 1)
        sql.appendInterpolation(unsafeRaw: " OFFSET ")
        sql.appendInterpolation(bind: query.offset)
        let rows = try await PlainSQL.rows(on: db, sql)
        let messages = try rows.prefix(query.limit).map { try PlainSQL.decode(Message.self, prefix: "", from: $0) }
        let dtos = try await MessageQueries.dtos(messages, viewer: access.userID, on: db)
        let channelIDs = messages.map(\.channelID)
        let directs = try await ChannelQueries.directTitles(
            try await MessageChannel.query(on: db).filter(\.$id ~~ Set(channelIDs)).filter(\.$kind == MessageChannel.Kind.direct.rawValue).all(),
            viewer: access.userID, on: db)
        let hits = try zip(dtos, rows).map { dto, row in
            let kind = try row.decode(column: "channel_kind", as: String.self)
            let name = try row.decode(column: "channel_name", as: String.self)
            return SearchHitDTO(message: dto, channelName: directs[dto.channelId] ?? name,
                                channelKind: kind)
        }
        return (hits, rows.count > query.limit ? query.offset + query.limit : nil)
    }
}
