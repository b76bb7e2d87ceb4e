import Foundation

/// One try of an HTTP call, for the trace. Every string in it has passed through `Redaction`.
struct HTTPAttempt: Sendable, Equatable, CustomStringConvertible {
    /// 1-based.
    var number: Int
    var method: String
    var url: String
    /// nil when no response came (see `failure`).
    var status: Int?
    var failure: String?
    var retryAfter: String?
    /// The response's `x-ratelimit-*` headers (names lower-cased, values redacted): what the
    /// server says is left of its limits, for the shared `RateLimiter`.
    var rateLimitHeaders: [String: String]
    var latency: Duration
    /// The wait before the next try; nil when this was the last one.
    var nextDelay: Duration?

    init(number: Int, method: String, url: String, status: Int? = nil, failure: String? = nil, retryAfter: String? = nil,
                rateLimitHeaders: [String: String] = [:], latency: Duration = .zero, nextDelay: Duration? = nil)
    {
        self.number = number
        self.method = method
        self.url = url
        self.status = status
        self.failure = failure
        self.retryAfter = retryAfter
        self.rateLimitHeaders = rateLimitHeaders
        self.latency = latency
        self.nextDelay = nextDelay
    }

    /// `attempt 2: POST https://… → HTTP 429 (Retry-After 3); retrying in 3.0 s`
    var description: String {
        var text = "attempt \(number): \(method) \(url) → " + (status.map { "HTTP \($0)" } ?? "failed: \(failure ?? "unknown")")
        if let retryAfter { text += " (Retry-After \(retryAfter))" }
        if let nextDelay {
            text += "; retrying in " + String(format: "%.1f s", nextDelay.totalSeconds)
        }
        return text
    }
}

/// What a call through `RetryingHTTPClient` came to: every attempt, then the last answer.
struct HTTPExchange: Sendable {
    var attempts: [HTTPAttempt]
    /// The last attempt's response (of any status) or failure.
    var result: Result<HTTPResponse, HTTPFailure>

    init(attempts: [HTTPAttempt], result: Result<HTTPResponse, HTTPFailure>) {
        self.attempts = attempts
        self.result = result
    }
}

/// What a call does while it waits to retry (`RetryingHTTPClient.capturingAttempts(_:waiting:call:)`):
/// `begin` before the wait, `end` after it, always in pairs. A caller holding a concurrency slot
/// hands it back for the wait, so a call sitting out a `Retry-After` does not keep others from
/// the server (see `RetryWait.freeing(_:pacedBy:)`).
struct RetryWait: Sendable {
    var begin: @Sendable () async -> Void
    var end: @Sendable () async -> Void

    init(begin: @escaping @Sendable () async -> Void, end: @escaping @Sendable () async -> Void) {
        self.begin = begin
        self.end = end
    }
}

/// Wraps a transport with the retry rules shared by every provider: network errors, timeouts,
/// 429 and 5xx are tried again after `policy`'s delay (the server's `Retry-After` when given);
/// other statuses are returned at once. Every attempt is recorded, redacted.
struct RetryingHTTPClient: HTTPClient {
    /// Told of each attempt as it ends, so the caller can trace it against its own call (panel,
    /// stage) without the provider knowing about either:
    /// `RetryingHTTPClient.observingAttempts({ … }) { await provider.generate(…) }`.
    static var attemptObserver: (@Sendable (HTTPAttempt) -> Void)? { observerKey.get()?.observe }

    /// Runs one provider call with `observer` told of every HTTP attempt made inside it; its
    /// failure comes back as a value, so callers can trace it before deciding what it means.
    /// `waiting`, when given, is told when the call starts and stops waiting to retry.
    static func capturingAttempts<Value: Sendable>(
        _ observer: @escaping @Sendable (HTTPAttempt) -> Void, waiting: RetryWait? = nil, call: () async throws(ProviderError) -> Value
    ) async -> Result<Value, ProviderError> {
        await waitKey.withValue(waiting) {
            await observingAttempts(observer) { () async -> Result<Value, ProviderError> in
                do throws(ProviderError) { return .success(try await call()) } catch { return .failure(error) }
            }
        }
    }

    private static let waitKey = TaskLocal<RetryWait?>(wrappedValue: nil)

