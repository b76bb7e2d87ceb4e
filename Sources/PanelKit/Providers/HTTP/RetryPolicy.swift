import Foundation

/// When and how long to wait before trying an HTTP call again: network errors, timeouts, 429
/// and 5xx, with exponential backoff (1, 2, 4, 8, 16 s cap, 5 tries) and jitter, honouring
/// `Retry-After`. Other 4xx are never retried.
struct RetryPolicy: Sendable, Equatable {
    var baseDelay: Duration
    var factor: Double
    var maxDelay: Duration
    /// Tries in all, the first included.
    var maxAttempts: Int
    /// The share of each backoff delay taken off at random (0 gives exactly 1, 2, 4, 8, 16 s), so
    /// calls that failed together do not come back together. It never lengthens a delay.
    var jitter: Double
    /// Makes the jitter repeatable (tests, `--seed`); nil draws from the system generator.
    var seed: UInt64?
    /// A `Retry-After` longer than this is not waited for: the call gives up instead.
    var maxRetryAfter: Duration

    init(baseDelay: Duration = .seconds(1), factor: Double = 2, maxDelay: Duration = .seconds(16), maxAttempts: Int = 5,
                jitter: Double = 0.2, seed: UInt64? = nil, maxRetryAfter: Duration = .seconds(60))
    {
        self.baseDelay = baseDelay
        self.factor = factor
        self.maxDelay = maxDelay
        self.maxAttempts = max(1, maxAttempts)
        self.jitter = min(max(jitter, 0), 1)
        self.seed = seed
        self.maxRetryAfter = maxRetryAfter
    }

    /// A status worth another try: 429 and 5xx.
    func shouldRetry(status: Int) -> Bool { status == 429 || (500...599).contains(status) }

    /// A failure worth another try: everything but cancellation.
    func shouldRetry(_ failure: HTTPFailure) -> Bool { failure.kind != .cancelled }

    /// The wait after failed attempt number `attempt` (1-based): the server's `Retry-After` when
    /// it gives one (seconds or an HTTP-date), else the jittered backoff.
    func delay(attempt: Int, retryAfter: String?, now: Date = Date()) -> Duration {
        if let retryAfter, let wait = Self.parseRetryAfter(retryAfter, now: now) { return wait }
        let nominal = min(baseDelay.totalSeconds * pow(factor, Double(max(attempt, 1) - 1)), maxDelay.totalSeconds)
        return .seconds(nominal * (1 - jitter * unitRandom(attempt)))
    }

    /// `Retry-After` as a wait from `now`: delay-seconds, or an HTTP-date (IMF-fixdate, RFC 850 or
    /// asctime). nil when unreadable; a date in the past waits zero.
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let secondsValue = Double(text) {
            return secondsValue.isFinite && secondsValue >= 0 ? .seconds(secondsValue) : nil
        }
        let collapsed = text.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) {
                return .seconds(max(0, date.timeIntervalSince(now)))
            }
        }
        return nil
    }

    /// In [0, 1): from the seed and the attempt when seeded (same inputs, same delays).
    private func unitRandom(_ attempt: Int) -> Double {
        guard jitter > 0 else { return 0 }
        var bits: UInt64
        if let seed {
            // SplitMix64's output function over the seed and the attempt.
            bits = seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(truncatingIfNeeded: attempt &+ 1)
            bits = (bits ^ (bits >> 30)) &* 0xBF58_476D_1CE4_E5B9
            bits = (bits ^ (bits >> 27)) &* 0x94D0_49BB_1331_11EB
            bits ^= bits >> 31
        } else {
            var generator = SystemRandomNumberGenerator()
            bits = generator.next()
        }
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}
