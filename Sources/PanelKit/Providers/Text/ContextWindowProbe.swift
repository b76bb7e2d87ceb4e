import Foundation

/// The model's context window in tokens: the configured `context_window`, else what a llama.cpp
/// `llama-server` on this machine reports at `GET /props` (`default_generation_settings.n_ctx`),
/// asked once per run. Other servers are not asked (OpenAI has no such endpoint, and a request to
/// it would be one more paid-for round trip): without a setting nothing is checked.
actor ContextWindowProbe {
    private let known: Int?
    private let propsURL: URL?
    private let http: any HTTPClient
    private var asked = false
    private var answer: Int?

    init(known: Int?, baseURL: URL, http: RetryingHTTPClient) {
        self.known = known
        self.http = http.base
        // `/props` sits at the server's root, beside `/v1`.
        var root = baseURL
        if root.lastPathComponent == "v1" { root.deleteLastPathComponent() }
        self.propsURL = OpenAICompatibleTextProvider.isLoopback(baseURL) ? root.appendingPathComponent("props") : nil
    }

    func tokens() async -> Int? {
        if let known { return known }
        guard let propsURL else { return nil }
        if !asked {
            asked = true
            // One attempt, not retried and not traced: a server without `/props` simply has no answer.
            if let response = try? await http.send(HTTPRequest(method: "GET", url: propsURL, headers: [("Accept", "application/json")])),
               response.status == 200, let props = JSONValue.body(of: response)
            {
                answer = props["default_generation_settings"]?["n_ctx"]?.integer ?? props["n_ctx"]?.integer
            }
        }
        return answer
    }
}
