import Foundation
import Testing
import Vapor
import BatonCore
@testable import BatonServer

@Suite("Time zones: the viewer's everywhere")
struct TimeZoneTests {
    @Test("sign-up and invitation take the browser's zone (UTC when unknown); history reads dates in the viewer's zone",
          arguments: TestDatabase.available)
    func zones(db: TestDatabase) async throws {
        try await withBaton(db) { app in
            // sign-up with the browser's zone, and with nonsense
            let api = APIClient(app: app)
            let berlin = try await api.post("/api/v1/auth/signup", ["email": "b@example.com", "password": "correct horse battery", "name": "B",
                                                                    "workspace_name": "W", "time_zone": "Europe/Berlin"])
            #expect(berlin.json["user"]["time_zone"].string == "Europe/Berlin")
            let odd = try await api.post("/api/v1/auth/signup", ["email": "o@example.com", "password": "correct horse battery", "name": "O",
                                                                 "workspace_name": "W", "time_zone": "Mars/Olympus"])
            #expect(odd.json["user"]["time_zone"].string == "UTC")
            // an invitation accepted from a browser in Tokyo
            let work = try await WorkFixture.make(app)
            let invite = try await work.owner.post("\(work.org.base)/invitations", ["email": "t@example.com"])
            let secret = try #require(invite.json["accept_url"].string?.split(separator: "/").last.map(String.init))
            let accepted = try await APIClient(app: app).post("/api/v1/invitations/\(secret)/accept",
                                                              ["name": "Taro", "password": "correct horse battery", "time_zone": "Asia/Tokyo"])
            #expect(accepted.json["user"]["time_zone"].string == "Asia/Tokyo", "\(accepted.body)")
            // history: "Dec 8, 17:00" in the reader's zone, not ISO
            _ = try await work.owner.patch("/api/v1/me", ["time_zone": "America/New_York"])
            let id = try #require(try await work.task(["title": "T"])["task"]["id"].string)
            _ = try await work.owner.patch("/api/v1/tasks/\(id)", ["version": 1, "due_at": "2026-12-08T22:00:00Z"])
            let sentences = try await work.owner.get("/api/v1/tasks/\(id)/history").json["data"].array.compactMap { $0["sentence"].string }
            #expect(sentences.contains("Olive Owner changed the due date of “T” to Dec 8, 17:00"), "\(sentences)")
            // the profile's list starts with UTC and holds the person's zone
            #expect(TimeZoneName.choices(including: "UTC").first == "UTC")
            #expect(TimeZoneName.choices(including: "Asia/Tokyo").contains("Asia/Tokyo"))
        }
    }
}
