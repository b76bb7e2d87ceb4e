import Foundation
@testable import PanelKit
import Testing

@Suite("RetryPolicy: backoff, jitter and Retry-After")
struct RetryPolicyTests {
    @Test("Without jitter the waits are 1, 2, 4, 8, 16 s, then stay at the cap")
    func backoff() {
        let policy = RetryPolicy(jitter: 0)
        #expect((1...7).map { policy.delay(attempt: $0, retryAfter: nil) }
            == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(16), .seconds(16), .seconds(16)])
        #expect(policy.maxAttempts == 5)
    }

    @Test("Seeded jitter repeats, stays within its share, and never passes the nominal wait")
    func jitter() {
        let seeded = RetryPolicy(jitter: 0.2, seed: 42)
        let first = (1...6).map { seeded.delay(attempt: $0, retryAfter: nil) }
        #expect(first == (1...6).map { seeded.delay(attempt: $0, retryAfter: nil) })
        for (index, wait) in first.enumerated() {
            let nominal = Duration.seconds(min(1 << index, 16))
            #expect(wait <= nominal && wait >= nominal * 0.8, "attempt \(index + 1): \(wait)")
        }
        #expect(first != (1...6).map { RetryPolicy(jitter: 0.2, seed: 43).delay(attempt: $0, retryAfter: nil) })
    }

    @Test("Retry-After in seconds replaces the backoff")
    func retryAfterSeconds() {
        let policy = RetryPolicy(jitter: 0)
        #expect(policy.delay(attempt: 1, retryAfter: "3") == .seconds(3))
        #expect(policy.delay(attempt: 4, retryAfter: " 0 ") == .zero)
        #expect(policy.delay(attempt: 2, retryAfter: "1.5") == .milliseconds(1500))
        #expect(policy.delay(attempt: 2, retryAfter: "soon") == .seconds(2), "unreadable: back off as usual")
        #expect(policy.delay(attempt: 2, retryAfter: "-4") == .seconds(2))
    }

    @Test("Retry-After as an HTTP-date, in all three formats; a past date waits zero")
    func retryAfterDate() {
        let policy = RetryPolicy(jitter: 0)
        let now = Date(timeIntervalSince1970: 784_111_767)  // Sun, 06 Nov 1994 08:49:27 GMT
        #expect(policy.delay(attempt: 1, retryAfter: "Sun, 06 Nov 1994 08:49:37 GMT", now: now) == .seconds(10))
        #expect(policy.delay(attempt: 1, retryAfter: "Sunday, 06-Nov-94 08:49:57 GMT", now: now) == .seconds(30))
        #expect(policy.delay(attempt: 1, retryAfter: "Sun Nov  6 08:50:27 1994", now: now) == .seconds(60))
        #expect(policy.delay(attempt: 3, retryAfter: "Sun, 06 Nov 1994 08:00:00 GMT", now: now) == .zero)
    }
}

@Suite("RetryingHTTPClient: what is retried, how often, and what is recorded")
struct RetryingHTTPClientTests {
    let request = HTTPRequest(method: "POST", url: URL(string: "https://api.example.test/v1/images/generations")!)

    @Test("429 and 500 are retried until a success", arguments: [429, 500, 503])
    func retriesTransientStatuses(status: Int) async throws {
        let client = ScriptedHTTPClient([.status(status), .status(status), .status(200)])
        let sleeps = SleepRecorder()
        let exchange = await instantRetries(client, sleeps: sleeps).execute(request)
        #expect(client.callCount == 3)
        #expect(try exchange.result.get().status == 200)
        #expect(sleeps.durations == [.seconds(1), .seconds(2)])
        #expect(exchange.attempts.map(\.status) == [status, status, 200])
        #expect(exchange.attempts.map(\.nextDelay) == [.seconds(1), .seconds(2), nil])
    }

    @Test("Other 4xx are answered at once", arguments: [400, 401, 403, 404, 422])
    func neverRetriesClientErrors(status: Int) async throws {
        let client = ScriptedHTTPClient([.status(status)])
        let sleeps = SleepRecorder()
        let response = try await instantRetries(client, sleeps: sleeps).send(request)
        #expect(response.status == status)
        #expect(client.callCount == 1)
        #expect(sleeps.durations.isEmpty)
    }

    @Test("Retry-After is honoured instead of the backoff")
    func honoursRetryAfter() async throws {
        let client = ScriptedHTTPClient([.status(429, retryAfter: "3"), .status(503, retryAfter: "0"), .status(200)])
        let sleeps = SleepRecorder()
        let exchange = await instantRetries(client, sleeps: sleeps).execute(request)
        #expect(sleeps.durations == [.seconds(3), .zero])
        #expect(exchange.attempts.map(\.retryAfter) == ["3", "0", nil])
    }

    @Test("A Retry-After beyond the longest wait allowed gives up instead of coming back early")
    func longRetryAfter() async throws {
        let client = ScriptedHTTPClient([.status(429, retryAfter: "3600")])
        let exchange = await instantRetries(client).execute(request)
        #expect(client.callCount == 1)
        #expect(try exchange.result.get().status == 429)
        #expect(exchange.attempts.first?.nextDelay == nil)
    }

    @Test("Five tries in all, then the last answer")
    func exhausts() async throws {
        let client = ScriptedHTTPClient(Array(repeating: .status(502), count: 5))
        let sleeps = SleepRecorder()
        let exchange = await instantRetries(client, sleeps: sleeps).execute(request)
        #expect(client.callCount == 5)
        #expect(try exchange.result.get().status == 502)
        #expect(exchange.attempts.map(\.number) == [1, 2, 3, 4, 5])
        #expect(sleeps.durations == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
    }

    @Test("Network errors and timeouts are retried; cancellation is not")
    func failures() async throws {
        let flaky = ScriptedHTTPClient([.failure(HTTPFailure(.network, "connection reset")), .failure(HTTPFailure(.timeout, "timed out")), .status(200)])
        let exchange = await instantRetries(flaky).execute(request)
        #expect(flaky.callCount == 3)
        #expect(exchange.attempts.map(\.failure) == ["network: connection reset", "timeout: timed out", nil])

        let cancelled = ScriptedHTTPClient([.failure(HTTPFailure(.cancelled, "cancelled"))])
        let outcome = await instantRetries(cancelled).execute(request)
        #expect(cancelled.callCount == 1)
        #expect(throws: HTTPFailure.self) { try outcome.result.get() }
    }

    @Test("A cancelled wait ends the call as cancelled")
    func cancelledWait() async {
        let client = ScriptedHTTPClient([.status(500)])
        let retrying = RetryingHTTPClient(client, policy: RetryPolicy(jitter: 0)) { _ in throw CancellationError() }
        let exchange = await retrying.execute(request)
        guard case .failure(let failure) = exchange.result else { Issue.record("expected a failure"); return }
        #expect(failure.kind == .cancelled)
        #expect(client.callCount == 1)
    }

    @Test("Every attempt reaches the task's observer as it ends")
    func observer() async {
        let client = ScriptedHTTPClient([.status(429, retryAfter: "1"), .status(200)])
        let log = AttemptLog()
        let exchange = await RetryingHTTPClient.observingAttempts(log.observer) {
            await instantRetries(client).execute(request)
        }
        #expect(log.attempts == exchange.attempts)
        #expect(log.attempts.map(\.description) == [
            "attempt 1: POST https://api.example.test/v1/images/generations → HTTP 429 (Retry-After 1); retrying in 1.0 s",
            "attempt 2: POST https://api.example.test/v1/images/generations → HTTP 200",
        ])
    }
}
