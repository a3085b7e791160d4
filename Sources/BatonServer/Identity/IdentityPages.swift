import Vapor
struct IdentityPages: RouteCollection {
    func boot(routes: any RoutesBuilder) throws {}
}
