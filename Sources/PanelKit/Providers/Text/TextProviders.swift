import Foundation

/// The text provider a configuration asks for.
enum TextProviders {
    /// `offline` (the default whenever no provider is configured) or `openai`: the endpoint from
    /// `openai_base_url` / `OPENAI_BASE_URL` (default the OpenAI API), the key read from the
    /// variable `openai_api_key_env` names (default `OPENAI_API_KEY`). A missing key is not an
    /// input error: the first call fails `.unauthorized`, which stops the run with exit 3.
    static func make(_ configuration: RunSettings, environment: [String: String],
                            http: RetryingHTTPClient? = nil) throws(InputError) -> any TextProvider
    {
        switch configuration.textProvider {
        case .offline:
            return OfflineTextProvider()
        case .openai:
            var settings = OpenAICompatibleTextProvider.Settings(
                model: configuration.textModel ?? "gpt-4o-mini", responseFormat: configuration.responseFormat,
                temperature: configuration.temperature, seed: configuration.seed,
                contextWindow: configuration.callLimits.contextWindow(model: configuration.textModel ?? "gpt-4o-mini"))
            if let text = configuration.openAIBaseURL {
                guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                    throw InputError(file: configuration.file ?? "OPENAI_BASE_URL", message: "`openai_base_url` should be an http(s) URL, found `\(text)`")
                }
                settings.baseURL = url
            }
            var policy = RetryPolicy()
            if let attempts = configuration.retryAttempts { policy.maxAttempts = attempts }
            if let base = configuration.retryBaseDelay { policy.baseDelay = .milliseconds(Int64(base * 1000)) }
            let client = http ?? RetryingHTTPClient(
                URLSessionHTTPClient(maxConnectionsPerHost: max(16, configuration.concurrency), requestTimeoutSeconds: 300),
                policy: policy)
            return OpenAICompatibleTextProvider(apiKey: environment[configuration.openAIKeyVariable] ?? "", settings: settings,
                                                keyVariable: configuration.openAIKeyVariable, http: client)
        }
    }

    /// Providers like the one `make` gives, for other models (`models:`, `fallback_model:`).
    static func factory(_ configuration: RunSettings, environment: [String: String]) -> @Sendable (String) -> any TextProvider {
        { model in
            var settings = configuration
            settings.textModel = model
            return (try? make(settings, environment: environment)) ?? OfflineTextProvider()
        }
    }
}
