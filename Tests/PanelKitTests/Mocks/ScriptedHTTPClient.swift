import Foundation
@testable import PanelKit
import Testing

/// An `HTTPClient` that answers from a script, in order, records every request, and fails
/// loudly when asked more often than the script allows.
final class ScriptedHTTPClient: HTTPClient, @unchecked Sendable {
    private let lock = NSLock()
    private var script: [Result<HTTPResponse, HTTPFailure>]
    private var received: [HTTPRequest] = []

    init(_ script: [Result<HTTPResponse, HTTPFailure>]) { self.script = script }

    var requests: [HTTPRequest] { lock.withLock { received } }
    var callCount: Int { lock.withLock { received.count } }

    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        let next = lock.withLock { () -> Result<HTTPResponse, HTTPFailure>? in
            received.append(request)
            return script.isEmpty ? nil : script.removeFirst()
        }
        guard let next else {
            Issue.record("unexpected request \(request.method) \(request.url.absoluteString)")
            throw HTTPFailure(.network, "no scripted answer left")
        }
        return try next.get()
    }
}

extension Result where Success == HTTPResponse, Failure == HTTPFailure {
    /// A response with `status`, an optional `Retry-After`, and a small JSON body.
    static func status(_ status: Int, retryAfter: String? = nil, body: String = "{}") -> Self {
        .success(HTTPResponse(status: status, headers: retryAfter.map { ["Retry-After": $0] } ?? [:], body: Array(body.utf8)))
    }
}

/// Records the waits a `RetryingHTTPClient` asks for, without waiting.
final class SleepRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var waits: [Duration] = []

    var durations: [Duration] { lock.withLock { waits } }
    var sleep: @Sendable (Duration) async throws -> Void {
        { [self] duration in lock.withLock { waits.append(duration) } }
    }
}

/// Collects what `RetryingHTTPClient.attemptObserver` reports.
final class AttemptLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [HTTPAttempt] = []

    var attempts: [HTTPAttempt] { lock.withLock { items } }
    var observer: @Sendable (HTTPAttempt) -> Void { { [self] attempt in lock.withLock { items.append(attempt) } } }
}
