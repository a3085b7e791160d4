import Fluent
import Foundation
import Testing
import Vapor
@testable import BatonServer

@Suite("OpenAPI contract")
struct OpenAPIContractTests {
    @Test("the document and the router list exactly the same /api/v1 operations")
    func routerMatchesDocument() async throws {
        try await withBaton(.sqlite) { app in
            // setup
            let served = try await APIClient(app: app).get("/api/v1/openapi.json")
            #expect(served.status == .ok)
            #expect(served.json["openapi"].string == "3.1.0")
            let paths = try #require(served.json["paths"].value as? [String: [String: Any]])
            let documented = Set(paths.flatMap { path, operations in operations.keys.map { "\($0.uppercased()) \(normalize(path))" } })
            // act
            let routed = Set(app.routes.all
                .map { route in (route.method.rawValue, "/" + route.path.map(\.description).joined(separator: "/")) }
                .filter { $0.1.hasPrefix("/api/v1/") }
                .map { "\($0.0) \(normalize($0.1))" })
            // check
            #expect(routed.subtracting(documented).isEmpty, "routes missing from the document: \(routed.subtracting(documented).sorted())")
            #expect(documented.subtracting(routed).isEmpty, "documented but not routed: \(documented.subtracting(routed).sorted())")
            #expect(routed.count > 20)
        }
    }

    /// `{workspace_id}` and `:workspaceID` are the same parameter slot.
    private func normalize(_ path: String) -> String {
        path.split(separator: "/").map { $0.hasPrefix(":") || $0.hasPrefix("{") ? "{}" : String($0) }.joined(separator: "/")
    }
}
