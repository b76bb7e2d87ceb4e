import Foundation
@testable import PanelKit
import Testing

@Suite("Redaction: keys never leave in text")
struct RedactionTests {
    @Test("Credential headers are blanked whole; the key is removed from any other text")
    func redacts() {
        let redaction = Redaction(secrets: [canaryKey, ""])
        let headers = redaction.redact(headers: [
            ("Authorization", "Bearer \(canaryKey)"), ("x-goog-api-key", "AIza-other"), ("api-key", "azure"),
            ("Content-Type", "application/json"), ("X-Echo", "key=\(canaryKey)"),
        ])
        #expect(headers.map(\.1) == ["[redacted]", "[redacted]", "[redacted]", "application/json", "key=[redacted]"])
        #expect(redaction.redact("Incorrect API key provided: \(canaryKey). Also \(canaryKey)!")
            == "Incorrect API key provided: [redacted]. Also [redacted]!")
        #expect(Redaction(secrets: [""]).redact("nothing to hide") == "nothing to hide")
        let request = OpenAIImageProvider.makeRequest(imageRequest(), references: [], settings: .init(), apiKey: canaryKey)
        #expect(String(describing: request) == """
            POST https://api.openai.com/v1/images/generations
            Authorization: [redacted]
            Content-Type: application/json
            Accept: application/json
            """)
    }

    @Test("Canary: the key is in no error message, attempt record or description, whatever the path")
    func canary() async throws {
        let echo = "{\"error\":{\"message\":\"bad key \(canaryKey)\",\"code\":\"invalid_api_key\"}}"
        let paths: [[Result<HTTPResponse, HTTPFailure>]] = [
            [.status(401, body: echo)],
            [.status(400, body: "{\"error\":{\"message\":\"prompt rejected for \(canaryKey)\",\"code\":\"content_policy_violation\"}}")],
            Array(repeating: .status(500, retryAfter: canaryKey, body: "oops \(canaryKey)"), count: 5),
            Array(repeating: .failure(HTTPFailure(.network, "could not connect with Bearer \(canaryKey)")), count: 5),
            [.status(200, body: "{\"data\":[{\"url\":\"https://blob.example.test/i.png?token=\(canaryKey)\"}]}"), .status(404, body: canaryKey)],
            [.status(200, body: "not json \(canaryKey)")],
        ]
        var texts: [String] = []
        for script in paths {
            for gemini in [false, true] {
                let log = AttemptLog()
                let http = instantRetries(ScriptedHTTPClient(script))
                let provider: any ImageProvider = gemini
                    ? GeminiImageProvider(apiKey: canaryKey, http: http)
                    : OpenAIImageProvider(apiKey: canaryKey, http: http)
                let error = await RetryingHTTPClient.observingAttempts(log.observer) {
                    await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest()) }
                }
                texts.append(error?.message ?? "")
                texts.append(error.map { String(describing: $0) } ?? "")
                texts += log.attempts.map(\.description)
                texts += log.attempts.compactMap(\.failure) + log.attempts.compactMap(\.retryAfter)
                texts.append(String(describing: provider))
                texts.append(String(reflecting: provider))
                var dumped = ""
                dump(provider, to: &dumped)
                texts.append(dumped)
            }
        }
        #expect(texts.count > 60)
        #expect(texts.contains { $0.contains("[redacted]") }, "the echoes were caught, not avoided")
        for text in texts {
            #expect(!text.contains(canaryKey), "leaked: \(text)")
        }
    }
}
