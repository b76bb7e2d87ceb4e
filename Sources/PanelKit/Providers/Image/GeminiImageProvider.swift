import Foundation

/// Gemini's image output: `POST …/models/{model}:generateContent` with `responseModalities`
/// TEXT and IMAGE; character references travel as `inline_data` parts.
struct GeminiImageProvider: RemoteImageProvider {
    static let defaultBaseURL = URL(string: "https://generativelanguage.googleapis.com/v1beta")!
    static let defaultKeyVariable = "GEMINI_API_KEY"
    static let service = "Gemini API"
    /// The aspect ratios Gemini's image models accept.
    static let aspectRatios = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
    /// Finish reasons that mean the model would not draw it.
    static let refusalReasons: Set<String> = [
        "SAFETY", "IMAGE_SAFETY", "PROHIBITED_CONTENT", "IMAGE_PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION",
        "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE", "OTHER",
    ]

    /// What goes into every request, from the configuration.
    struct Settings: Sendable, Equatable {
        var model: String
        /// One of `aspectRatios`; nil picks the nearest to the panel's size.
        var aspectRatio: String?
        var baseURL: URL

        init(model: String = "gemini-2.5-flash-image", aspectRatio: String? = nil,
                    baseURL: URL = GeminiImageProvider.defaultBaseURL)
        {
            self.model = model
            self.aspectRatio = aspectRatio
            self.baseURL = baseURL
        }
    }

    let name = "gemini"
    var settings: Settings
    var model: String { settings.model }
    var baseURL: URL { settings.baseURL }
    var acceptsReferenceImages: Bool { true }
    /// Put into each image's `ImageMetadata.costUSD`.
    var pricePerImageUSD: Double?
    let apiKey: String
    private(set) var call: RemoteImageCall

    /// `apiKey` is the value the caller read from `keyVariable`, which error messages name. `http`
    /// is used as given, except that its redaction also hides `apiKey`.
    init(apiKey: String, settings: Settings = Settings(), keyVariable: String = GeminiImageProvider.defaultKeyVariable,
                pricePerImageUSD: Double? = nil, http: RetryingHTTPClient)
    {
        self.apiKey = apiKey
        self.settings = settings
        self.pricePerImageUSD = pricePerImageUSD
        call = RemoteImageCall(service: Self.service, keyVariable: keyVariable, hiding: apiKey, http: http)
        // Gemini says when to retry in the body as well as in the header.
        call.http.retryAfter = { response in response.headers["retry-after"] ?? Self.retryDelay(in: response) }
    }

    // MARK: Request building (pure)

    /// The generateContent request: the prompt, then each reference labelled with its character.
    static func makeRequest(_ request: ImageRequest, references: [ReferenceImageData], settings: Settings,
                                   apiKey: String) -> HTTPRequest
    {
        var parts: [JSONValue] = [.object([("text", .string(combinedPrompt(request)))])]
        for reference in references {
            parts.append(.object([("text", .string("Reference image of \(reference.characterID):"))]))
            parts.append(.object([("inline_data", .object([
                ("mime_type", .string(reference.mimeType)),
                ("data", .string(Data(reference.bytes).base64EncodedString())),
            ]))]))
        }
        let body = JSONValue.object([
            ("contents", .array([.object([("role", .string("user")), ("parts", .array(parts))])])),
            ("generationConfig", .object([
                ("responseModalities", .array([.string("TEXT"), .string("IMAGE")])),
                ("imageConfig", .object([("aspectRatio", .string(settings.aspectRatio ?? aspectRatio(for: request.size)))])),
            ])),
        ])
        let url = settings.baseURL.appendingPathComponent("models").appendingPathComponent("\(settings.model):generateContent")
        return HTTPRequest(method: "POST", url: url,
                           headers: [("x-goog-api-key", apiKey), ("Content-Type", "application/json"), ("Accept", "application/json")],
                           body: Array(body.compact().utf8))
    }

