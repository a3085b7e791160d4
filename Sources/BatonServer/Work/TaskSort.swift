import Fluent
import SQLKit
import Vapor
import BatonCore

/// The order of a task list: a key and a direction (`due`, `-created`, …). The database sorts and
/// pages by (sort value, id); tasks without a due date come last whichever way due dates run.
struct TaskSort: Sendable, Equatable {
    enum Key: String, CaseIterable, Sendable {
        case created, updated, due, priority, title
    }

    let key: Key
    let descending: Bool

    static let `default` = TaskSort(key: .created, descending: true)

    init(key: Key, descending: Bool) {
        self.key = key
        self.descending = descending
    }

    /// `due`, `-due`, … (a leading `-` means descending).
    init?(_ text: String) {
        let descending = text.hasPrefix("-")
        guard let key = Key(rawValue: String(text.dropFirst(descending ? 1 : 0))) else { return nil }
        self.init(key: key, descending: descending)
    }

    var text: String { (descending ? "-" : "") + key.rawValue }

    /// Far enough in the future to sort after every real due date.
    private static let noDueDate = Date(timeIntervalSince1970: 253_402_214_400)   // 9999-12-31

    private var value: any SQLExpression {
        let column = { (name: String) in SQLColumn(name, table: WorkTask.schema) }
        switch key {
        case .created: return column("created_at")
        case .updated: return column("updated_at")
        case .title: return column("title")
        case .due: return SQLFunction("COALESCE", args: column("due_at"), SQLBind(Self.noDueDate))
        case .priority:
            // Priority.rank in SQL: urgent 0 … low 3.
            return SQLRaw("CASE \(WorkTask.schema).priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END")
        }
    }

    private var direction: SQLDirection { descending ? .descending : .ascending }

    var orderBy: any SQLExpression {
        SQLList([SQLOrderBy(expression: value, direction: direction),
                 SQLOrderBy(expression: SQLColumn("id", table: WorkTask.schema), direction: direction)])
    }

    /// Rows strictly after the cursor in this order.
    ///
    /// A date read back from SQLite's REAL and written into a cursor can come back an ulp away
    /// from what is stored, so "the same time" means within half a microsecond (PostgreSQL keeps
    /// microseconds, so distinct times there are a whole one apart). Without it, tasks sharing a
    /// time (an import's, written at one moment) paged forever one way and not at all the other.
    func after(_ cursor: Cursor) -> any SQLExpression {
        let op: SQLBinaryOperator = descending ? .lessThan : .greaterThan
        let id = SQLColumn("id", table: WorkTask.schema)
        let sameValue: any SQLExpression
        let beyond: any SQLExpression
        if let date = cursor.date {
            let (low, high) = (SQLBind(date.addingTimeInterval(-Self.sameTime)), SQLBind(date.addingTimeInterval(Self.sameTime)))
            sameValue = SQLBinaryExpression(SQLBinaryExpression(value, .greaterThanOrEqual, low), .and,
                                            SQLBinaryExpression(value, .lessThanOrEqual, high))
            beyond = SQLBinaryExpression(value, op, descending ? low : high)
        } else {
            sameValue = SQLBinaryExpression(value, .equal, cursor.bind)
            beyond = SQLBinaryExpression(value, op, cursor.bind)
        }
        return SQLGroupExpression(SQLBinaryExpression(
            beyond, .or, SQLGroupExpression(SQLBinaryExpression(sameValue, .and, SQLBinaryExpression(id, op, SQLBind(cursor.id))))))
    }

    private static let sameTime: TimeInterval = 0.000_000_5

    func cursor(after task: WorkTask) -> Cursor {
        let value: String
        switch key {
        case .created: value = String(task.createdAt.timeIntervalSince1970)
        case .updated: value = String(task.updatedAt.timeIntervalSince1970)
        case .due: value = String((task.dueAt ?? Self.noDueDate).timeIntervalSince1970)
        case .priority: value = String(task.priority.rank)
        case .title: value = task.title
        }
        return Cursor(sort: self, value: value, id: task.id!)
    }

    /// Where the last page ended: the sort, its value in the last row, and that row's id.
    struct Cursor: Sendable {
        let sort: TaskSort
        let value: String
        let id: UUID

        init(sort: TaskSort, value: String, id: UUID) {
            self.sort = sort
            self.value = value
            self.id = id
        }

        /// base64url without padding: a title's bytes can make "+" or "/", which a query string would mangle.
        init?(_ encoded: String) {
            var base64 = encoded.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
            base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
            guard let data = Data(base64Encoded: base64) else { return nil }
            let text = String(decoding: data, as: UTF8.self)
            guard let first = text.firstIndex(of: "|"), let last = text.lastIndex(of: "|"), first < last,
                  let sort = TaskSort(String(text[..<first])), let id = UUID(uuidString: String(text[text.index(after: last)...]))
            else { return nil }
            let value = String(text[text.index(after: first)..<last])
            if sort.key != .title, FiniteNumber.parse(value).map({ abs($0) < 1e12 }) != true { return nil }
            self.init(sort: sort, value: value, id: id)
        }

        var encoded: String {
            Data("\(sort.text)|\(value)|\(id.uuidString)".utf8).base64EncodedString()
                .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        }

        fileprivate var date: Date? {
            switch sort.key {
            case .created, .updated, .due: return Date(timeIntervalSince1970: Double(value) ?? 0)
            case .priority, .title: return nil
            }
        }

        /// The value of a cursor that is not a date (dates compare through `date`).
        fileprivate var bind: any SQLExpression {
            sort.key == .priority ? SQLBind(Int(Double(value) ?? 3)) : SQLBind(value)
        }
    }
}
