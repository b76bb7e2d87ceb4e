import Foundation
@testable import PanelKit
import Testing

/// The shared limiter driven by explicit instants: every answer and every slot is placed on a
/// timeline the test chooses, so what is checked is what a user would notice (who waits, how
/// long, how many answers it takes), never how fast the machine is.
@Suite("RateLimiter: lone 429s, sustained 429s, recovery, provider headers")
struct RateLimiterTests {
    let t0 = ContinuousClock.now

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0.advanced(by: .seconds(seconds)) }

    func answer(_ status: Int, _ headers: [String: String] = [:]) -> HTTPAttempt {
        HTTPAttempt(number: 1, method: "POST", url: "http://127.0.0.1/v1/chat/completions", status: status, rateLimitHeaders: headers)
    }

    /// `count` calls started `every` seconds from `start`, each answered as `status(i)` right away.
    func traffic(_ limiter: RateLimiter, count: Int, from start: Double = 0, every: Double = 0.02,
                 status: (Int) -> Int = { _ in 200 }) async -> ContinuousClock.Instant
    {
        var now = at(start)
        for index in 0..<count {
            now = at(start + Double(index) * every)
            _ = await limiter.reserve(at: now)
            await limiter.observe(answer(status(index)), at: now)
        }
        return now
    }

    /// How far after `now` a call asking at `now` may start.
    func wait(_ limiter: RateLimiter, at now: ContinuousClock.Instant) async -> Double {
        let slot = await limiter.reserve(at: now)
        let gap = slot - now
        return gap.totalSeconds
    }

    @Test("A lone 429 slows nobody, with or without a configured rate")
    func loneRefusal() async {
        for rpm in [nil, 600] as [Int?] {
            let limiter = RateLimiter(rpm: rpm)
            // The very first answer is a 429 (the collapse began this way), then the server answers.
            let last = await traffic(limiter, count: 30, every: 0.1, status: { $0 == 0 ? 429 : 200 })
            #expect(await limiter.slowDowns == 0)
            #expect(await limiter.currentRPM == rpm.map(Double.init))
            #expect(await wait(limiter, at: last.advanced(by: .seconds(1))) == 0, "the next call starts at once")
        }
    }

    @Test("Random 10% 429s over hundreds of answers slow nobody")
    func randomRefusals() async {
        let limiter = RateLimiter(rpm: nil)
        var generator = SplitMix(seed: 18)
        let last = await traffic(limiter, count: 600, every: 0.005, status: { _ in generator.unit() < 0.1 ? 429 : 200 })
        #expect(await limiter.slowDowns == 0)
        #expect(await limiter.currentRPM == nil)
        #expect(await wait(limiter, at: last) == 0)
    }

    @Test("Sustained 429s (30% of the last 50 answers) halve the configured rate for every call")
    func sustainedRefusals() async {
        let limiter = RateLimiter(rpm: 600)
        // 2 of every 5 answers refused: the 15th 429 within 50 answers is the signal.
        let last = await traffic(limiter, count: 40, every: 0.1, status: { $0 % 5 < 2 ? 429 : 500 })
        #expect(await limiter.slowDowns == 1)
        #expect(await limiter.currentRPM.map { $0.rounded() } == 300)
        // Two calls asking together well after the signal: 0.2 s apart, not 0.1 s.
        let later = last.advanced(by: .seconds(5))
        let first = await wait(limiter, at: later)
        let second = await wait(limiter, at: later)
        #expect(abs(second - first - 0.2) < 0.001, "\(first) then \(second)")
    }

    @Test("Without a configured rate, sustained 429s start at half the rate actually sent, not a 10-second average")
    func observedRate() async {
        let limiter = RateLimiter(rpm: nil)
        // 100 calls in 2 s (3000 a minute) answered, then a run of 429s.
        let answered = await traffic(limiter, count: 100, every: 0.02)
        _ = await traffic(limiter, count: 15, from: 2.0, every: 0.001, status: { _ in 429 })
        #expect(answered < at(2))
        #expect(await limiter.slowDowns == 1)
        let limited = await limiter.currentRPM ?? 0
        #expect(limited > 1300 && limited < 1800, "about half of ~3000 a minute, got \(limited)")
    }

    @Test("Recovery is additive per success: ten answers undo a halving; a limit the 429s started is lifted")
    func recovery() async {
        let configured = RateLimiter(rpm: 600)
        _ = await traffic(configured, count: 15, every: 0.01, status: { _ in 429 })
        #expect(await configured.currentRPM.map { $0.rounded() } == 300)
        await configured.observe(answer(200), at: at(1))
        #expect(await configured.currentRPM.map { $0.rounded() } == 360, "a tenth of 600 back per success")
        _ = await traffic(configured, count: 4, from: 1.1, every: 0.1)
        #expect(await configured.currentRPM.map { $0.rounded() } == 600, "five answers at 300 a minute: one second")
        _ = await traffic(configured, count: 50, from: 2, every: 0.1)
        #expect(await configured.currentRPM.map { $0.rounded() } == 600, "never above the configured rate")

        let unconfigured = RateLimiter(rpm: nil)
        _ = await traffic(unconfigured, count: 100, every: 0.02)
        _ = await traffic(unconfigured, count: 15, from: 2, every: 0.001, status: { _ in 429 })
        #expect(await unconfigured.currentRPM != nil)
        _ = await traffic(unconfigured, count: 10, from: 3, every: 0.05)
        #expect(await unconfigured.currentRPM == nil, "back to no limit after ten answers")
    }

    @Test("Sustained 429s that go on halve again, at most once per gap, never below a sixteenth")
    func floor() async {
        let limiter = RateLimiter(rpm: 60, slowDownGap: .seconds(2))
        // Nothing but 429s for 200 s, one a second.
        _ = await traffic(limiter, count: 200, every: 1, status: { _ in 429 })
        let slowDowns = await limiter.slowDowns
        #expect(slowDowns >= 4 && slowDowns <= 100, "\(slowDowns)")
        #expect(await limiter.currentRPM.map { $0 >= 60.0 / 16 - 0.01 } == true)
    }

    @Test("Provider headers: remaining 0 with reset 2s holds the next call 2 s; tokens alike")
    func headerPause() async {
        let limiter = RateLimiter(rpm: nil)
        await limiter.observe(answer(200, ["x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"]), at: at(0))
        #expect(abs(await wait(limiter, at: at(0)) - 2) < 0.001)
        #expect(abs(await wait(limiter, at: at(1.5)) - 0.5) < 0.001, "every call waits for the same reset")
        #expect(await wait(limiter, at: at(2.5)) == 0)
        await limiter.observe(answer(200, ["x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": "1m0s"]), at: at(3))
        #expect(abs(await wait(limiter, at: at(3)) - 60) < 0.001)
        #expect(await limiter.headerPauses == 2)
        #expect(await limiter.slowDowns == 0 && limiter.adaptive)
    }

    @Test("Provider headers: a few requests left are spread over the reset time; plenty left paces nothing")
    func headerSpread() async {
        let limiter = RateLimiter(rpm: nil)
        // Sending at 50 a second; the server says 29999 remain for the next 60 s: they last, no pacing.
        var now = await traffic(limiter, count: 50, every: 0.02)
        await limiter.observe(answer(200, ["x-ratelimit-remaining-requests": "29999", "x-ratelimit-reset-requests": "60s"]), at: now)
        #expect(await wait(limiter, at: now) == 0)
        #expect(await wait(limiter, at: now) == 0)
        // Only 4 remain for the next 2 s: calls go 0.5 s apart, not all at once into a 429.
        now = now.advanced(by: .milliseconds(20))
        await limiter.observe(answer(200, ["x-ratelimit-remaining-requests": "4", "x-ratelimit-reset-requests": "2s"]), at: now)
        let waits = [await wait(limiter, at: now), await wait(limiter, at: now), await wait(limiter, at: now)]
        #expect(waits.map { ($0 * 100).rounded() / 100 } == [0, 0.5, 1.0], "\(waits)")
    }

    @Test("Reset times as OpenAI writes them")
    func resetTimes() {
        let cases: [(String, Double?)] = [("1s", 1), ("6m0s", 360), ("20ms", 0.02), ("1m30.5s", 90.5), ("1h2m3s", 3723), ("0.5", 0.5),
                                          ("250us", 0.00025), ("soon", nil), ("", nil), ("5x", nil), ("-1", nil)]
        for (text, seconds) in cases {
            let parsed = RateLimiter.parseReset(text).map(\.totalSeconds)
            #expect(parsed.map { abs($0 - (seconds ?? -1)) < 1e-9 } ?? (seconds == nil), "\(text) → \(String(describing: parsed))")
        }
    }

    @Test("Not adaptive: a plain token bucket that ignores 429s and headers")
    func plain() async {
        let limiter = RateLimiter(rpm: nil, adaptive: false)
        _ = await traffic(limiter, count: 60, status: { _ in 429 })
        await limiter.observe(answer(200, ["x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": "2s"]), at: at(2))
        #expect(await limiter.slowDowns == 0 && limiter.adaptive == false)
        #expect(await wait(limiter, at: at(2)) == 0)
    }
}

/// A seeded generator (SplitMix64), so a "random" pattern of answers is the same on every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func unit() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var bits = state
        bits = (bits ^ (bits >> 30)) &* 0xBF58_476D_1CE4_E5B9
        bits = (bits ^ (bits >> 27)) &* 0x94D0_49BB_1331_11EB
        bits ^= bits >> 31
        return Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}
