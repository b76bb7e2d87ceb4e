import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A whole book (the two sample chapters) through ChapterJob with the `openai` provider against
/// `fake_chat_api.py`. Retry waits are recorded, not slept, so faults cost no time.
struct ChatBook {
    let book: ImageBook
    let sleeps = SleepRecorder()
    var tracePath: String { book.url(".panelproc/trace.sqlite").path }

    init() throws { book = try ImageBook() }

    func provider(_ server: FakeChatAPI, key: String = textCanaryKey,
                  format: OpenAICompatibleTextProvider.ResponseFormat = .jsonSchema) -> OpenAICompatibleTextProvider
    {
        let http = RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 16, requestTimeoutSeconds: 5),
                                      policy: RetryPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(160), jitter: 0),
                                      sleep: sleeps.sleep)
        return OpenAICompatibleTextProvider(apiKey: key, settings: .init(model: "fake-model", baseURL: server.baseURL,
                                                                         responseFormat: format, temperature: 0, seed: 1),
                                            http: http)
    }

    func run(_ provider: any TextProvider, concurrency: Int = 8, limiter: RateLimiter? = nil) async throws -> RunReport {
        var settings = RunSettings()
        settings.writeJSON = true
        settings.concurrency = concurrency
        settings.trace = tracePath
        settings.imageProvider = .none
        // Injected 429s are noise, not load: by default the limiter does not adapt to them.
        let pipeline = Pipeline(settings: settings, textProvider: provider, rateLimiter: limiter ?? RateLimiter(rpm: nil, adaptive: false))
        return try await pipeline.run(try pipeline.prepare(files: ["01-paper-and-promises.md", "02-the-double-spend.md"].map(book.url)))
    }

    /// Every panel passed or failed with a reason; every chapter.json parses; the canary is nowhere.
    func checkOutcome(_ report: RunReport, sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        var panels = 0
        for chapter in report.chapters {
            for outcome in chapter.outcomes {
                panels += 1
                let outcome = try #require(outcome, sourceLocation: sourceLocation)
                #expect([.passed, .failed].contains(outcome.status), "\(outcome.status)", sourceLocation: sourceLocation)
                if outcome.status == .failed { #expect(!outcome.reasons.isEmpty, sourceLocation: sourceLocation) }
                for reason in outcome.reasons { #expect(!reason.contains(textCanaryKey), sourceLocation: sourceLocation) }
            }
            let json = book.url("generated/\(chapter.chapter.slug)/chapter.json")
            _ = try JSONValue.parse(String(decoding: try RepoPaths.bytes(json), as: UTF8.self))
            #expect(!String(decoding: try RepoPaths.bytes(json), as: UTF8.self).contains(textCanaryKey), sourceLocation: sourceLocation)
        }
        #expect(panels > 0, sourceLocation: sourceLocation)
        try checkTraceHasNoCanary(sourceLocation: sourceLocation)
    }

    func checkTraceHasNoCanary(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws {
        let canary = Array(textCanaryKey.utf8)
        for suffix in ["", "-wal", "-journal", "-shm"] {
            guard let data = FileManager.default.contents(atPath: tracePath + suffix) else { continue }
            let bytes = [UInt8](data)
            let found = bytes.count >= canary.count && (0...(bytes.count - canary.count)).contains { start in
                bytes[start] == canary[0] && bytes[start..<(start + canary.count)].elementsEqual(canary)
            }
            #expect(!found, "the canary key is in \(tracePath + suffix)", sourceLocation: sourceLocation)
        }
    }

    /// Every traced call of the report's panels, over all runs.
    func calls(_ report: RunReport) async throws -> [TracedCall] {
        let store = try TraceStore(path: tracePath)
        var all: [TracedCall] = []
        for id in report.chapters.flatMap({ $0.chapter.panels.map(\.id) }) { all += try await store.calls(panelID: id) }
        return all
    }
}

@Suite("OpenAI-compatible provider against the fault-injecting loopback server", .serialized)
struct LoopbackChatTests {
    @Test("No faults: every stage answered in one request; json_schema sent with the prompt name; key sent")
    func clean() async throws {
        let server = try await FakeChatAPI.start()
        let book = try ChatBook()
        defer { book.book.remove() }
        let report = try await book.run(book.provider(server))
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
        let count = try await server.count()
        #expect(count.total == report.callsMade && count.total > 0)
        let requests = try await server.requests()
        #expect(requests.allSatisfy { $0["format"] as? String == "json_schema" && $0["has_key"] as? Bool == true })
        #expect(Set(requests.compactMap { $0["prompt"] as? String }).isSuperset(of: ["theme", "roles"]))
        #expect((report.counts[.passed] ?? 0) > 0, "minimal schema answers carry some panels through: \(report.counts)")
        // A rerun is served from the trace: zero requests.
        let again = try await book.run(book.provider(server))
        #expect(again.callsMade == 0)
        #expect(try await server.count().total == count.total)
        await server.stop()
    }

    @Test("Each fault kind alone: panels end passed or failed with a reason, the faults were met and survived",
          arguments: ["429=0.3", "429ra=0.3", "500=0.3", "drop=0.2", "malformed=0.3", "truncated=0.3"])
    func faultAlone(spec: String) async throws {
        let server = try await FakeChatAPI.start(["--faults", spec, "--seed", "7", "--retry-after", "2"])
        let book = try ChatBook()
        defer { book.book.remove() }
        let kind = String(spec.prefix { $0 != "=" })
        // 429s slow the shared limiter; a high configured rate keeps the floor fast.
        let limiter = RateLimiter(rpm: 12_000)
        let report = try await book.run(book.provider(server), limiter: kind.hasPrefix("429") ? limiter : nil)
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
        if kind.hasPrefix("429") { #expect(await limiter.slowDowns >= 1, "a 429 slowed the shared limiter") }
        let count = try await server.count()
        #expect((count.byOutcome[kind] ?? 0) > 0, "\(count.byOutcome)")
        let calls = try await book.calls(report)
        switch kind {
        case "malformed", "truncated":
            // A bad answer is re-asked once: traced as an earlier failed attempt and a repaired call.
            #expect(calls.contains { $0.record.status == .succeeded && $0.record.attempt >= 2 && ($0.record.error ?? "").contains("repaired") })
        case "429ra":
            #expect(book.sleeps.durations.contains(.seconds(2)), "Retry-After 2 honoured: \(book.sleeps.durations)")
            #expect(calls.contains { $0.record.status == .failed && ($0.record.error ?? "").contains("HTTP 429 (Retry-After 2)") })
        default:
            #expect(!book.sleeps.durations.isEmpty)
            #expect(calls.contains { $0.record.attempt >= 2 })
        }
        await server.stop()
    }

    @Test("Mixed faults (10% 429 half with Retry-After, 5% 500, 2% drops, 5% malformed), seeded: nothing crashes, nothing torn")
    func mixed() async throws {
        let server = try await FakeChatAPI.start(["--mixed", "--seed", "42", "--latency-ms", "5", "--retry-after", "1"])
        let book = try ChatBook()
        defer { book.book.remove() }
        let limiter = RateLimiter(rpm: 12_000)
        let report = try await book.run(book.provider(server), concurrency: 16, limiter: limiter)
        #expect(await limiter.slowDowns >= 1)
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
        let count = try await server.count()
        #expect(count.total > report.callsMade, "faults cost extra requests: \(count.byOutcome)")
        let calls = try await book.calls(report)
        // Every call of the run is either answered or failed; none is left started.
        #expect(calls.allSatisfy { $0.record.status != .started })
        await server.stop()
    }

    @Test("json_object mode: the schema travels in the system message and answers still validate")
    func jsonObject() async throws {
        let server = try await FakeChatAPI.start()
        let book = try ChatBook()
        defer { book.book.remove() }
        let report = try await book.run(book.provider(server, format: .jsonObject))
        try book.checkOutcome(report)
        let requests = try await server.requests()
        #expect(requests.allSatisfy { $0["format"] as? String == "json_object" })
        #expect(report.callsMade > 0 && (report.counts[.passed] ?? 0) > 0)
        await server.stop()
    }

    @Test("401: the run stops with the unauthorized failure naming OPENAI_API_KEY; the canary never leaks")
    func unauthorized() async throws {
        let server = try await FakeChatAPI.start(["--key", "the-right-key"])
        let book = try ChatBook()
        defer { book.book.remove() }
        let report = try await book.run(book.provider(server))
        let stopped = try #require(report.stopped)
        guard case .text(let failure) = stopped else { Issue.record("stopped by \(stopped)"); return }
        #expect(failure.stopsRun)
        #expect(stopped.message.contains("OPENAI_API_KEY"), "\(stopped.message)")
        #expect(!stopped.message.contains(textCanaryKey) && !"\(stopped)".contains(textCanaryKey))
        try book.checkTraceHasNoCanary()
        #expect(try await server.count().byOutcome["401"] ?? 0 >= 1)
        #expect(book.sleeps.durations.isEmpty, "401 is never retried")
        await server.stop()
    }
}

@Suite("RateLimiter: adaptive to 429")
struct AdaptiveRateLimiterTests {
    @Test("A 429 halves the configured rate; a burst counts once; successes bring it back 10% at a time")
    func halveAndRecover() async {
        let limiter = RateLimiter(rpm: 600, slowDownGap: .seconds(60), recoveryStep: 2)
        #expect(limiter.adaptive)
        #expect(await limiter.currentRPM.map { $0.rounded() } == 600)
        await limiter.slowDown()
        await limiter.slowDown()
        #expect(await limiter.currentRPM.map { $0.rounded() } == 300)
        #expect(await limiter.slowDowns == 1)
        for _ in 0..<2 { await limiter.succeeded() }
        #expect(await limiter.currentRPM.map { $0.rounded() } == 330)
        for _ in 0..<40 { await limiter.succeeded() }
        #expect(await limiter.currentRPM.map { $0.rounded() } == 600, "never above the configured rate")
    }

    @Test("Without a configured rate, a 429 starts a limit below the observed rate, later lifted")
    func unlimited() async {
        let limiter = RateLimiter(rpm: nil, slowDownGap: .zero, recoveryStep: 1)
        #expect(await limiter.currentRPM == nil)
        for _ in 0..<10 { await limiter.acquire() }
        await limiter.slowDown()
        let limited = await limiter.currentRPM
        #expect(limited.map { $0 > 0 && $0 <= 30 } == true, "\(String(describing: limited))")
        for _ in 0..<20 { await limiter.succeeded() }
        #expect(await limiter.currentRPM == nil)
    }

    @Test("The floor: repeated 429s never stop calls altogether")
    func floor() async {
        let limiter = RateLimiter(rpm: 60, slowDownGap: .zero)
        for _ in 0..<20 { await limiter.slowDown() }
        #expect(await limiter.currentRPM.map { $0 >= 1 } == true)
    }
}
