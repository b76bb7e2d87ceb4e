import Foundation

/// Spaces calls to at most `rpm` a minute: each call takes the next free slot, `60 / rpm`
/// seconds after the one before (a token bucket holding one token).
///
/// Adaptive: one limiter is shared by every call of a run (text and image), and a 429 seen by
/// any of them (`slowDown()`) halves the rate for all, down to a floor of a quarter of where it was
/// (at least 1 a minute); without a configured `rpm`, the first 429 starts a limit at half the
/// rate of the last 10 seconds. At most one halving per `slowDownGap` (2 s), so a burst of 429s from
/// calls sent together counts once. Every `recoveryStep` successes (`succeeded()`) since the last
/// change raise the rate by 10%, until it is back at the configured `rpm` (or, without one, at
/// the rate where the 429s began, when the limit is lifted).
public actor RateLimiter {
    /// The configured spacing; zero for no limit.
    private let configured: Duration
    /// The spacing in force.
    private var interval: Duration
    /// The slowest spacing a slow-down may reach.
    private var ceiling: Duration = .zero
    /// Without a configured rpm: the spacing at which the limit is lifted again.
    private var liftAt: Duration = .zero
    private var nextSlot: ContinuousClock.Instant
    private let clock = ContinuousClock()
    private var recent: [ContinuousClock.Instant] = []
    private var lastSlowDown: ContinuousClock.Instant?
    private var successes = 0
    nonisolated let slowDownGap: Duration
    nonisolated let recoveryStep: Int
    /// How often a 429 slowed things down (for the summary and tests).
    private(set) var slowDowns = 0
    /// false: a plain token bucket that ignores 429s (tests that inject random 429s as noise).
    nonisolated let adaptive: Bool

    /// nil or 0 means no limit (until a 429).
    init(rpm: Int?, adaptive: Bool = true, slowDownGap: Duration = .seconds(2), recoveryStep: Int = 10) {
        self.adaptive = adaptive
        configured = (rpm ?? 0) > 0 ? .nanoseconds(Int64(60_000_000_000 / Double(rpm!))) : .zero
        interval = configured
        nextSlot = ContinuousClock.now
        self.slowDownGap = slowDownGap
        self.recoveryStep = max(1, recoveryStep)
    }

    /// Calls a minute now allowed; nil when there is no limit.
    var currentRPM: Double? {
        interval > .zero ? 60 / Self.seconds(interval) : nil
    }

    /// Waits for this call's slot.
    func acquire() async {
        let now = clock.now
        recent.append(now)
        if recent.count > 512 || (recent.first.map { now - $0 > .seconds(10) } ?? false) {
            recent.removeAll { now - $0 > .seconds(10) }
        }
        guard interval > .zero else { return }
        let slot = max(nextSlot, now)
        nextSlot = slot.advanced(by: interval)
        if slot > now { try? await Task.sleep(until: slot, clock: clock) }
    }

    /// A 429 was seen: halve the rate for everyone.
    func slowDown() {
        guard adaptive else { return }
        let now = clock.now
        if let lastSlowDown, now - lastSlowDown < slowDownGap { return }
        lastSlowDown = now
        successes = 0
        slowDowns += 1
        if interval == .zero {
            // No limit yet: start at the rate of the last 10 s, which the server refused.
            let window = recent.filter { now - $0 <= .seconds(10) }.count
            let observedRPM = max(Double(window) * 6, 2)
            liftAt = .nanoseconds(Int64(60_000_000_000 / observedRPM))
            interval = liftAt
            ceiling = min(liftAt * 4, .seconds(60))
        } else if ceiling == .zero {
            ceiling = min(max(interval, configured) * 4, .seconds(60))
        }
        interval = min(interval * 2, ceiling)
        // Calls already given a slot keep it; the next ones are spaced at the new rate.
        nextSlot = max(nextSlot, now.advanced(by: interval))
    }

    /// A call got an answer: after enough of them, speed up by 10% towards the configured rate.
    func succeeded() {
        guard interval > configured, interval > .zero else { return }
        successes += 1
        guard successes >= recoveryStep else { return }
        successes = 0
        let faster = interval / 1.1
        if configured > .zero {
            interval = max(faster, configured)
        } else if faster <= liftAt {
            interval = .zero
            ceiling = .zero
        } else {
            interval = faster
        }
    }

    /// What an attempt says about the server's load: 429 slows down, a 2xx counts towards recovery.
    func observe(status: Int?) {
        guard let status else { return }
        if status == 429 { slowDown() } else if (200...299).contains(status) { succeeded() }
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
