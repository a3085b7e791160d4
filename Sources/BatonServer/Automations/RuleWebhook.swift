import AsyncHTTPClient
import Fluent
import Foundation
import NIOCore
import NIOPosix
import Vapor
import BatonCore

/// A rule's outgoing webhook: the task as JSON, posted by a durable job (retried with backoff),
/// signed `Baton-Signature: sha256=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>` with the
/// `Baton-Timestamp` it was sent at, so a receiver can check both origin and freshness.
enum RuleWebhook {
    static let attempts = 6

    struct Body: Encodable {
        struct RuleRef: Encodable { let id: String; let name: String }
        struct TaskRef: Encodable {
            let id: String
            let title: String
            let stage: String
            let priority: String
            let assigneeID: String?
            let delegatorID: String?
            let dueAt: String?
            let blocked: Bool
            let url: String

            enum CodingKeys: String, CodingKey {
                case id, title, stage, priority, blocked, url
                case assigneeID = "assignee_id", delegatorID = "delegator_id", dueAt = "due_at"
            }
        }
        let rule: RuleRef
        let occasion: String
        let sentAt: String
        let task: TaskRef

        enum CodingKeys: String, CodingKey { case rule, occasion, task, sentAt = "sent_at" }
    }

    static func body(rule: Rule, task: WorkTask, facts: RuleFacts, occasion: String, at now: Date) throws -> String {
        let body = Body(
            rule: .init(id: try rule.requireID().uuidString.lowercased(), name: rule.name), occasion: occasion, sentAt: BatonDate.iso(now),
            task: .init(id: try task.requireID().uuidString.lowercased(), title: task.title, stage: facts.display["stage"] ?? "",
                        priority: task.priority.rawValue, assigneeID: task.assigneeID?.uuidString.lowercased(),
                        delegatorID: task.delegatorID?.uuidString.lowercased(), dueAt: task.dueAt.map(BatonDate.iso),
                        blocked: task.blocked, url: facts.display["link"] ?? ""))
        return String(decoding: try JSONEncoder.sorted.encode(body), as: UTF8.self)
    }

    static func signature(secret: String, timestamp: String, body: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data("\(timestamp).\(body)".utf8), using: SymmetricKey(data: Data(secret.utf8)))
        return "sha256=" + code.map { String(format: "%02x", $0) }.joined()
    }

    static let job = JobDefinition(kind: .ruleWebhook) { job, app in
        guard let ruleID = job.payload["rule_id"].flatMap(UUID.init(uuidString:)), let index = job.payload["action"].flatMap(Int.init),
              let url = job.payload["url"], let body = job.payload["body"], let runKey = job.payload["run_key"] else { return }
        // The secret stays in the rule: a job row never holds it.
        guard let rule = try await Rule.find(ruleID, on: app.store.reader),
              let action = try? rule.definition.actions[safe: index], action.type == .webhook, action.url == url,
              let secret = action.secret else {
            app.logger.info("webhook of a rule since changed or deleted: not sent", metadata: ["rule": "\(ruleID)"])
            return
        }
        do {
            try await send(url: url, body: body, secret: secret, delivery: Secret.hash("\(runKey):\(index)"), app: app)
        } catch {
            let message = RuleFailure.describing(error) ?? String(describing: error)
            let final = job.attempts >= job.maxAttempts || error is RuleFailure
            if final { try await RuleRunner.recordFailure(rule: rule, key: "\(runKey):webhook:\(index)", occasion: "webhook", depth: 0,
                                                           taskID: nil, message: "Webhook to \(URL(string: url)?.host ?? url): \(message)", app: app) }
            if error is RuleFailure { return }
            throw error
        }
    }

    /// `delivery` is the same on every attempt: a receiver that answered too late can tell a retry.
    private static func send(url: String, body: String, secret: String, delivery: String, app: Application) async throws {
        guard let parsed = URL(string: url), let host = parsed.host else { throw RuleFailure("the address is not valid.") }
        if !app.batonConfig.webhooksMayReachPrivateHosts {
            let addresses = try await resolve(host: host, port: parsed.port ?? (parsed.scheme == "https" ? 443 : 80), app: app)
            if addresses.isEmpty { throw WebhookError("could not resolve \(host)") }
            if addresses.contains(where: WebhookAddress.isPrivate) {
                throw RuleFailure("\(host) is a private or local address; webhooks go to the public internet only.")
            }
        }
        let timestamp = String(Int(app.clock.now().timeIntervalSince1970))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "Baton-Webhook/1")
        request.headers.add(name: "Baton-Timestamp", value: timestamp)
        request.headers.add(name: "Baton-Delivery", value: String(delivery.prefix(32)))
        request.headers.add(name: "Baton-Signature", value: signature(secret: secret, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(string: body))
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
        let client = HTTPClient(eventLoopGroup: app.eventLoopGroup, configuration: configuration)
        do {
            let response = try await client.execute(request, timeout: .seconds(15))
            try await client.shutdown()
            guard (200..<300).contains(Int(response.status.code)) else { throw WebhookError("the receiver answered \(response.status.code)") }
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// The host's addresses as text, looked up off the event loops.
    private static func resolve(host: String, port: Int, app: Application) async throws -> [String] {
        // A literal address goes through getaddrinfo too, which writes it the one canonical way
        // (`0:0:0:0:0:0:0:1` becomes `::1`) before it is judged.
        let host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        return try await app.threadPool.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let info = cursor {
                if let address = info.pointee.ai_addr,
                   let socket = try? SocketAddress(addressFor: address, length: info.pointee.ai_addrlen), let ip = socket.ipAddress {
                    addresses.append(ip)
                }
                cursor = info.pointee.ai_next
            }
            return addresses
        }
    }
}

struct WebhookError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension SocketAddress {
    init(addressFor pointer: UnsafeMutablePointer<sockaddr>, length: socklen_t) throws {
        switch Int32(pointer.pointee.sa_family) {
        case AF_INET:
            self = pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
        case AF_INET6:
            self = pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { SocketAddress($0.pointee, host: "") }
        default:
            throw WebhookError("unknown address family")
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
