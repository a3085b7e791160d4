import Vapor

extension Request {
    /// The address of the person calling: the connection's peer, or, when the peer is a trusted
    /// reverse proxy, the nearest address in `X-Forwarded-For` that is not one of those proxies.
    /// The login throttle keys failures by it.
    var clientAddress: String {
        guard let peer = remoteAddress?.ipAddress else { return "unknown" }
        let trusted = application.batonConfig.trustedProxies
        guard trusted.contains(peer) else { return peer }
        let hops = headers[.xForwardedFor].flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hops.last { !trusted.contains($0) }.map { String($0.prefix(64)) } ?? peer
    }

    /// The connection comes from this machine (and not through a proxy on it).
    var isLoopback: Bool {
        guard let peer = remoteAddress?.ipAddress else { return false }
        let local = peer == "::1" || peer.hasPrefix("127.") || peer.hasPrefix("::ffff:127.")
        return local && !application.batonConfig.trustedProxies.contains(peer)
    }
}

/// Every cookie Baton sets: HttpOnly, SameSite=Lax, and Secure when the public URL is https.
enum BatonCookie {
    static func value(_ string: String, maxAge: Int? = nil, for req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: string, maxAge: maxAge, path: "/", isSecure: req.application.cookiesAreSecure,
                          isHTTPOnly: true, sameSite: .lax)
    }

    static func expired(for req: Request) -> HTTPCookies.Value {
        HTTPCookies.Value(string: "", expires: Date(timeIntervalSince1970: 0), maxAge: 0, path: "/",
                          isSecure: req.application.cookiesAreSecure, isHTTPOnly: true, sameSite: .lax)
    }
}
