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

    /// `waitForReal`: retry waits (a `Retry-After`) are slept, as in a real run, not just recorded.
    func provider(_ server: FakeChatAPI, key: String = textCanaryKey,
                  format: OpenAICompatibleTextProvider.ResponseFormat = .jsonSchema, waitForReal: Bool = false) -> OpenAICompatibleTextProvider
    {
        let sleeps = sleeps
        let http = RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 16, requestTimeoutSeconds: 5),
                                      policy: RetryPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(160), jitter: 0),
                                      sleep: { wait in
                                          try await sleeps.sleep(wait)
                                          if waitForReal { try await Task.sleep(for: wait) }
                                      })
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
        // 30% of 429s is right at the share the shared limiter reacts to; a high configured rate keeps its floor fast.
        let limiter = RateLimiter(rpm: 12_000)
        let report = try await book.run(book.provider(server), limiter: kind.hasPrefix("429") ? limiter : nil)
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
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
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
        let count = try await server.count()
        #expect(count.total > report.callsMade, "faults cost extra requests: \(count.byOutcome)")
        let calls = try await book.calls(report)
        // Every call of the run is either answered or failed; none is left started.
        #expect(calls.allSatisfy { $0.record.status != .started })
        await server.stop()
    }

    @Test("Random 10% 429s (Retry-After: 1, waited for real) and no configured rpm: every panel done as without faults, nobody slowed, in seconds")
    func randomRefusalsWithoutRPM() async throws {
        let cleanServer = try await FakeChatAPI.start(["--latency-ms", "5"])
        let cleanBook = try ChatBook()
        defer { cleanBook.book.remove() }
        let clean = try await cleanBook.run(cleanBook.provider(cleanServer), limiter: RateLimiter(rpm: nil))
        await cleanServer.stop()

        let server = try await FakeChatAPI.start(["--latency-ms", "5", "--faults", "429ra=0.1", "--retry-after", "1", "--seed", "18"])
        let book = try ChatBook()
        defer { book.book.remove() }
        // The run's own adaptive limiter, as `panelproc --provider openai` makes it without --rpm.
        let limiter = RateLimiter(rpm: nil)
        let clock = ContinuousClock()
        let started = clock.now
        let report = try await book.run(book.provider(server, waitForReal: true), limiter: limiter)
        let elapsed = clock.now - started
        try book.checkOutcome(report)
        #expect(report.stopped == nil)
        #expect(report.counts == clean.counts, "the same outcome as without faults")
        #expect(report.callsMade == clean.callsMade, "every call answered in the end")
        let count = try await server.count()
        #expect((count.byOutcome["429ra"] ?? 0) > 0, "\(count.byOutcome)")
        #expect(book.sleeps.durations.contains(.seconds(1)), "each 429 waited out its Retry-After")
        #expect(await limiter.slowDowns == 0, "scattered 429s are not a rate signal")
        #expect(await limiter.currentRPM == nil)
        // Today's limiter settled at 12 calls a minute here: minutes. A few 1-second waits are seconds.
        #expect(elapsed < .seconds(60), "\(elapsed)")
        for outcome in report.chapters.flatMap(\.outcomes).compactMap({ $0 }) {
            #expect(!outcome.reasons.contains { $0.contains("429") }, "\(outcome.reasons)")
        }
        await server.stop()
    }

    @Test("A cap the server announces in x-ratelimit-* headers, no configured rpm: calls are paced before it, far fewer refusals than when the headers are ignored")
    func headerPacing() async throws {
        var refused: [Bool: Int] = [:]
        for readsHeaders in [false, true] {
            // 20 requests in any one second: the book's calls need several seconds of it.
            let server = try await FakeChatAPI.start(["--rpm", "20", "--window", "1", "--latency-ms", "5"])
            let book = try ChatBook()
            defer { book.book.remove() }
            let limiter = RateLimiter(rpm: nil, adaptive: readsHeaders)
            let report = try await book.run(book.provider(server, waitForReal: true), limiter: limiter)
            #expect(report.stopped == nil)
            refused[readsHeaders] = try await server.count().byOutcome["429rpm"] ?? 0
            if readsHeaders {
                try book.checkOutcome(report)
                #expect(await limiter.slowDowns == 0, "paced by the headers, not by 429s")
            }
            await server.stop()
        }
        let paced = refused[true] ?? -1, blind = refused[false] ?? -1
        // At most half: on a loaded machine the paced run was seen at 5 refusals against 14.
        #expect(paced >= 0 && paced * 2 <= blind, "429s with the headers read: \(paced), ignored: \(blind)")
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
