import Foundation
import BatonCore

/// Where email goes (`BATON_SMTP_HOST`, `_PORT`, `_TLS` none / starttls / tls, `_USERNAME`,
/// `_PASSWORD`, `BATON_MAIL_FROM`). Without a host, emails stay in the outbox and the log.
public struct SMTPSettings: Sendable, Equatable {
    public enum Security: String, Sendable { case none, starttls, tls }

    public var host: String
    public var port: Int
    public var security: Security
    public var username: String?
    public var password: String?
    public var from: String
    /// Seconds for connecting and for each reply.
    public var timeout: Int = 30

    public init(host: String, port: Int, security: Security, username: String? = nil, password: String? = nil, from: String) {
        self.host = host
        self.port = port
        self.security = security
        self.username = username
        self.password = password
        self.from = from
    }

    /// nil without `BATON_SMTP_HOST`; a clear error for settings that cannot work.
    public static func fromEnvironment(_ environment: [String: String]) throws -> SMTPSettings? {
        guard let host = environment["BATON_SMTP_HOST"], !host.isEmpty else { return nil }
        let rawSecurity = environment["BATON_SMTP_TLS"].flatMap { $0.isEmpty ? nil : $0.lowercased() } ?? "starttls"
        guard let security = Security(rawValue: rawSecurity) else {
            throw SMTPError.settings("BATON_SMTP_TLS is none, starttls or tls, not \(rawSecurity).")
        }
        let defaultPort = security == .tls ? 465 : 587
        let rawPort = environment["BATON_SMTP_PORT"] ?? ""
        guard let port = rawPort.isEmpty ? defaultPort : Int(rawPort), (1...65535).contains(port) else {
            throw SMTPError.settings("BATON_SMTP_PORT must be a port number, not \(rawPort).")
        }
        let from = environment["BATON_MAIL_FROM"].flatMap { $0.isEmpty ? nil : $0 } ?? "Baton <baton@\(host)>"
        guard MailAddress.isPlausible(MailMessage.address(from)) else {
            throw SMTPError.settings("BATON_MAIL_FROM must be an address such as Baton <baton@example.com>.")
        }
        let username = environment["BATON_SMTP_USERNAME"].flatMap { $0.isEmpty ? nil : $0 }
        return SMTPSettings(host: host, port: port, security: security, username: username,
                            password: environment["BATON_SMTP_PASSWORD"], from: from)
    }
}

enum MailAddress {
    /// One @, something on each side, no spaces, angle brackets or line breaks.
    static func isPlausible(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        return parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
            && !address.contains { $0.isWhitespace || "<>\r\n,;".contains($0) }
    }
}

public enum SMTPError: Error, CustomStringConvertible {
    case settings(String)
    case refused(command: String, reply: SMTPReply)
    case closed(String)
    case timeout(String)

    public var description: String {
        switch self {
        case .settings(let message): message
        case .refused(let command, let reply): "\(command) refused: \(reply.code) \(reply.text)"
        case .closed(let step): "the mail server closed the connection (\(step))"
        case .timeout(let step): "the mail server did not answer in time (\(step))"
        }
    }

    /// A 5xx is permanent (no retry makes it work); everything else may pass later.
    var isPermanent: Bool {
        if case .refused(_, let reply) = self { return (500..<600).contains(reply.code) }
        if case .settings = self { return true }
        return false
    }
}
