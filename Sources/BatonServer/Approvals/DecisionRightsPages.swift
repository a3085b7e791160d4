import Fluent
import Vapor
import BatonCore

/// The decision-rights matrix as every member reads it ("what may I decide alone?"), the admins'
/// editor of it, and one's own out-of-office with the substitute who approves meanwhile.
struct DecisionRightsPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(ApprovalPaths.matrix.inWorkspace, use: matrix)
        routes.post(ApprovalPaths.matrix.inWorkspace, use: saveMatrix)
        routes.get(ApprovalPaths.away.inWorkspace, use: away)
        routes.post(ApprovalPaths.away.inWorkspace, use: saveAway)
    }

    struct Entry: Encodable { let holder: String; let limit: String?; let scope: String? }
    struct Decision: Encodable {
        let key: String
        let label: String
        let decide: [Entry]
        let consult: [Entry]
        let approve: [Entry]
        let mine: String?
    }
    struct MatrixContext: Encodable {
        let tab = "matrix"
        let workspaceId: UUID
        let decisions: [Decision]
        let isAdmin: Bool
        let json: String
        let version: Int
        let updated: String?
    }

    func matrix(req: Request) async throws -> Response {
        try await renderMatrix(req)
    }

    func saveMatrix(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        let form = try req.content.decode([String: String].self)
        let data = Data((form["matrix"] ?? "").utf8)
        do {
            guard let value = try? JSONDecoder().decode(JSONValue.self, from: data), case .object(let object) = value,
                  let any = try? JSONSerialization.jsonObject(with: data) else {
                throw BatonError.validation("matrix", "This is not valid JSON: check the brackets, quotes and commas.")
            }
            if let unknown = req.application.modules.contract.unknownKey(in: any, schema: ["$ref": "#/components/schemas/DecisionRightsRequest"], path: "") {
                throw BatonError.validation(unknown, "Unknown field “\(unknown)”.")
            }
            let reading = Reading()
            let decisions = try DecisionRightsReader.decisions(PatchReader(object), reading)
            try reading.finish()
            _ = try await req.approvalTemplates.putDecisionRights(access, DecisionRights(decisions: decisions), version: form["version"].flatMap(Int.init))
        } catch let error as BatonError where [.unprocessableEntity, .conflict].contains(error.status) {
            return try await renderMatrix(req, json: form["matrix"], error: error.field.map { "\($0): \(error.message)" } ?? error.message, status: error.status)
        }
        return PageRenderer.redirect(req, to: ApprovalPaths.matrix.url(access.workspaceID), notice: "Decision rights saved.")
    }

    private func renderMatrix(_ req: Request, json: String? = nil, error: String? = nil, status: HTTPResponseStatus = .ok) async throws -> Response {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { throw BatonError.notFound("Page") }
        let record = try await Tenancy.query(access, DecisionRightsRecord.self, on: req.reader).first()
        let rights = try record?.matrix ?? DecisionRights()
        // the viewer's roles and teams as routing reads them
        let org = try await ApprovalOrg.load(access.workspaceID, at: req.application.clock.now(), on: req.reader)
        let teamNames = org.teamNames
        let mineTeams = org.teams[access.userID] ?? []
        let roles = org.rolesOf[access.userID] ?? [access.role.rawValue]
        let people = rights.decisions.flatMap(\.entries).compactMap { entry -> UUID? in if case .person(let id) = entry.holder { id } else { nil } }
        let names = try await UserNames.load(people, on: req.reader)
        func holder(_ holder: DecisionRights.Holder) -> String {
            switch holder {
            case .role(let role): "Role: \(role)"
            case .team(let team): "Team \(teamNames[team] ?? "(removed)")"
            case .person(let person): names[person] ?? "someone"
            }
        }
        func entry(_ entry: DecisionRights.Entry) -> Entry {
            let limits = [entry.upToAmount.map { "up to \(AmountWords.text($0))" }, entry.upToTier.map { "clients up to \($0)" },
                          entry.upToRisk.map { "risk up to \($0)" }].compactMap { $0 }
            let limit = limits.isEmpty ? (entry.right == .consult ? nil : "any amount") : limits.joined(separator: ", ")
            return Entry(holder: holder(entry.holder), limit: limit,
                         scope: entry.forTeam.map { "for \(teamNames[$0] ?? "a team")" })
        }
        let decisions = rights.decisions.map { decision -> Decision in
            let alone = rights.entries(.decide, of: decision.key, heldBy: access.userID, roles: roles, teams: mineTeams)
            let approving = rights.entries(.approve, of: decision.key, heldBy: access.userID, roles: roles, teams: mineTeams)
            var mine = alone.isEmpty ? "You do not decide these alone: ask for approval."
                : "You decide alone " + alone.map { entry($0).limit ?? "without a limit" }.joined(separator: "; ") + "."
            if !approving.isEmpty {
                mine = "You approve these " + approving.map { entry($0).limit ?? "without a limit" }.joined(separator: "; ")
                    + ": what is within that is yours to decide, and others ask you."
            }
            return Decision(key: decision.key, label: decision.label, decide: decision.entries.filter { $0.right == .decide }.map(entry),
                            consult: decision.entries.filter { $0.right == .consult }.map(entry),
                            approve: decision.entries.filter { $0.right == .approve }.map(entry), mine: mine)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let timeZone = try req.principal().timeZone
        var updated: String?
        if let record {
            let who = try await record.updatedBy.asyncMap { try await UserNames.load([$0], on: req.reader)[$0] ?? "someone" }
            updated = "Changed \(BatonDate.format(record.updatedAt, "MMM d, HH:mm", timeZone: timeZone))\(who.map { " by \($0)" } ?? "")"
        }
        let saved = String(decoding: try encoder.encode(["decisions": rights.decisions]), as: UTF8.self)
        let context = MatrixContext(
            workspaceId: access.workspaceID, decisions: decisions, isAdmin: access.role.canAdminister,
            json: json ?? saved, version: record?.version ?? 0,
            updated: updated)
        var page = Page(title: "Decision rights", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"), page: context)
        if let error { page.errors = ["matrix": error] }
        return try await PageRenderer.render("approvals/matrix", page, for: req, status: status)
    }

    // MARK: out of office

    struct AwayContext: Encodable {
        let tab = "away"
        let workspaceId: UUID
        let people: [WorkPages.Option]
        let from: String
        let until: String
        let current: String?
    }

    func away(req: Request) async throws -> Response {
        guard try await req.workspaceAccess().role != .guest else { throw BatonError.notFound("Page") }
        return try await renderAway(req, form: [:])
    }

    func saveAway(req: Request) async throws -> Response {
        let access = try await req.workspaceAccess()
        guard access.role != .guest else { throw BatonError.notFound("Page") }
        let form = try req.content.decode([String: String].self)
        let timeZone = try req.principal().timeZone
        do {
            if form["clear"] != nil {
                try await req.approvalTemplates.clearOutOfOffice(access.userID)
                return PageRenderer.redirect(req, to: ApprovalPaths.away.url(access.workspaceID), notice: "Welcome back: requests come to you again.")
            }
            guard let substitute = form["substitute_id"].flatMap(UUID.init(uuidString:)) else {
                throw BatonError.validation("substitute_id", "Choose who approves for you.")
            }
            guard let from = form["from"].flatMap({ BatonDate.parseLocal($0, timeZone: timeZone) }) else {
                throw BatonError.validation("from", "When do you leave? (a date and time)")
            }
            guard let until = form["until"].flatMap({ BatonDate.parseLocal($0, timeZone: timeZone) }) else {
                throw BatonError.validation("until", "When are you back? (a date and time)")
            }
            _ = try await req.approvalTemplates.setOutOfOffice(access.userID, substitute: substitute, from: from, until: until)
        } catch let error as BatonError where error.status == .unprocessableEntity {
            var page = try await awayPage(req, form: form)
            page.errors = [error.field ?? "form": error.message]
            return try await PageRenderer.render("approvals/away", page, for: req, status: .unprocessableEntity)
        }
        return PageRenderer.redirect(req, to: ApprovalPaths.away.url(access.workspaceID), notice: "Saved: your substitute approves while you are away.")
    }

    private func renderAway(_ req: Request, form: [String: String]) async throws -> Response {
        try await PageRenderer.render("approvals/away", try await awayPage(req, form: form), for: req)
    }

    private func awayPage(_ req: Request, form: [String: String]) async throws -> Page<AwayContext> {
        let access = try await req.workspaceAccess()
        let timeZone = try req.principal().timeZone
        let row = try await OutOfOffice.query(on: req.reader).filter(\.$userID == access.userID).first()
        let active = row.flatMap { $0.until > req.application.clock.now() ? $0 : nil }
        let members = try await WorkQueries.members(access, on: req.reader)
        let names = members.names
        let chosen = form["substitute_id"] ?? active?.substituteID.uuidString ?? ""
        func local(_ date: Date) -> String { BatonDate.format(date, "yyyy-MM-dd'T'HH:mm", timeZone: timeZone) }
        let context = AwayContext(
            workspaceId: access.workspaceID,
            people: [WorkPages.Option(value: "", label: "Choose…", selected: chosen.isEmpty)]
                + ApprovalPeople.choosable(members, excluding: [access.userID]).map {
                    WorkPages.Option(value: $0.id.uuidString, label: $0.name, selected: $0.id.uuidString == chosen)
                },
            from: form["from"] ?? active.map { local($0.from) } ?? "", until: form["until"] ?? active.map { local($0.until) } ?? "",
            current: active.map { "Away \(BatonDate.format($0.from, "MMM d, HH:mm", timeZone: timeZone)) – \(BatonDate.format($0.until, "MMM d, HH:mm", timeZone: timeZone)); \(names[$0.substituteID] ?? "your substitute") approves for you." })
        return Page(title: "Out of office", layout: try await PageRenderer.layout(for: req, workspace: access, nav: "approvals"), page: context)
    }
}

/// One's profile says whether one is out of office, and who approves meanwhile.
enum AwayPanel {
    struct Context: Encodable { let workspaceId: UUID; let current: String? }

    static func render(_ request: SubjectPanelRequest) async throws -> [String] {
        guard request.access.role != .guest else { return [] }
        let req = request.req
        let row = try await OutOfOffice.query(on: req.reader).filter(\.$userID == request.access.userID).first()
        let timeZone = try req.principal().timeZone
        let current = try await row.flatMap { $0.until > req.application.clock.now() ? $0 : nil }.asyncMap { row in
            let name = try await UserNames.load([row.substituteID], on: req.reader)[row.substituteID] ?? "someone"
            return "Away until \(BatonDate.format(row.until, "MMM d, HH:mm", timeZone: timeZone)); \(name) approves for you."
        }
        let view = try await req.view.render("approvals/away-panel", Context(workspaceId: request.access.workspaceID, current: current))
        return [String(buffer: view.data)]
    }
}
