import Foundation

/// A reference picture read from disk, ready to attach to a request.
struct ReferenceImageData: Sendable, Equatable {
    var characterID: String
    var filename: String
    var mimeType: String
    var bytes: [UInt8]

    init(characterID: String, filename: String, mimeType: String, bytes: [UInt8]) {
        self.characterID = characterID
        self.filename = filename
        self.mimeType = mimeType
        self.bytes = bytes
    }

    /// Reads `file`; an unreadable reference fails that panel.
    static func load(_ file: ReferenceImageFile) throws(ProviderError) -> ReferenceImageData {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw ProviderError(.refused, "cannot read the reference image of \(file.characterID) at \(file.path)")
        }
        return ReferenceImageData(characterID: file.characterID, filename: URL(fileURLWithPath: file.path).lastPathComponent,
                                  mimeType: file.mimeType, bytes: [UInt8](data))
    }
}

/// A provider behind an HTTP images API: it builds the request and parses the answer (both pure);
/// `RemoteImageCall` does the rest (references, retries, redaction, fetching linked pictures).
protocol RemoteImageProvider: ImageProvider, CustomStringConvertible, CustomReflectable {
    associatedtype Settings: Sendable
    var settings: Settings { get }
    var apiKey: String { get }
    var call: RemoteImageCall { get }
    var pricePerImageUSD: Double? { get }
    var baseURL: URL { get }
    static func makeRequest(_ request: ImageRequest, references: [ReferenceImageData], settings: Settings, apiKey: String) -> HTTPRequest
    static func parse(response: HTTPResponse, model: String, keyVariable: String) throws(ProviderError) -> ImageReply
}

extension RemoteImageProvider {
    var description: String { "\(name)(\(model))" }
    /// Never the key.
    var customMirror: Mirror { Mirror(self, children: ["model": model, "baseURL": baseURL], displayStyle: .struct) }

    func generate(_ request: ImageRequest) async throws(ProviderError) -> GeneratedImage {
        let (settings, apiKey, call, model) = (settings, apiKey, call, model)
        return try await call.generate(request, apiKey: apiKey, costUSD: pricePerImageUSD,
                                       makeRequest: { Self.makeRequest(request, references: $0, settings: settings, apiKey: apiKey) },
                                       parse: { response throws(ProviderError) in
                                           try Self.parse(response: response, model: model, keyVariable: call.keyVariable)
                                       })
    }
}

/// Where a provider's answer keeps the picture.
enum ImagePayload: Sendable, Equatable {
    case inline(bytes: [UInt8], mimeType: String)
    /// To be fetched (without credentials: such links are signed and may point elsewhere).
    case remote(URL)
}

/// A provider's answer, parsed: the picture or its address, and what the provider said about it.
struct ImageReply: Sendable, Equatable {
    var payload: ImagePayload
    var metadata: ImageMetadata
    /// Further pictures of the same answer (OpenAI's `n` above 1), in order.
    var more: [ImagePayload] = []

    init(payload: ImagePayload, metadata: ImageMetadata) {
        self.payload = payload
        self.metadata = metadata
    }
}

/// Recognising and decoding image bytes.
enum ImageBytes {
    /// The MIME type from the file signature: PNG, JPEG, GIF or WebP; nil for anything else.
    static func mimeType(of bytes: [UInt8]) -> String? {
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return "image/png" }
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return "image/jpeg" }
        if bytes.starts(with: Array("GIF8".utf8)) { return "image/gif" }
        if bytes.count >= 12, bytes.starts(with: Array("RIFF".utf8)), Array(bytes[8..<12]) == Array("WEBP".utf8) { return "image/webp" }
        return nil
    }

    /// Base64 `text` as image bytes, checked to be a picture.
    static func decode(base64 text: String, service: String) throws(ProviderError) -> (bytes: [UInt8], mimeType: String) {
        guard let data = Data(base64Encoded: text, options: .ignoreUnknownCharacters), !data.isEmpty else {
            throw ProviderError(.invalidAnswer, "\(service) sent image data that is not valid base64")
        }
        let bytes = [UInt8](data)
        guard let mimeType = mimeType(of: bytes) else {
            throw ProviderError(.invalidAnswer, "\(service) sent \(bytes.count) bytes that are not a PNG, JPEG, GIF or WebP image")
        }
        return (bytes, mimeType)
    }
}

