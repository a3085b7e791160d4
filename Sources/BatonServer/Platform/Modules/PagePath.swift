import Leaf
import Vapor

/// One page's path, written once: its route is registered from it and every link to it is built
/// from it, in Swift (`url`) and in templates (`#path("work.task", workspaceId, taskId)`).
struct PagePath: Sendable, Hashable {
    /// What templates call it: "<module>.<page>".
    let name: String
    /// "/w/:workspaceID/tasks/:taskID"
    let pattern: String

    init(_ name: String, _ pattern: String) {
        self.name = name
        self.pattern = pattern
    }

    private var parts: [Substring] { pattern.split(separator: "/") }

    /// The whole route, for a page outside any workspace.
    var route: [PathComponent] { parts.map { PathComponent(stringLiteral: String($0)) } }

    /// The route below `/w/:workspaceID`, where `PageRoutes.workspace` registers it.
    var inWorkspace: [PathComponent] {
        precondition(parts.prefix(2) == ["w", ":workspaceID"], "\(pattern) is not a workspace page")
        return parts.dropFirst(2).map { PathComponent(stringLiteral: String($0)) }
    }

    var parameterCount: Int { parts.filter { $0.hasPrefix(":") }.count }

    /// The parameters' values when `path` is this page (or a page below it), else nil.
    func values(in path: String) -> [String]? {
        let given = path.split(separator: "/")
        guard given.count >= parts.count else { return nil }
        var values: [String] = []
        for (part, value) in zip(parts, given) {
            if part.hasPrefix(":") { values.append(String(value)) } else if part != value { return nil }
        }
        return values
    }

    /// The path with `values` in its parameters, in order; each value is percent-encoded.
    func url(_ values: any CustomStringConvertible...) -> String { url(values.map(\.description)) }

    func url(_ values: [String]) -> String {
        precondition(values.count == parameterCount, "\(name) takes \(parameterCount) values, got \(values.count)")
        var remaining = values[...]
        let filled = parts.map { part -> String in
            guard part.hasPrefix(":") else { return String(part) }
            return remaining.popFirst()!.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"])) ?? ""
        }
        return filled.isEmpty ? "/" : "/" + filled.joined(separator: "/")
    }
}

/// `#path("work.task", workspaceId, taskId)` in a template: the URL of a declared page.
struct PathTag: LeafTag {
    let paths: [String: PagePath]

    func render(_ ctx: LeafContext) throws -> LeafData {
        guard let name = ctx.parameters.first?.string, let path = paths[name] else {
            throw Abort(.internalServerError, reason: "#path needs the name of a declared page, got \(ctx.parameters.first?.description ?? "nothing")")
        }
        let values = try ctx.parameters.dropFirst().map { value -> String in
            guard let text = value.string, !value.isNil else { throw Abort(.internalServerError, reason: "#path(\"\(name)\") got an empty value") }
            return text
        }
        guard values.count == path.parameterCount else {
            throw Abort(.internalServerError, reason: "#path(\"\(name)\") takes \(path.parameterCount) values, got \(values.count)")
        }
        return .string(path.url(values))
    }
}
