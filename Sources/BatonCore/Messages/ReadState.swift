import Foundation

/// Read state kept as one last-read position per member and channel (or thread): marking read is
/// one write, never a row per message per reader. Positions grow with every message posted.
public enum ReadState {
    /// Messages after the pointer that are not one's own.
    public static func unread(positions: [(position: Int, author: UUID)], lastRead: Int?, reader: UUID) -> Int {
        positions.filter { $0.position > (lastRead ?? 0) && $0.author != reader }.count
    }

    /// The pointer after "mark read": it never moves back.
    public static func markRead(_ position: Int, current: Int?) -> Int { max(position, current ?? 0) }

    /// The pointer after "mark unread from here": just before the message, moving back.
    public static func markUnread(from position: Int) -> Int { max(0, position - 1) }

    /// Who has and who has not read the message at `position` (its author has).
    public static func readers(of position: Int, author: UUID, pointers: [UUID: Int], members: [UUID]) -> (read: [UUID], unread: [UUID]) {
        var read: [UUID] = []
        var unread: [UUID] = []
        for member in members where member != author {
            if (pointers[member] ?? 0) >= position { read.append(member) } else { unread.append(member) }
        }
        return (read, unread)
    }
}

/// A message's text and its reactions, checked before anything is written.
public enum MessageText {
    public static let maxLength = 40_000

    /// The text as stored (line breaks as `\n`, trimmed), or what is wrong with it.
    public static func validate(_ raw: String) -> Result<String, DisplayText.TextProblem> {
        if let problem = problem(in: raw) { return .failure(DisplayText.TextProblem(message: problem)) }
        return DisplayText.validate(raw, label: "A message", max: maxLength, lines: true)
    }

    public static func problem(in body: String) -> String? {
        let trimmed = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.isEmpty { return "Write something to send." }
        if body.count > maxLength { return "A message is at most 40,000 characters (this one has \(body.count))." }
        return nil
    }

    /// Whether the message asks everyone in the channel (`@channel`) besides named people.
    public static func mentionsChannel(_ body: String) -> Bool { Mentions.handles(in: body).contains("channel") }

    /// The reactions people may add: a fixed, calm set (an unknown one is a 422).
    public static let reactions: [String] = ["👍", "👎", "✅", "👀", "🎉", "❤️", "😄", "🙏", "🤔", "🚀", "⏳", "❗"]

    public static func isReaction(_ emoji: String) -> Bool { reactions.contains(emoji) }
}