/// The steps the HTTP image providers share: retries, status mapping, downloading, redaction.
struct RemoteImageCall: Sendable {
    /// `OpenAI images API`, `Gemini API`: how messages name the service.
    var service: String
    var keyVariable: String
    var http: RetryingHTTPClient

    /// `http` as given, except that its redaction also hides `apiKey`.
    init(service: String, keyVariable: String, hiding apiKey: String, http: RetryingHTTPClient) {
        var http = http
        http.redaction = Redaction(secrets: http.redaction.secrets + [apiKey])
        self.service = service
        self.keyVariable = keyVariable
        self.http = http
    }

    /// Makes one image with `send`, then guarantees the contract every message relies on: no
    /// secret in it, whatever the path that raised it.
    func run(_ body: () async throws(ProviderError) -> GeneratedImage) async throws(ProviderError) -> GeneratedImage {
        do throws(ProviderError) {
            return try await body()
        } catch {
            throw ProviderError(error.kind, http.redaction.redact(error.message))
        }
    }

    /// The key, or `.unauthorized` naming the variable to set.
    /// What both providers do for one image: check the key, load the references, make one
    /// exchange, parse it, and fetch the picture when the answer is a link.
    func generate(_ request: ImageRequest, apiKey: String, costUSD: Double?,
                  makeRequest: ([ReferenceImageData]) -> HTTPRequest,
                  parse: (HTTPResponse) throws(ProviderError) -> ImageReply) async throws(ProviderError) -> GeneratedImage
    {
        try await run { () async throws(ProviderError) -> GeneratedImage in
            try requireKey(apiKey)
            var references: [ReferenceImageData] = []
            for file in request.references { references.append(try ReferenceImageData.load(file)) }
            let reply = try await exchange(makeRequest(references)) { response throws(ProviderError) in try parse(response) }
            return try await image(from: reply, costUSD: costUSD)
        }
    }

    /// `generate` for a request asking for several images at once: every picture of the answer,
    /// each at `costUSD`.
    func generateAll(_ request: ImageRequest, apiKey: String, costUSD: Double?,
                     makeRequest: ([ReferenceImageData]) -> HTTPRequest,
                     parse: (HTTPResponse) throws(ProviderError) -> ImageReply) async throws(ProviderError) -> [GeneratedImage]
    {
        var images: [GeneratedImage] = []
        _ = try await run { () async throws(ProviderError) -> GeneratedImage in
            try requireKey(apiKey)
            var references: [ReferenceImageData] = []
            for file in request.references { references.append(try ReferenceImageData.load(file)) }
            let reply = try await exchange(makeRequest(references)) { response throws(ProviderError) in try parse(response) }
            for payload in [reply.payload] + reply.more {
                images.append(try await image(from: ImageReply(payload: payload, metadata: reply.metadata), costUSD: costUSD))
            }
            return images[0]
        }
        return images
    }

