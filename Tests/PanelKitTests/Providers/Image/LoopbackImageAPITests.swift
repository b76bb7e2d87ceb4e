import Foundation
@testable import PanelKit
import Testing

/// End to end: the providers through URLSessionHTTPClient against `fake_image_api.py`.
@Suite("Image providers against the loopback fake API")
struct LoopbackImageAPITests {
    /// Real transport, fake waits.
    func http(_ sleeps: SleepRecorder = SleepRecorder(), timeout: Int = 10) -> RetryingHTTPClient {
        RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 4, requestTimeoutSeconds: timeout),
                           policy: RetryPolicy(jitter: 0), sleep: sleeps.sleep)
    }

    @Test("OpenAI: a base64 answer, one request, the key sent")
    func openAIBase64() async throws {
        let server = try await FakeImageAPI.start()
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(baseURL: server.openAIBaseURL),
                                           pricePerImageUSD: 0.063, http: http())
        let image = try await provider.generate(imageRequest())
        #expect(image.bytes == tinyPNG)
        #expect(image.mimeType == "image/png")
        #expect(image.metadata.requestID == "req_fake_1")
        #expect(image.metadata.costUSD == 0.063)
        #expect(try await server.requestCount() == 1)
        let seen = try await server.requests()
        #expect(seen.first?["path"]?.string == "/v1/images/generations")
        #expect(seen.first?["has_key"]?.bool == true)
        #expect(await server.stop() == 0)
    }

    @Test("OpenAI: a url answer is fetched from the link; the link's query stays out of the trace")
    func openAIURL() async throws {
        let server = try await FakeImageAPI.start()
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(model: "dall-e-3", responseFormat: "url",
                                                                              baseURL: server.openAIBaseURL), http: http())
        let log = AttemptLog()
        let image = try await RetryingHTTPClient.observingAttempts(log.observer) {
            try await provider.generate(imageRequest())
        }
        #expect(image.bytes == tinyPNG)
        #expect(image.metadata.revisedPrompt?.hasPrefix("Ink and flat colour.") == true)
        #expect(try await server.requestCount() == 2)
        let download = try #require(log.attempts.last)
        #expect(download.method == "GET" && download.status == 200)
        #expect(download.url.hasSuffix(".png?…"), "the link's signature stays out of the trace: \(download.url)")
        await server.stop()
    }

    @Test("OpenAI: references go to /images/edits as image[] parts", .tags(.references))
    func openAIEdits() async throws {
        let (folder, files) = try writeReferences()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await FakeImageAPI.start()
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(baseURL: server.openAIBaseURL), http: http())
        let image = try await provider.generate(imageRequest(references: files))
        #expect(image.bytes == tinyPNG)
        let seen = try await server.requests()
        #expect(seen.first?["path"]?.string == "/v1/images/edits")
        #expect(seen.first?["content_type"]?.string == "multipart/form-data")
        #expect(seen.first?["image_parts"]?.integer == 2)
        await server.stop()
    }

    @Test("Gemini: inline image out, inline references in", .tags(.references))
    func gemini() async throws {
        let (folder, files) = try writeReferences()
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try await FakeImageAPI.start()
        let provider = GeminiImageProvider(apiKey: "g-test", settings: .init(baseURL: server.geminiBaseURL), http: http())
        let image = try await provider.generate(imageRequest(references: Array(files.prefix(1))))
        #expect(image.bytes == tinyPNG)
        #expect(image.metadata.model == "gemini-2.5-flash-image")
        let seen = try await server.requests()
        #expect(seen.first?["path"]?.string == "/v1beta/models/gemini-2.5-flash-image:generateContent")
        #expect(seen.first?["inline_parts"]?.integer == 1)
        #expect(seen.first?["has_key"]?.bool == true)
        await server.stop()
    }

    @Test("A 429 with Retry-After, then success: two requests, the server's wait honoured, both attempts traced")
    func rateLimitThenSuccess() async throws {
        let server = try await FakeImageAPI.start(script: #"[{"status": 429, "retry_after": "2"}]"#)
        let sleeps = SleepRecorder()
        let log = AttemptLog()
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(baseURL: server.openAIBaseURL), http: http(sleeps))
        let image = try await RetryingHTTPClient.observingAttempts(log.observer) {
            try await provider.generate(imageRequest())
        }
        #expect(image.bytes == tinyPNG)
        #expect(sleeps.durations == [.seconds(2)])
        #expect(log.attempts.map(\.status) == [429, 200])
        #expect(try await server.requestCount() == 2)
        await server.stop()
    }

    @Test("Gemini: 500, 429 without Retry-After, then success")
    func serverErrorsThenSuccess() async throws {
        let server = try await FakeImageAPI.start(script: #"[{"status": 500}, {"status": 429}]"#)
        let sleeps = SleepRecorder()
        let provider = GeminiImageProvider(apiKey: "g-test", settings: .init(baseURL: server.geminiBaseURL), http: http(sleeps))
        _ = try await provider.generate(imageRequest())
        #expect(sleeps.durations == [.seconds(1), .seconds(2)])
        #expect(try await server.requestCount() == 3)
        await server.stop()
    }

    @Test("Refusals fail the panel after one request, with the provider's reason")
    func refusals() async throws {
        let server = try await FakeImageAPI.start(script: #"[{"refusal": true}, {"refusal": true}]"#)
        let openAI = OpenAIImageProvider(apiKey: "sk-test", settings: .init(baseURL: server.openAIBaseURL), http: http())
        let refused = await providerError { () throws(ProviderError) in _ = try await openAI.generate(imageRequest()) }
        #expect(refused?.kind == .refused)
        #expect(refused?.message.contains("content_policy_violation") == true)
        let gemini = GeminiImageProvider(apiKey: "g-test", settings: .init(baseURL: server.geminiBaseURL), http: http())
        let blocked = await providerError { () throws(ProviderError) in _ = try await gemini.generate(imageRequest()) }
        #expect(blocked?.message == "Gemini blocked the prompt (SAFETY)")
        #expect(try await server.requestCount() == 2)
        await server.stop()
    }

    @Test("A wrong key: unauthorized after one request, naming the variable; the echoed key is redacted")
    func wrongKey() async throws {
        let server = try await FakeImageAPI.start(key: "sk-the-right-one")
        let log = AttemptLog()
        let openAI = OpenAIImageProvider(apiKey: canaryKey, settings: .init(baseURL: server.openAIBaseURL), http: http())
        let gemini = GeminiImageProvider(apiKey: canaryKey, settings: .init(baseURL: server.geminiBaseURL), http: http())
        var errors: [ProviderError?] = []
        for provider in [openAI, gemini] as [any ImageProvider] {
            errors.append(await RetryingHTTPClient.observingAttempts(log.observer) {
                await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest()) }
            })
        }
        #expect(errors.map { $0?.kind } == [.unauthorized, .unauthorized])
        #expect(errors[0]?.message.contains("set OPENAI_API_KEY") == true)
        #expect(errors[1]?.message.contains("set GEMINI_API_KEY") == true)
        #expect(errors.allSatisfy { $0?.message.contains("[redacted]") == true }, "the server quoted the key back")
        for text in errors.map({ $0?.message ?? "" }) + log.attempts.map(\.description) {
            #expect(!text.contains(canaryKey))
        }
        #expect(try await server.requestCount() == 2)
        await server.stop()
    }

    @Test("Transport: a slow answer times out, a dropped connection is a network failure, cancellation is prompt")
    func transportFailures() async throws {
        let server = try await FakeImageAPI.start(script: #"[{"delay": 3}, {"drop": true}, {"delay": 20}]"#)
        let client = URLSessionHTTPClient(maxConnectionsPerHost: 2, requestTimeoutSeconds: 1)
        let request = HTTPRequest(method: "POST", url: server.openAIBaseURL.appendingPathComponent("images/generations"),
                                  headers: [("Authorization", "Bearer k"), ("Content-Type", "application/json")],
                                  body: Array(#"{"prompt":"x"}"#.utf8))
        do {
            _ = try await client.send(request)
            Issue.record("a slow answer did not time out")
        } catch {
            #expect(error.kind == .timeout)
        }
        do {
            _ = try await client.send(request)
            Issue.record("a dropped connection answered")
        } catch {
            #expect(error.kind == .network)
        }

        let patient = URLSessionHTTPClient(requestTimeoutSeconds: 30)
        let started = ContinuousClock.now
        let call = Task { () async -> HTTPFailure? in
            do throws(HTTPFailure) { _ = try await patient.send(request); return nil } catch { return error }
        }
        try await Task.sleep(for: .milliseconds(300))
        call.cancel()
        let failure = await call.value
        #expect(failure?.kind == .cancelled)
        // The answer would take 20 s: returning well before shows the cancellation did not wait,
        // with room for a loaded machine.
        #expect(ContinuousClock.now - started < .seconds(10))
        await server.stop()
    }
}

/// Issue 14: candidates from one OpenAI request (`n`), from repeated Gemini calls.
@Suite("Image candidates against the loopback fake API")
struct LoopbackCandidateTests {
    func http() -> RetryingHTTPClient {
        RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 4, requestTimeoutSeconds: 10), policy: RetryPolicy(jitter: 0),
                           sleep: SleepRecorder().sleep)
    }

    @Test("OpenAI: three candidates are one request with n = 3, each priced")
    func openAIN() async throws {
        let server = try await FakeImageAPI.start()
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(baseURL: server.openAIBaseURL), pricePerImageUSD: 0.04, http: http())
        var request = imageRequest()
        request.count = 3
        let images = try await provider.generateCandidates(request)
        #expect(images.count == 3)
        #expect(images.allSatisfy { $0.bytes == tinyPNG && $0.metadata.costUSD == 0.04 })
        #expect(try await server.requestCount() == 1)
        #expect(try await server.requests().first?["n"]?.integer == 3)
        await server.stop()
    }

    @Test("Gemini: three candidates are three requests")
    func geminiRepeated() async throws {
        let server = try await FakeImageAPI.start()
        let provider = GeminiImageProvider(apiKey: "g-test", settings: .init(baseURL: server.geminiBaseURL), http: http())
        var request = imageRequest()
        request.count = 3
        let images = try await provider.generateCandidates(request)
        #expect(images.count == 3)
        #expect(try await server.requestCount() == 3)
        await server.stop()
    }
}
