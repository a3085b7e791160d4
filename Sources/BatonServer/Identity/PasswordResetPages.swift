import Vapor
import BatonCore

/// "Forgot your password?": ask for a link, then choose a new password with it.
struct PasswordResetPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {
        routes.get(IdentityPaths.forgotPassword.route, use: askPage)
        routes.post(IdentityPaths.forgotPassword.route, use: ask)
        routes.get(IdentityPaths.resetPassword.route, use: choosePage)
        routes.post(IdentityPaths.resetPassword.route, use: choose)
    }

    struct AskContext: Encodable { let sent: String? }
    struct ChooseContext: Encodable { let secret: String; let gone: String? }

    func askPage(req: Request) async throws -> Response {
        try await PageRenderer.render("auth/forgot", Page(title: "Forgot your password?", layout: try await PageRenderer.layout(for: req),
                                                          page: AskContext(sent: nil)), for: req)
    }

    func ask(req: Request) async throws -> Response {
        let form = try req.content.decode([String: String].self)
        do {
            try await req.identity.requestPasswordReset(email: form["email"] ?? "", address: req.clientAddress)
            return try await PageRenderer.render("auth/forgot", Page(title: "Check your email", layout: try await PageRenderer.layout(for: req),
                                                                     page: AskContext(sent: PasswordResetWords.sent)), for: req)
        } catch let error as BatonError where error.status == .unprocessableEntity {
            var page = Page(title: "Forgot your password?", layout: try await PageRenderer.layout(for: req), page: AskContext(sent: nil))
            page.errors["email"] = error.message
            page.form = ["email": form["email"] ?? ""]
            return try await PageRenderer.render("auth/forgot", page, for: req, status: error.status)
        }
    }

    func choosePage(req: Request) async throws -> Response {
        let secret = try req.parameters.require("secret")
        let usable = try await PasswordResetLink.usable(hash: Secret.hash(secret), now: req.application.clock.now(), on: req.reader) != nil
        let page = Page(title: "Choose a new password", layout: try await PageRenderer.layout(for: req),
                        page: ChooseContext(secret: secret, gone: usable ? nil : IdentityService.linkGone.message))
        // The secret is in the address; Referrer-Policy same-origin (every page) keeps it from other sites.
        return try await PageRenderer.render("auth/reset", page, for: req, status: usable ? .ok : .notFound)
    }

    func choose(req: Request) async throws -> Response {
        let secret = try req.parameters.require("secret")
        let form = try req.content.decode([String: String].self)
        do {
            try await req.identity.resetPassword(secret: secret, password: form["password"] ?? "", address: req.clientAddress)
            return PageRenderer.redirect(req, to: IdentityPaths.login.url(), notice: PasswordResetWords.done)
        } catch let error as BatonError where [.unprocessableEntity, .notFound].contains(error.status) {
            var page = Page(title: "Choose a new password", layout: try await PageRenderer.layout(for: req),
                            page: ChooseContext(secret: secret, gone: error.status == .notFound ? error.message : nil))
            page.errors["password"] = error.status == .unprocessableEntity ? error.message : nil
            return try await PageRenderer.render("auth/reset", page, for: req, status: error.status)
        }
    }
}