    /// A task-local made by hand, holding a struct: the `@TaskLocal` macro form with an optional
    /// function type crashed release builds in `swift_task_localValuePush`.
    private static let observerKey = TaskLocal<AttemptObserver?>(wrappedValue: nil)

    struct AttemptObserver: Sendable {
        let observe: @Sendable (HTTPAttempt) -> Void
    }

    /// Runs `operation` with `observer` told of every HTTP attempt made inside it.
    static func observingAttempts<Result: Sendable>(_ observer: @escaping @Sendable (HTTPAttempt) -> Void,
                                                           _ operation: () async throws -> Result) async rethrows -> Result
    {
        try await observerKey.withValue(AttemptObserver(observe: observer), operation: operation)
    }

    var base: any HTTPClient
    var policy: RetryPolicy
    var redaction: Redaction
    /// Waits between attempts; throws when cancelled. Tests inject one that returns at once.
    var sleep: @Sendable (Duration) async throws -> Void
    /// Where a response says when to come back: the `Retry-After` header, unless a provider
    /// knows a better place (Gemini puts it in the body).
    var retryAfter: @Sendable (HTTPResponse) -> String? = { $0.headers["retry-after"] }

    init(_ base: any HTTPClient, policy: RetryPolicy = RetryPolicy(), redaction: Redaction = Redaction(),
                sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) })
    {
        self.base = base
        self.policy = policy
        self.redaction = redaction
        self.sleep = sleep
    }

    /// The last response, of any status; throws only when the last attempt got no response.
    func send(_ request: HTTPRequest) async throws(HTTPFailure) -> HTTPResponse {
        try await execute(request).result.get()
    }

    /// `url` for the record, without its query: signed download links carry tokens there.
    static func traceable(_ url: URL) -> String {
        guard var parts = URLComponents(url: url, resolvingAgainstBaseURL: false), parts.query != nil else { return url.absoluteString }
        parts.query = nil
        return (parts.url?.absoluteString ?? "") + "?…"
    }

    /// Sends `request` until it succeeds, fails for good, or runs out of attempts.
    func execute(_ request: HTTPRequest) async -> HTTPExchange {
        var attempts: [HTTPAttempt] = []
        let url = redaction.redact(Self.traceable(request.url))
        let clock = ContinuousClock()
        while true {
            let number = attempts.count + 1
            let started = clock.now
            let result: Result<HTTPResponse, HTTPFailure>
            if Task.isCancelled {
                result = .failure(HTTPFailure(.cancelled, "cancelled before attempt \(number)"))
            } else {
                do throws(HTTPFailure) { result = .success(try await base.send(request)) } catch { result = .failure(error) }
            }
            var attempt = HTTPAttempt(number: number, method: request.method, url: url, latency: clock.now - started)
            let retryable: Bool
            var retryAfter: String?
            switch result {
            case .success(let response):
                attempt.status = response.status
                retryAfter = self.retryAfter(response)
                attempt.retryAfter = retryAfter.map(redaction.redact)
                attempt.rateLimitHeaders = response.headers.filter { $0.key.hasPrefix("x-ratelimit-") }.mapValues(redaction.redact)
                retryable = policy.shouldRetry(status: response.status)
            case .failure(let failure):
                attempt.failure = redaction.redact(failure.description)
                retryable = policy.shouldRetry(failure)
            }
            if retryable, number < policy.maxAttempts {
                let wait = policy.delay(attempt: number, retryAfter: retryAfter)
                // Coming back before the server asked would only be refused again: give up instead.
                if wait <= max(policy.maxRetryAfter, policy.maxDelay) { attempt.nextDelay = wait }
            }
            attempts.append(attempt)
            Self.attemptObserver?(attempt)
            guard let wait = attempt.nextDelay else { return HTTPExchange(attempts: attempts, result: result) }
            let waiting = Self.waitKey.get()
            await waiting?.begin()
            do {
                try await sleep(wait)
            } catch {
                await waiting?.end()
                return HTTPExchange(attempts: attempts, result: .failure(HTTPFailure(.cancelled, "cancelled while waiting to retry")))
            }
            await waiting?.end()
        }
    }
}
