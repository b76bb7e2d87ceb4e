import Foundation

/// Builds the configured image provider (`image_provider` in panelproc.yml, or `--images`).
/// Switching providers is this one setting; keys come from the environment variables the
/// configuration names, never from the configuration itself.
enum ImageProviders {
    /// nil for `none`: the run makes no images and writes no image lines.
    static func make(_ configuration: RunSettings, environment: [String: String]) throws(InputError) -> (any ImageProvider)? {
        let http = RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: max(16, configuration.concurrency)))
        func baseURL(_ text: String?, key: String) throws(InputError) -> URL? {
            guard let text else { return nil }
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw InputError(file: configuration.file ?? "panelproc.yml", message: "`\(key)` should be an http(s) URL, found `\(text)`")
            }
            return url
        }
        switch configuration.imageProvider {
        case .none:
            return nil
        case .sketch:
            return SketchImageProvider()
        case .openai:
            var settings = OpenAIImageProvider.Settings(model: configuration.imageModel ?? "gpt-image-1", quality: configuration.imageQuality)
            if let url = try baseURL(configuration.openAIBaseURL, key: "openai_base_url") { settings.baseURL = url }
            return OpenAIImageProvider(apiKey: environment[configuration.openAIKeyVariable] ?? "", settings: settings,
                                       keyVariable: configuration.openAIKeyVariable,
                                       pricePerImageUSD: configuration.prices.byModel[settings.model]?.perImage, http: http)
        case .gemini:
            var settings = GeminiImageProvider.Settings(model: configuration.imageModel ?? "gemini-2.5-flash-image")
            if let url = try baseURL(configuration.geminiBaseURL, key: "gemini_base_url") { settings.baseURL = url }
            return GeminiImageProvider(apiKey: environment[configuration.geminiKeyVariable] ?? "", settings: settings,
                                       keyVariable: configuration.geminiKeyVariable,
                                       pricePerImageUSD: configuration.prices.byModel[settings.model]?.perImage, http: http)
        }
    }
}
