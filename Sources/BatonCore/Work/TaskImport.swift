import Foundation

/// Turns a CSV of tasks into rows ready to create, or a list of problems with line numbers.
/// Columns (header names, any order, case-insensitive): title, description, assignee email, stage,
/// priority, due, tags; any other column must be the name of one of the project's custom fields.
public enum TaskImport {
    public static let standardColumns = ["title", "description", "assignee email", "stage", "priority", "due", "tags"]

    public struct Row: Sendable, Equatable {
        public let line: Int
        public let title: String
        public let description: String
        public let assigneeEmail: String?
        public let stage: String?
        public let priority: Priority?
        public let due: Date?
        public let tags: [String]
        /// Canonical values by field name (already validated).
        public let customFields: [String: String?]
    }

    public struct Problem: Sendable, Equatable {
        public let line: Int
        public let reason: String
    }

    public struct Plan: Sendable {
        public let rows: [Row]
        public let problems: [Problem]
    }

    /// - Parameters:
    ///   - stages: the project's stage names.
    ///   - members: active members' emails (lowercased) to user ids (as strings, for person fields).
    public static func plan(_ records: [CSV.Record], stages: [String], members: [String: String],
                            fields: [CustomFieldValue.Definition], maxRows: Int = 50_000) -> Plan {
        guard let header = records.first else { return Plan(rows: [], problems: [Problem(line: 1, reason: "The file is empty.")]) }
        let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        var problems: [Problem] = []
        guard names.contains("title") else { return Plan(rows: [], problems: [Problem(line: header.line, reason: "The header has no “title” column.")]) }
        var fieldColumns: [(Int, CustomFieldValue.Definition)] = []
        for (index, name) in names.enumerated() where !standardColumns.contains(name) && !name.isEmpty {
            guard let field = fields.first(where: { $0.name.lowercased() == name }) else {
                problems.append(Problem(line: header.line, reason: "Unknown column “\(header.fields[index])”: not a standard column or a custom field of this project."))
                continue
            }
            fieldColumns.append((index, field))
        }
        if Set(names.filter { !$0.isEmpty }).count != names.filter({ !$0.isEmpty }).count {
            problems.append(Problem(line: header.line, reason: "A column appears twice in the header."))
        }
        if !problems.isEmpty { return Plan(rows: [], problems: problems) }
        let body = records.dropFirst()
        if body.count > maxRows { return Plan(rows: [], problems: [Problem(line: header.line, reason: "At most \(maxRows) rows per import.")]) }

        /// A field as exported: its formula guard removed, then (unless it is free text) trimmed.
        func column(_ name: String, in record: CSV.Record, trimmed: Bool = true) -> String {
            guard let index = names.firstIndex(of: name), index < record.fields.count else { return "" }
            let value = CSV.removingFormulaGuard(record.fields[index])
            return trimmed ? value.trimmingCharacters(in: .whitespacesAndNewlines) : value
        }
        let stageLookup = Dictionary(stages.map { ($0.lowercased(), $0) }, uniquingKeysWith: { first, _ in first })
        var rows: [Row] = []
        for record in body {
            if record.fields.count > names.count {
                problems.append(Problem(line: record.line, reason: "\(record.fields.count) fields, but the header has \(names.count)."))
                continue
            }
            var reasons: [String] = []
            // A title or tag cell written on several lines is one line here; the rest is what a
            // task's own rules say (DisplayText), so a dry run finds what the import would refuse.
            var title = DisplayText.oneLine(column("title", in: record))
            switch DisplayText.validate(title, label: "title", max: 300) {
            case .success(let valid): title = valid
            case .failure where title.isEmpty: reasons.append("title is empty")
            case .failure(let problem): reasons.append(problem.message.dropLast().description)
            }
            let description = column("description", in: record, trimmed: false)
            if case .failure(let problem) = DisplayText.validate(description, label: "description", max: 20_000, required: false, lines: true) {
                reasons.append(problem.message.dropLast().description)
            }
            let email = column("assignee email", in: record).lowercased()
            if !email.isEmpty && members[email] == nil { reasons.append("\(email) is not an active member of this workspace") }
            let stageName = column("stage", in: record)
            var stage: String?
            if !stageName.isEmpty {
                stage = stageLookup[stageName.lowercased()]
                if stage == nil { reasons.append("no stage called “\(stageName)”") }
            }
            let priorityText = column("priority", in: record).lowercased()
            let priority = priorityText.isEmpty ? nil : Priority(rawValue: priorityText)
            if !priorityText.isEmpty && priority == nil { reasons.append("priority must be urgent, high, normal or low") }
            let dueText = column("due", in: record)
            let due = dueText.isEmpty ? nil : parseDue(dueText)
            if !dueText.isEmpty && due == nil { reasons.append("due must be YYYY-MM-DD or an ISO-8601 date-time") }
            let tags = DisplayText.oneLine(column("tags", in: record)).split(whereSeparator: { $0 == ";" || $0 == "," })
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            if let problem = DisplayText.problem(inEach: tags) { reasons.append("each tag \(problem)") }
            var custom: [String: String?] = [:]
            for (index, field) in fieldColumns {
                let raw = index < record.fields.count
                    ? CSV.removingFormulaGuard(record.fields[index]).trimmingCharacters(in: .whitespaces) : ""
                guard !raw.isEmpty else { continue }
                let input: FieldInput = field.type == .person ? .string(members[raw.lowercased()] ?? raw) : .string(raw)
                switch CustomFieldValue.validate(input, for: field, isPerson: { id in members.values.contains(id) }) {
                case .success(let value): custom[field.name] = value
                case .failure(let problem): reasons.append(problem.message)
                }
            }
            if reasons.isEmpty {
                rows.append(Row(line: record.line, title: title, description: description,
                                assigneeEmail: email.isEmpty ? nil : email, stage: stage, priority: priority, due: due,
                                tags: tags, customFields: custom))
            } else {
                problems.append(Problem(line: record.line, reason: reasons.joined(separator: "; ")))
            }
        }
        return Plan(rows: rows, problems: problems)
    }

    /// `YYYY-MM-DD` means 17:00 UTC that day; otherwise an ISO-8601 date-time.
    public static func parseDue(_ text: String) -> Date? {
        if let day = BatonDate.validDay(text) {
            let formatter = ISO8601DateFormatter()
            return formatter.date(from: "\(day)T17:00:00Z")
        }
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    public static func formatDue(_ date: Date?) -> String {
        guard let date else { return "" }
        return ISO8601DateFormatter().string(from: date)
    }
}