    /// The accepted aspect ratio nearest `size`'s.
    static func aspectRatio(for size: ImageSize) -> String {
        let wanted = log(Double(size.width) / Double(size.height))
        func distance(_ ratio: String) -> Double {
            let sides = ratio.split(separator: ":").compactMap { Double($0) }
            return abs(log(sides[0] / sides[1]) - wanted)
        }
        return aspectRatios.min { distance($0) < distance($1) } ?? "1:1"
    }

    // MARK: Response parsing (pure)

    /// The seconds of a `google.rpc.RetryInfo` detail (`"retryDelay": "17s"`), Gemini's
    /// Retry-After, which it sends in the body of a 429.
    static func retryDelay(in response: HTTPResponse) -> String? {
        guard response.status == 429 || response.status >= 500, let details = JSONValue.body(of: response)?["error"]?["details"]?.array
        else { return nil }
        for detail in details where detail["@type"]?.string?.hasSuffix("google.rpc.RetryInfo") == true {
            if let delay = detail["retryDelay"]?.string, delay.hasSuffix("s"), Double(delay.dropLast()) != nil {
                return String(delay.dropLast())
            }
        }
        return nil
    }

    /// The picture in `response`, or why there is none: a blocked prompt or a safety stop (the
    /// panel fails with Gemini's reason), a rejected key, or a service still failing after retries.
    static func parse(response: HTTPResponse, model: String,
                             keyVariable: String = defaultKeyVariable) throws(ProviderError) -> ImageReply
    {
        let json = JSONValue.body(of: response)
        guard (200...299).contains(response.status) else {
            let error = json?["error"]
            let message = error?["message"]?.string ?? excerpt(response.bodyText)
            let status = error?["status"]?.string
            let reasons = (error?["details"]?.array ?? []).compactMap { $0["reason"]?.string }
            let detail = status.map { "\($0): \(message)" } ?? message
            // Gemini answers a bad key with 400 INVALID_ARGUMENT, reason API_KEY_INVALID.
            if reasons.contains("API_KEY_INVALID") || status == "UNAUTHENTICATED" || status == "PERMISSION_DENIED" {
                throw ProviderError.rejectedKey(status: response.status, detail: detail, service: service, keyVariable: keyVariable)
            }
            throw ProviderError.http(status: response.status, detail: detail, service: service, keyVariable: keyVariable)
        }
        guard let json else {
            throw ProviderError(.invalidAnswer, "\(service) answered with something that is not JSON: \(excerpt(response.bodyText, limit: 120))")
        }
        if let blocked = json["promptFeedback"]?["blockReason"]?.string {
            let why = json["promptFeedback"]?["blockReasonMessage"]?.string.map { ": \($0)" } ?? ""
            throw ProviderError(.refused, "Gemini blocked the prompt (\(blocked))\(why)")
        }
        guard let candidate = json["candidates"]?.array?.first else {
            throw ProviderError(.invalidAnswer, "\(service) answered with no candidates")
        }
        let parts = candidate["content"]?["parts"]?.array ?? []
        let metadata = ImageMetadata(model: json["modelVersion"]?.string ?? model, requestID: json["responseId"]?.string)
        for part in parts {
            guard let inline = part["inlineData"] ?? part["inline_data"], let data = inline["data"]?.string else { continue }
            let image = try ImageBytes.decode(base64: data, service: service)
            return ImageReply(payload: .inline(bytes: image.bytes, mimeType: image.mimeType), metadata: metadata)
        }
        let reason = candidate["finishReason"]?.string ?? "STOP"
        let said = parts.compactMap { $0["text"]?.string }.joined(separator: " ")
        let because = (candidate["finishMessage"]?.string ?? (said.isEmpty ? nil : said)).map { ": " + excerpt($0) } ?? ""
        // A safety stop, or a plain stop with words instead of a picture, is the model declining.
        if refusalReasons.contains(reason) || (reason == "STOP" && !said.isEmpty) {
            throw ProviderError(.refused, "Gemini did not draw the image (\(reason))\(because)")
        }
        throw ProviderError(.invalidAnswer, "\(service) stopped without an image (\(reason))\(because)")
    }
}
