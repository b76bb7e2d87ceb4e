import Foundation

/// The OpenAI images API: `POST /images/generations` (JSON) for a prompt alone, `POST /images/edits`
/// (multipart, `image[]` parts) when character references are attached.
struct OpenAIImageProvider: RemoteImageProvider {
    static let defaultBaseURL = URL(string: "https://api.openai.com/v1")!
    static let defaultKeyVariable = "OPENAI_API_KEY"
    static let service = "OpenAI images API"

    /// What goes into every request, from the configuration.
    struct Settings: Sendable, Equatable {
        var model: String
        /// `1024x1024`, `1536x1024`, `auto`, …; nil picks the model's size nearest the panel's shape.
        var size: String?
        /// `low`, `medium`, `high`, `auto` (GPT image models) or `standard`, `hd` (DALL·E 3); nil omits it.
        var quality: String?
        /// `url` or `b64_json`, for DALL·E models only: GPT image models always answer base64 and
        /// reject the field, so nil omits it.
        var responseFormat: String?
        /// An OpenAI-compatible server's `/v1`.
        var baseURL: URL

        init(model: String = "gpt-image-1", size: String? = nil, quality: String? = nil, responseFormat: String? = nil,
                    baseURL: URL = OpenAIImageProvider.defaultBaseURL)
        {
            self.model = model
            self.size = size
            self.quality = quality
            self.responseFormat = responseFormat
            self.baseURL = baseURL
        }
    }

    let name = "openai"
    var settings: Settings
    var model: String { settings.model }
    var baseURL: URL { settings.baseURL }
    /// GPT image models (and compatible servers) take references through `/images/edits`;
    /// DALL·E models cannot use them, so their panels get the appearances in the prompt instead.
    var acceptsReferenceImages: Bool { !settings.model.hasPrefix("dall-e") }
    /// Put into each image's `ImageMetadata.costUSD`.
    var pricePerImageUSD: Double?
    let apiKey: String
    let call: RemoteImageCall

    /// `apiKey` is the value the caller read from `keyVariable`, which error messages name. `http`
    /// is used as given, except that its redaction also hides `apiKey`.
    init(apiKey: String, settings: Settings = Settings(), keyVariable: String = OpenAIImageProvider.defaultKeyVariable,
                pricePerImageUSD: Double? = nil, http: RetryingHTTPClient)
    {
        self.apiKey = apiKey
        self.settings = settings
        self.pricePerImageUSD = pricePerImageUSD
        call = RemoteImageCall(service: Self.service, keyVariable: keyVariable, hiding: apiKey, http: http)
    }

    // MARK: Request building (pure)

    /// The HTTP request for `request`: JSON to `/images/generations`, or multipart to
    /// `/images/edits` when `references` are given.
    static func makeRequest(_ request: ImageRequest, references: [ReferenceImageData], settings: Settings,
                                   apiKey: String) -> HTTPRequest
    {
        var fields: [(String, JSONValue)] = [
            ("model", .string(settings.model)),
            ("prompt", .string(combinedPrompt(request))),
            ("n", .int(max(request.count, 1))),
            ("size", .string(settings.size ?? apiSize(for: request.size, model: settings.model))),
        ]
        if let quality = settings.quality { fields.append(("quality", .string(quality))) }
        if let format = settings.responseFormat { fields.append(("response_format", .string(format))) }
        let auth = ("Authorization", "Bearer \(apiKey)")

        if references.isEmpty {
            return HTTPRequest(method: "POST", url: settings.baseURL.appendingPathComponent("images/generations"),
                               headers: [auth, ("Content-Type", "application/json"), ("Accept", "application/json")],
                               body: Array(JSONValue.object(fields).compact().utf8))
        }
        let form = MultipartForm(fields: fields.map { ($0.0, $0.1.string ?? $0.1.compact()) },
                                 files: references.map { ("image[]", $0.filename, $0.mimeType, $0.bytes) })
        return HTTPRequest(method: "POST", url: settings.baseURL.appendingPathComponent("images/edits"),
                           headers: [auth, ("Content-Type", form.contentType), ("Accept", "application/json")],
                           body: form.body)
    }

    /// The size the model accepts nearest `size`'s shape: GPT image models take 1024x1024,
    /// 1536x1024 and 1024x1536; DALL·E 3 1024x1024, 1792x1024 and 1024x1792; DALL·E 2 squares.
    /// Other models (compatible servers) get `size` as it is.
    static func apiSize(for size: ImageSize, model: String) -> String {
        let ratio = Double(size.width) / Double(size.height)
        let shape = ratio > 1.2 ? 1 : ratio < 1 / 1.2 ? -1 : 0
        switch model {
        case let name where name.hasPrefix("gpt-image"):
            return shape > 0 ? "1536x1024" : shape < 0 ? "1024x1536" : "1024x1024"
        case "dall-e-3":
            return shape > 0 ? "1792x1024" : shape < 0 ? "1024x1792" : "1024x1024"
        case "dall-e-2":
            return "1024x1024"
        default:
            return size.description
        }
    }

