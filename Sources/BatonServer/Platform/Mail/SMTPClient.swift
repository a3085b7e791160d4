import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import BatonCore

/// A small SMTP client on SwiftNIO: EHLO, STARTTLS or implicit TLS, AUTH PLAIN, MAIL/RCPT/DATA.
/// One connection per message; the job queue retries what fails.
struct SMTPClient: Sendable {
    let settings: SMTPSettings
    let group: any EventLoopGroup

    func send(_ message: MailMessage) async throws {
        let tlsContext = settings.security == .none ? nil : try NIOSSLContext(configuration: .makeClientConfiguration())
        let implicitTLS = settings.security == .tls
        let host = settings.host
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.seconds(Int64(settings.timeout)))
            .connect(host: settings.host, port: settings.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if implicitTLS, let tlsContext {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: host))
                    }
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            var session = Session(inbound: inbound.makeAsyncIterator(), outbound: outbound, timeout: settings.timeout,
                                  channel: channel.channel)
            try await session.expect("greeting", 220)
            var features = try await session.command("EHLO baton", expect: 250)
            if settings.security == .starttls {
                guard features.lines.contains(where: { $0.uppercased().hasPrefix("STARTTLS") }) else {
                    throw SMTPError.refused(command: "STARTTLS", reply: SMTPReply(code: 0, lines: ["the server does not offer STARTTLS"]))
                }
                _ = try await session.command("STARTTLS", expect: 220)
                guard let tlsContext else { throw SMTPError.settings("no TLS context") }
                let raw = channel.channel
                // the handler is made and added on the channel's own event loop (it is not Sendable)
                try await raw.eventLoop.submit {
                    try raw.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tlsContext, serverHostname: host),
                                                               position: .first)
                }.get()
                features = try await session.command("EHLO baton", expect: 250)
            }
            if let username = settings.username {
                let secret = Data("\0\(username)\0\(settings.password ?? "")".utf8).base64EncodedString()
                _ = try await session.command("AUTH PLAIN \(secret)", expect: 235, shown: "AUTH PLAIN")
            }
            _ = try await session.command("MAIL FROM:<\(MailMessage.address(message.from))>", expect: 250)
            _ = try await session.command("RCPT TO:<\(MailMessage.address(message.to))>", expect: 250, 251)
            _ = try await session.command("DATA", expect: 354)
            let body = MailMessage.dotStuffed(message.rendered(boundary: "baton-" + UUID().uuidString.lowercased()))
            _ = try await session.command(body + ".", expect: 250, shown: "the message")
            _ = try? await session.command("QUIT", expect: 221)
        }
    }

    /// Reads replies line by line and sends commands, each answer within the timeout.
    private struct Session {
        var inbound: NIOAsyncChannelInboundStream<ByteBuffer>.AsyncIterator
        let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
        let timeout: Int
        let channel: any Channel
        var pending: [UInt8] = []
        var lines: [String] = []

        mutating func command(_ line: String, expect codes: Int..., shown: String? = nil) async throws -> SMTPReply {
            try await outbound.write(ByteBuffer(string: line + "\r\n"))
            return try await expect(shown ?? String(line.prefix(40)), codes)
        }

        mutating func expect(_ step: String, _ codes: Int...) async throws { _ = try await expect(step, codes) }

        mutating func expect(_ step: String, _ codes: [Int]) async throws -> SMTPReply {
            let reply = try await read(step)
            guard codes.contains(reply.code) else { throw SMTPError.refused(command: step, reply: reply) }
            return reply
        }

        private mutating func read(_ step: String) async throws -> SMTPReply {
            let deadline = ContinuousClock.now + .seconds(timeout) - .milliseconds(50)
            while true {
                if let (reply, used) = SMTPReply.parse(lines) {
                    lines.removeFirst(used)
                    return reply
                }
                // a server that says nothing in time: the connection is closed, which ends the read
                let channel = self.channel
                let watchdog = channel.eventLoop.scheduleTask(deadline: .now() + .seconds(Int64(timeout))) { channel.close(promise: nil) }
                let chunk = try await inbound.next()
                watchdog.cancel()
                guard chunk != nil || ContinuousClock.now < deadline else { throw SMTPError.timeout(step) }
                guard let chunk else { throw SMTPError.closed(step) }
                pending += chunk.readableBytesView
                while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                    var line = Array(pending[..<end])
                    if line.last == UInt8(ascii: "\r") { line.removeLast() }
                    lines.append(String(decoding: line, as: UTF8.self))
                    pending.removeFirst(end + 1)
                }
            }
        }
    }
}
