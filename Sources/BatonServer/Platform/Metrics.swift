import NIOConcurrencyHelpers
import Vapor

/// Counters and a latency histogram, rendered in Prometheus text format at `/metrics`.
public final class BatonMetrics: Sendable {
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct RequestKey: Hashable { let method: String; let route: String; let status: UInt }
    private struct State {
        var requests: [RequestKey: Int] = [:]
        var bucketCounts = [Int](repeating: 0, count: BatonMetrics.latencyBuckets.count)
        var latencyCount = 0
        var latencySum = 0.0
        var jobs: [String: (run: Int, failed: Int)] = [:]
    }
    private let state = NIOLockedValueBox(State())

    func observe(method: String, route: String, status: UInt, seconds: Double) {
        state.withLockedValue { state in
            state.requests[RequestKey(method: method, route: route, status: status), default: 0] += 1
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
                state.bucketCounts[index] += 1
            }
            state.latencyCount += 1
            state.latencySum += seconds
        }
    }

    func jobFinished(kind: String, failed: Bool) {
        state.withLockedValue { state in
            var entry = state.jobs[kind] ?? (0, 0)
            entry.run += 1
            if failed { entry.failed += 1 }
            state.jobs[kind] = entry
        }
    }

    func render(liveSockets: Int) -> String {
        let snapshot = state.withLockedValue { $0 }
        var lines: [String] = []
        lines.append("# HELP baton_http_requests_total HTTP requests by route and status.")
        lines.append("# TYPE baton_http_requests_total counter")
        for (key, count) in snapshot.requests.sorted(by: { "\($0.key.route)\($0.key.status)" < "\($1.key.route)\($1.key.status)" }) {
            lines.append("baton_http_requests_total{method=\"\(key.method)\",route=\"\(escape(key.route))\",status=\"\(key.status)\"} \(count)")
        }
        lines.append("# HELP baton_http_request_duration_seconds HTTP request latency.")
        lines.append("# TYPE baton_http_request_duration_seconds histogram")
        for (index, bound) in Self.latencyBuckets.enumerated() {
            lines.append("baton_http_request_duration_seconds_bucket{le=\"\(bound)\"} \(snapshot.bucketCounts[index])")
        }
        lines.append("baton_http_request_duration_seconds_bucket{le=\"+Inf\"} \(snapshot.latencyCount)")
        lines.append("baton_http_request_duration_seconds_sum \(snapshot.latencySum)")
        lines.append("baton_http_request_duration_seconds_count \(snapshot.latencyCount)")
        lines.append("# HELP baton_jobs_run_total Jobs run, by kind.")
        lines.append("# TYPE baton_jobs_run_total counter")
        lines.append("# HELP baton_jobs_failed_total Job runs that failed, by kind.")
        lines.append("# TYPE baton_jobs_failed_total counter")
        for (kind, entry) in snapshot.jobs.sorted(by: { $0.key < $1.key }) {
            lines.append("baton_jobs_run_total{kind=\"\(kind)\"} \(entry.run)")
            lines.append("baton_jobs_failed_total{kind=\"\(kind)\"} \(entry.failed)")
        }
        lines.append("# HELP baton_live_sockets Open live WebSockets.")
        lines.append("# TYPE baton_live_sockets gauge")
        lines.append("baton_live_sockets \(liveSockets)")
        return lines.joined(separator: "\n") + "\n"
    }

    private func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// Times every request and counts it under its route pattern (never the raw path, which has ids in it).
struct MetricsMiddleware: AsyncMiddleware {
    func respond(to request: Request, chainingTo next: any AsyncResponder) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next.respond(to: request)
        } catch {
            record(request, status: BatonErrorMiddleware.classify(error).status.code, start: start)
            throw error
        }
        record(request, status: response.status.code, start: start)
        return response
    }

    private func record(_ request: Request, status: UInt, start: ContinuousClock.Instant) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let route = request.route.map { "/" + $0.path.map(\.description).joined(separator: "/") } ?? "unmatched"
        request.application.metrics.observe(method: request.method.rawValue, route: route, status: status, seconds: seconds)
    }
}

extension Application {
    private struct MetricsKey: StorageKey { typealias Value = BatonMetrics }
    public var metrics: BatonMetrics {
        if let metrics = storage[MetricsKey.self] { return metrics }
        let metrics = BatonMetrics()
        storage[MetricsKey.self] = metrics
        return metrics
    }
}