    // MARK: Response parsing (pure)

    /// The picture in `response` (base64 or a link), or the error its status and body mean: a
    /// content-policy refusal, a rejected key, or a service still failing after the retries.
    static func parse(response: HTTPResponse, model: String,
                             keyVariable: String = defaultKeyVariable) throws(ProviderError) -> ImageReply
    {
        let json = JSONValue.body(of: response)
        guard (200...299).contains(response.status) else {
            let error = json?["error"]
            let message = error?["message"]?.string ?? excerpt(response.bodyText)
            let code = error?["code"]?.string ?? error?["type"]?.string
            if response.status == 400, let code, ["content_policy_violation", "moderation_blocked"].contains(code) {
                throw ProviderError(.refused, "OpenAI refused the prompt (\(code)): \(message)")
            }
            let detail = code.map { "\($0): \(message)" } ?? message
            throw ProviderError.http(status: response.status, detail: detail, service: service, keyVariable: keyVariable)
        }
        guard let json else {
            throw ProviderError(.invalidAnswer, "\(service) answered with something that is not JSON: \(excerpt(response.bodyText, limit: 120))")
        }
        guard let items = json["data"]?.array, let item = items.first else {
            throw ProviderError(.invalidAnswer, "\(service) answered without an image (no `data` item)")
        }
        let metadata = ImageMetadata(model: model, requestID: response.headers["x-request-id"],
                                     revisedPrompt: item["revised_prompt"]?.string)
        var reply = ImageReply(payload: try payload(item), metadata: metadata)
        // With `n` above 1, every further item is another candidate.
        for other in items.dropFirst() { reply.more.append(try payload(other)) }
        return reply
    }

    /// One `data` item's picture: base64 bytes or an http(s) link.
    static func payload(_ item: JSONValue) throws(ProviderError) -> ImagePayload {
        if let base64 = item["b64_json"]?.string {
            let image = try ImageBytes.decode(base64: base64, service: service)
            return .inline(bytes: image.bytes, mimeType: image.mimeType)
        }
        if let link = item["url"]?.string, let url = URL(string: link), ["http", "https"].contains(url.scheme?.lowercased() ?? "") {
            return .remote(url)
        }
        throw ProviderError(.invalidAnswer, "\(service) answered without `b64_json` or an http(s) `url`")
    }

    /// Every candidate from one request with `n` (the API makes up to 10 images a call).
    func generateCandidates(_ request: ImageRequest) async throws(ProviderError) -> [GeneratedImage] {
        let (settings, apiKey, call, model) = (settings, apiKey, call, model)
        return try await call.generateAll(request, apiKey: apiKey, costUSD: pricePerImageUSD,
                                          makeRequest: { Self.makeRequest(request, references: $0, settings: settings, apiKey: apiKey) },
                                          parse: { response throws(ProviderError) in
                                              try Self.parse(response: response, model: model, keyVariable: call.keyVariable)
                                          })
    }
}

/// A `multipart/form-data` body with a boundary derived from its content, so the same request
/// always has the same bytes.
struct MultipartForm {
    let boundary: String
    let body: [UInt8]
    var contentType: String { "multipart/form-data; boundary=\(boundary)" }

    init(fields: [(name: String, value: String)], files: [(name: String, filename: String, mimeType: String, bytes: [UInt8])]) {
        var parts: [(headers: String, content: [UInt8])] = fields.map {
            ("Content-Disposition: form-data; name=\"\(Self.quoted($0.name))\"\r\n", Array($0.value.utf8))
        }
        parts += files.map {
            ("Content-Disposition: form-data; name=\"\(Self.quoted($0.name))\"; filename=\"\(Self.quoted($0.filename))\"\r\n"
                + "Content-Type: \($0.mimeType)\r\n", $0.bytes)
        }
        var seed = parts.flatMap { Array($0.headers.utf8) + $0.content }
        var boundary: String
        repeat {
            boundary = "panelproc-" + String(SHA256.hex(seed).prefix(32))
            seed += Array(boundary.utf8)
        } while parts.contains { Self.contains($0.content, Array(boundary.utf8)) }
        var body: [UInt8] = []
        for part in parts {
            body += Array("--\(boundary)\r\n\(part.headers)\r\n".utf8)
            body += part.content
            body += Array("\r\n".utf8)
        }
        body += Array("--\(boundary)--\r\n".utf8)
        self.boundary = boundary
        self.body = body
    }

    /// Quotes and line breaks would end the header value early.
    private static func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\"", with: "%22").replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, haystack.count >= needle.count else { return false }
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first, haystack[start..<(start + needle.count)].elementsEqual(needle) { return true }
            start += 1
        }
        return false
    }
}
