import Foundation

/// Spaces calls to at most `rpm` a minute: each call takes the next free slot, `60 / rpm`
/// seconds after the one before (a token bucket holding one token).
public actor RateLimiter {
    private var interval: Duration
    private var nextSlot: ContinuousClock.Instant
    private let clock = ContinuousClock()

    /// nil or 0 means no limit.
    public init(rpm: Int?) {
        interval = (rpm ?? 0) > 0 ? .nanoseconds(Int64(60_000_000_000 / Double(rpm!))) : .zero
        nextSlot = ContinuousClock.now
    }

    /// Waits for this call's slot.
    public func acquire() async {
        guard interval > .zero else { return }
        let now = clock.now
        let slot = max(nextSlot, now)
        nextSlot = slot.advanced(by: interval)
        if slot > now { try? await Task.sleep(until: slot, clock: clock) }
    }
}
