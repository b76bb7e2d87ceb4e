import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Issue 17 against `fake_chat_api.py`: bounded answers, repairs that fit, the context window and
/// the per-call time budget, through a whole run of the two sample chapters.
@Suite("Call bounds against the loopback chat server", .serialized)
struct CallBoundsTests {
    func run(_ server: FakeChatAPI, book: ImageBook, limits: CallLimits = CallLimits(), contextWindow: Int? = nil) async throws -> RunReport {
        var settings = RunSettings()
        settings.concurrency = 4
        settings.trace = book.url(".panelproc/trace.sqlite").path
        settings.imageProvider = .none
        settings.callLimits = limits
        let http = RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 8, requestTimeoutSeconds: 30),
                                      policy: RetryPolicy(baseDelay: .milliseconds(10), maxDelay: .milliseconds(40), jitter: 0))
        let provider = OpenAICompatibleTextProvider(
            apiKey: "", settings: .init(model: "fake-model", baseURL: server.baseURL, temperature: 0, contextWindow: contextWindow), http: http)
        let pipeline = Pipeline(settings: settings, textProvider: provider, rateLimiter: RateLimiter(rpm: nil, adaptive: false))
        return try await pipeline.run(try pipeline.prepare(files: ["01-paper-and-promises.md"].map(book.url)))
    }

    func traceRows(_ book: ImageBook, _ report: RunReport) async throws -> [CallRecord] {
        let trace = try TraceStore(path: book.url(".panelproc/trace.sqlite").path)
        var rows: [CallRecord] = []
        for panel in report.chapters.flatMap(\.panels) { rows += try await trace.calls(panelID: panel.sheet.id).map(\.record) }
        return rows
    }

    @Test("Every request carries its stage's bound as max_tokens (or the per-stage setting), and the trace keeps it")
    func everyRequestIsBounded() async throws {
        let server = try await FakeChatAPI.start()
        let book = try ImageBook()
        defer { book.remove() }
        var limits = CallLimits()
        limits.maxTokensByStage["theme"] = 37
        let report = try await run(server, book: book, limits: limits)
        let requests = try await server.requests()
        #expect(!requests.isEmpty)
        let library = try PromptLibrary.load()
        for request in requests {
            let prompt = try #require(request["prompt"] as? String)
            let maxTokens = try #require(request["max_tokens"] as? Int, "\(prompt) sent no max_tokens")
            if prompt == "theme" {
                #expect(maxTokens == 37)
            } else if let fixed = try library.template(prompt).answerTokens {
                #expect(maxTokens == fixed, "\(prompt)")
            } else {
                #expect(maxTokens > 20 && maxTokens < 2000, "\(prompt): \(maxTokens)")
            }
        }
        let rows = try await traceRows(book, report)
        #expect(!rows.isEmpty && rows.allSatisfy { $0.maxTokens != nil && $0.finishReason == "stop" })
        await server.stop()
    }

    @Test("A model that rambles is cut at the bound, and its repair quotes an excerpt, so nothing overflows the context")
    func ramblingIsCutAndRepairFits() async throws {
        let server = try await FakeChatAPI.start(["--faults", "ramble=1", "--n-ctx", "4096"])
        let book = try ImageBook()
        defer { book.remove() }
        let report = try await run(server, book: book)
        let requests = try await server.requests()
        let repairs = requests.filter { ($0["messages"] as? Int ?? 0) > 2 }
        #expect(!repairs.isEmpty, "every first answer rambles, so every call re-asks once")
        for repair in repairs {
            #expect((repair["assistant_chars"] as? Int ?? .max) <= OpenAICompatibleTextProvider.repairExcerptLimit + 60)
        }
        let count = try await server.count()
        #expect(count.byOutcome["400ctx"] == nil, "no request overflowed the context: \(count.byOutcome)")
        for request in requests {
            #expect((request["max_tokens"] as? Int ?? .max) < 2000)
        }
        let failed = report.chapters.flatMap(\.panels).filter { $0.status == .failed }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.reasons.joined().contains("did not validate after a repair") })
        await server.stop()
    }

    @Test("A request that cannot fit the context window llama-server reports fails before it is sent, with the reason")
    func contextOverflowIsRefusedBeforeSending() async throws {
        let server = try await FakeChatAPI.start(["--n-ctx", "300"])
        let book = try ImageBook()
        defer { book.remove() }
        let report = try await run(server, book: book)
        // Short prompts with small bounds (the theme) still fit and are sent; nothing that was
        // sent overflowed, and every stage that could not fit failed before sending.
        #expect(try await server.count().byOutcome["400ctx"] == nil)
        let panels = report.chapters.flatMap(\.panels)
        #expect(!panels.isEmpty && panels.allSatisfy { $0.status == .failed })
        #expect(panels.allSatisfy { $0.reasons.joined().contains("context window of 300 tokens") })
        let rows = try await traceRows(book, report)
        let failed = rows.filter { $0.status == .failed }
        #expect(!failed.isEmpty && failed.allSatisfy { $0.failureKind == "context_overflow" })

        // The same limit set in panelproc.yml instead of asked for.
        let quiet = try await FakeChatAPI.start()
        let again = try ImageBook()
        defer { again.remove() }
        let configured = try await run(quiet, book: again, contextWindow: 300)
        #expect(try await quiet.count().byOutcome["400ctx"] == nil)
        #expect(configured.chapters.flatMap(\.panels).allSatisfy { $0.reasons.joined().contains("context window of 300 tokens") })
        await server.stop()
        await quiet.stop()
    }

    @Test("A call that outlives call_timeout fails as timed out, traced as its own kind, and the run goes on")
    func callTimeoutIsItsOwnFailure() async throws {
        let server = try await FakeChatAPI.start(["--latency-ms", "3000"])
        let book = try ImageBook()
        defer { book.remove() }
        var limits = CallLimits()
        limits.callTimeoutSeconds = 0.3
        let report = try await run(server, book: book, limits: limits)
        let panels = report.chapters.flatMap(\.panels)
        #expect(!panels.isEmpty && panels.allSatisfy { $0.status == .failed })
        #expect(panels.allSatisfy { $0.reasons.joined().contains("call_timeout") })
        #expect(report.stopped == nil)
        let rows = try await traceRows(book, report)
        #expect(!rows.isEmpty && rows.allSatisfy { $0.failureKind == "timed_out" })
        await server.stop()
    }
}
