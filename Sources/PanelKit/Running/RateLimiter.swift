import Foundation

/// Spaces the calls of a run (text and image alike: one limiter is shared by all of them) and
/// adapts to what the server says.
///
/// - **A configured rate** (`rpm`): each call takes the next free slot, `60 / rpm` seconds after
///   the one before (a token bucket holding one token). Without one, calls are not spaced.
/// - **The provider's headers** pace before any 429: `x-ratelimit-remaining-requests` 0 (or
///   `-tokens` 0) holds every new call until `x-ratelimit-reset-requests` (`-tokens`) has passed;
///   when requests remain but, at the rate calls are going out, would run out before the reset,
///   the calls are spread over the reset time (`reset / remaining` apart).
/// - **429s**: a lone 429 slows nobody (the call itself waits out its `Retry-After` and tries
///   again). Only when 429s are a sustained share of the recent answers (at least
///   `sustainedShare` of the last `window`, 15 of 50 by default) is the rate halved for
///   everyone: from the configured rate, or, without one, from the rate calls were actually
///   sent at (counted over the time actually elapsed, at most the last 10 s). Then the window
///   starts afresh, and at most one halving per `slowDownGap` (2 s). The floor is a sixteenth of
///   that reference rate (at least 1 a minute).
/// - **Recovery** is additive per success: each 2xx adds `1 / recoverySuccesses` (a tenth) of the
///   reference rate back, so ten answers undo a halving, within seconds at any useful rate; at the
///   reference rate a configured limit stays there, and a limit the 429s started is lifted.
///
/// Every entry point takes an optional instant (`at:`), so tests can drive it with their own
/// clock; the defaults read `ContinuousClock.now`.
actor RateLimiter {
    typealias Instant = ContinuousClock.Instant

    /// The configured spacing; zero for no limit.
    private let configured: Duration
    /// The spacing in force after 429s (zero: the configured one, or none).
    private var interval: Duration
    /// Calls a minute the recovery heads back to (configured, or where the 429s began); 0 before any slow-down.
    private var reference: Double = 0
    private var nextSlot: Instant
    /// From `x-ratelimit-*` headers: no call starts before this.
    private var pausedUntil: Instant?
    /// From `x-ratelimit-*` headers: the spacing that spreads what remains over the reset time, until `spreadUntil`.
    private var spread: Duration = .zero
    private var spreadUntil: Instant?
    /// The slots calls were given, over the last 10 s at most (the observed rate).
    private var started: [Instant] = []
    /// The latest answers, true for a 429 (a ring of `window`).
    private var answers: [Bool] = []
    private var answerIndex = 0
    private var lastSlowDown: Instant?

    nonisolated let window: Int
    nonisolated let sustainedShare: Double
    nonisolated let slowDownGap: Duration
    nonisolated let recoverySuccesses: Int
    /// false: a plain token bucket that ignores 429s and headers.
    nonisolated let adaptive: Bool
    /// How often sustained 429s halved the rate (for the summary and tests).
    private(set) var slowDowns = 0
    /// How often the provider's headers held calls back (remaining 0).
    private(set) var headerPauses = 0

    /// nil or 0 means no limit (until the server says otherwise).
    init(rpm: Int?, adaptive: Bool = true, window: Int = 50, sustainedShare: Double = 0.3, slowDownGap: Duration = .seconds(2),
                recoverySuccesses: Int = 10)
    {
        self.adaptive = adaptive
        configured = (rpm ?? 0) > 0 ? Self.spacing(rpm: Double(rpm!)) : .zero
        interval = configured
        nextSlot = ContinuousClock.now
        self.window = max(1, window)
        self.sustainedShare = min(max(sustainedShare, 0), 1)
        self.slowDownGap = slowDownGap
        self.recoverySuccesses = max(1, recoverySuccesses)
    }

    /// Calls a minute now allowed by the configured rate and 429s; nil when there is no limit.
    var currentRPM: Double? {
        interval > .zero ? 60 / interval.totalSeconds : nil
    }

    /// Waits for this call's slot.
    func acquire() async {
        let now = ContinuousClock.now
        let slot = reserve(at: now)
        if slot > now { try? await Task.sleep(until: slot, clock: ContinuousClock()) }
    }

    /// Takes the next slot for a call that wants to start at `now`, and returns when it may.
    func reserve(at now: Instant = .now) -> Instant {
        if started.count > 2048 { started.removeFirst(1024) }
        if let first = started.first, now - first > .seconds(10) { started.removeAll { now - $0 > .seconds(10) } }
        var slot = max(now, pausedUntil ?? now)
        var spacing = interval
        if let spreadUntil, slot < spreadUntil { spacing = max(spacing, spread) }
        if spacing > .zero {
            slot = max(slot, nextSlot)
            nextSlot = slot.advanced(by: spacing)
        }
        started.append(slot)
        return slot
    }

    /// What one HTTP attempt says about the server: its rate-limit headers, and its status
    /// (a 429 or a 2xx; other answers only count towards the share of 429s).
    func observe(_ attempt: HTTPAttempt, at now: Instant = .now) {
        guard adaptive, let status = attempt.status else { return }
        readHeaders(attempt.rateLimitHeaders, at: now)
        record(status == 429)
        if status == 429 {
            if sustained { slowDown(at: now) }
        } else if (200...299).contains(status) {
            succeeded()
        }
    }

    /// 429s are a sustained share of the recent answers, not noise.
    var sustained: Bool {
        answers.count(where: { $0 }) >= max(1, Int((sustainedShare * Double(window)).rounded(.up)))
    }

    private func record(_ refused: Bool) {
        if answers.count < window {
            answers.append(refused)
        } else {
            answers[answerIndex] = refused
            answerIndex = (answerIndex + 1) % window
        }
    }

    /// Halve the rate for everyone (at most once per `slowDownGap`), then judge afresh.
    private func slowDown(at now: Instant) {
        if let lastSlowDown, now - lastSlowDown < slowDownGap { return }
        lastSlowDown = now
        answers.removeAll()
        answerIndex = 0
        slowDowns += 1
        let rate: Double
        if interval > .zero {
            rate = 60 / interval.totalSeconds
        } else {
            rate = observedRPM(at: now)
        }
        if reference == 0 { reference = configured > .zero ? 60 / configured.totalSeconds : rate }
        let slower = max(rate / 2, reference / 16, 1)
        interval = Self.spacing(rpm: slower)
        // Calls already given a slot keep it; the next ones are spaced at the new rate.
        nextSlot = max(nextSlot, now.advanced(by: interval))
    }

    /// Calls a minute started over the last 10 s at most, over the time that actually passed
    /// since the first of them (at least 100 ms).
    private func observedRPM(at now: Instant) -> Double {
        let recent = started.filter { $0 <= now && now - $0 <= .seconds(10) }
        guard let first = recent.first else { return 60 }
        let elapsed = max((now - first).totalSeconds, 0.1)
        return Double(recent.count) * 60 / elapsed
    }

    /// A 2xx: one step of the way back to the reference rate.
    private func succeeded() {
        guard reference > 0, interval > .zero else { return }
        let faster = 60 / interval.totalSeconds + reference / Double(recoverySuccesses)
        if faster < reference {
            interval = Self.spacing(rpm: faster)
        } else {
            interval = configured
            reference = 0
        }
    }

    /// `x-ratelimit-remaining-*` and `x-ratelimit-reset-*`, for requests and for tokens.
    private func readHeaders(_ headers: [String: String], at now: Instant) {
        for kind in ["requests", "tokens"] {
            guard let remainingText = headers["x-ratelimit-remaining-\(kind)"],
                  let remaining = Double(remainingText.trimmingCharacters(in: .whitespaces)), let resetText = headers["x-ratelimit-reset-\(kind)"], let reset = Self.parseReset(resetText)
            else { continue }
            let until = now.advanced(by: reset)
            if remaining < 1 {
                if pausedUntil.map({ $0 < until }) ?? true {
                    pausedUntil = until
                    headerPauses += 1
                }
            } else if kind == "requests" {
                // A later header replaces this one: spread what remains over the time until the
                // reset only when, at the rate calls are going out, it would not last that long.
                let needed = observedRPM(at: now) / 60 * reset.totalSeconds
                spread = needed > remaining ? reset / remaining : .zero
                spreadUntil = needed > remaining ? until : nil
            }
        }
    }

    /// A reset time as OpenAI writes it (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) or plain seconds; nil when unreadable.
    static func parseReset(_ text: String) -> Duration? {
        let value = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Double(value) { return seconds.isFinite && seconds >= 0 ? .seconds(seconds) : nil }
        let units: [(String, Double)] = [("ms", 0.001), ("us", 0.000_001), ("µs", 0.000_001), ("ns", 1e-9), ("h", 3600), ("m", 60), ("s", 1)]
        var rest = Substring(value)
        var total = 0.0
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let number = rest.prefix { $0.isNumber || $0 == "." }
            guard let amount = Double(number) else { return nil }
            rest = rest.dropFirst(number.count)
            guard let unit = units.first(where: { rest.hasPrefix($0.0) }) else { return nil }
            rest = rest.dropFirst(unit.0.count)
            total += amount * unit.1
        }
        return .seconds(total)
    }

    private static func spacing(rpm: Double) -> Duration { .nanoseconds(Int64(60_000_000_000 / max(rpm, 1e-9))) }
}

extension RetryWait {
    /// A call holding one of `semaphore`'s slots gives it back while it waits to retry (a call
    /// sitting out a `Retry-After` is not in flight), then takes a slot and, when there is a
    /// limiter, the limiter's next slot again: a retry is paced like any other call.
    static func freeing(_ semaphore: AsyncSemaphore, pacedBy limiter: RateLimiter?) -> RetryWait {
        RetryWait(begin: { await semaphore.release() }, end: {
            await semaphore.acquire()
            await limiter?.acquire()
        })
    }
}