    func requireKey(_ apiKey: String) throws(ProviderError) {
        if apiKey.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            throw ProviderError(.unauthorized, "no API key for the \(service): set \(keyVariable)")
        }
    }

    /// Sends `request` with retries and parses the last response; a 429 or 5xx that outlived
    /// every retry, or a network failure, is `.unavailable` with the number of attempts.
    func exchange(_ request: HTTPRequest,
                  parse: (HTTPResponse) throws(ProviderError) -> ImageReply) async throws(ProviderError) -> ImageReply
    {
        let exchange = await http.execute(request)
        let tries = exchange.attempts.count == 1 ? "1 attempt" : "\(exchange.attempts.count) attempts"
        switch exchange.result {
        case .failure(let failure):
            throw ProviderError(.unavailable, "\(service) unreachable after \(tries): \(failure)")
        case .success(let response):
            do throws(ProviderError) {
                return try parse(response)
            } catch where error.kind == .unavailable {
                throw ProviderError(.unavailable, "\(error.message) (after \(tries))")
            }
        }
    }

    /// The picture itself: inline bytes as they are, a link fetched through the same client.
    func image(from reply: ImageReply, costUSD: Double?) async throws(ProviderError) -> GeneratedImage {
        var metadata = reply.metadata
        metadata.costUSD = costUSD
        switch reply.payload {
        case .inline(let bytes, let mimeType):
            return GeneratedImage(bytes: bytes, mimeType: mimeType, metadata: metadata)
        case .remote(let url):
            // Signed links carry tokens in the query: name only the host in messages.
            let place = url.host ?? "the link"
            let download = HTTPRequest(method: "GET", url: url, headers: [("Accept", "image/*")])
            let exchange = await http.execute(download)
            switch exchange.result {
            case .failure(let failure):
                throw ProviderError(.unavailable, "could not download the image from \(place): \(failure)")
            case .success(let response) where response.status == 200:
                guard let mimeType = ImageBytes.mimeType(of: response.body) else {
                    throw ProviderError(.invalidAnswer, "the image downloaded from \(place) is not a PNG, JPEG, GIF or WebP image")
                }
                return GeneratedImage(bytes: response.body, mimeType: mimeType, metadata: metadata)
            case .success(let response):
                throw ProviderError(.unavailable, "could not download the image from \(place): HTTP \(response.status)")
            }
        }
    }
}

extension ProviderError {
    /// A missing or rejected key: no call can succeed, so the run stops and says what to set.
    static func rejectedKey(status: Int, detail: String, service: String, keyVariable: String) -> ProviderError {
        ProviderError(.unauthorized, "\(service) rejected the API key (HTTP \(status): \(detail)); set \(keyVariable) to a valid key")
    }

    /// The error for a non-2xx status: 401/403 stop the run naming `keyVariable`; 429 and 5xx are
    /// unavailable (retries are over by now); any other 4xx fails the panel with `detail`.
    static func http(status: Int, detail: String, service: String, keyVariable: String) -> ProviderError {
        switch status {
        case 401, 403:
            return rejectedKey(status: status, detail: detail, service: service, keyVariable: keyVariable)
        case 429, 500...599:
            return ProviderError(.unavailable, "\(service) unavailable: HTTP \(status): \(detail)")
        case 400...499:
            return ProviderError(.refused, "\(service) rejected the request (HTTP \(status)): \(detail)")
        default:
            return ProviderError(.unavailable, "\(service) answered with unexpected HTTP status \(status): \(detail)")
        }
    }
}

extension JSONValue {
    /// `response`'s body as JSON, or nil when it is not JSON.
    static func body(of response: HTTPResponse) -> JSONValue? {
        try? JSONValue.parse(response.bodyText)
    }
}

/// A prompt as one text: these APIs have no negative prompt, so what to avoid is spelled out.
func combinedPrompt(_ request: ImageRequest) -> String {
    let avoid = request.negativePrompt.trimmingCharacters(in: .whitespacesAndNewlines)
    return avoid.isEmpty ? request.prompt : request.prompt + "\n\nAvoid: " + avoid
}

/// The first `limit` characters of `text` on one line, for messages.
func excerpt(_ text: String, limit: Int = 300) -> String {
    let line = text.split(whereSeparator: \.isNewline).joined(separator: " ").trimmingCharacters(in: .whitespaces)
    return line.count > limit ? String(line.prefix(limit)) + "…" : line
}
