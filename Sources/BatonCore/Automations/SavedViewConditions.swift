import Foundation

/// A saved view's filters (the task table's query string) as rule conditions, so that "starts
/// matching the view" is judged by the same code as the rule's own conditions. `me` is the
/// view's owner; a custom field named in the view is looked up by `fieldKey`.
public enum SavedViewConditions {
    public static func conditions(query: String, owner: UUID, fieldKey: (String) -> String?) -> [RuleCondition] {
        let items = URLComponents(string: "?" + query)?.queryItems ?? []
        func value(_ name: String) -> String? {
            guard let raw = items.first(where: { $0.name == name })?.value?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else { return nil }
            return raw
        }
        func person(_ raw: String) -> String { raw == "me" ? owner.uuidString.lowercased() : raw.lowercased() }
        var conditions: [RuleCondition] = []
        if let assignee = value("assignee") {
            conditions.append(assignee == "none" ? RuleCondition("assignee", .empty) : RuleCondition("assignee", .equals, person(assignee)))
        }
        if let delegator = value("delegator") { conditions.append(RuleCondition("delegator", .equals, person(delegator))) }
        if let stage = value("stage") { conditions.append(RuleCondition("stage", .equals, stage.lowercased())) }
        if let category = value("category") { conditions.append(RuleCondition("stage_category", .equals, category)) }
        if let priority = value("priority") { conditions.append(RuleCondition("priority", .equals, priority)) }
        if let tag = value("tag") { conditions.append(RuleCondition("tags", .contains, tag.lowercased())) }
        if let before = value("due_before") { conditions.append(RuleCondition("due_at", .lessThan, before)) }
        if let after = value("due_after") { conditions.append(RuleCondition("due_at", .greaterThan, after)) }
        if let field = value("field") {
            // A view on a field that no longer exists matches nothing, as the table would show nothing.
            let key = fieldKey(field) ?? "field:00000000-0000-0000-0000-000000000000"
            conditions.append(RuleCondition(key, .equals, value("field_value") ?? ""))
        }
        return conditions
    }
}
