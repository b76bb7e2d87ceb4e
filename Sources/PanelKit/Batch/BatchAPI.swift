import Foundation

/// A batch as the provider describes it (`GET {base}/batches/{id}`).
public struct BatchInfo: Sendable, Equatable {
    public var id: String
    public var status: String
    public var outputFileID: String?
    public var errorFileID: String?
    public var total: Int
    public var completed: Int
    public var failed: Int
}

/// OpenAI's Files and Batch APIs: `POST {base}/files` (multipart, `purpose=batch`), `POST
/// {base}/batches`, `GET {base}/batches/{id}`, `GET {base}/files/{id}/content`. The key goes
/// in the Authorization header only, and every message is redacted.
struct BatchAPI: Sendable {
    static let service = "batch API"
    static let endpoint = "/v1/chat/completions"

    var baseURL: URL
    var apiKey: String
    var keyVariable: String
    var http: RetryingHTTPClient

    init(baseURL: URL, apiKey: String, keyVariable: String, http: RetryingHTTPClient) {
        self.baseURL = baseURL
        self.apiKey = apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        self.keyVariable = keyVariable
        var http = http
        http.redaction = Redaction(secrets: http.redaction.secrets + [apiKey, self.apiKey])
        self.http = http
    }

    /// The API the run's settings name (`openai_base_url`, the key from `openai_api_key_env`).
    static func make(_ settings: RunSettings, environment: [String: String]) throws(InputError) -> BatchAPI {
        guard settings.textProvider == .openai else {
            throw InputError(file: settings.file ?? "panelproc.yml",
                             message: "batches go to a provider's Batch API; the text provider is `\(settings.textProvider.rawValue)`",
                             hint: "set `provider: openai` (and `openai_base_url` for another server), or pass --provider openai")
        }
        var baseURL = OpenAICompatibleTextProvider.defaultBaseURL
        if let text = settings.openAIBaseURL {
            guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https" else {
                throw InputError(file: settings.file ?? "OPENAI_BASE_URL", message: "`openai_base_url` should be an http(s) URL, found `\(text)`")
            }
            baseURL = url
        }
        var policy = RetryPolicy()
        if let attempts = settings.retryAttempts { policy.maxAttempts = attempts }
        if let base = settings.retryBaseDelay { policy.baseDelay = .milliseconds(Int64(base * 1000)) }
        let client = RetryingHTTPClient(URLSessionHTTPClient(maxConnectionsPerHost: 4, requestTimeoutSeconds: 600), policy: policy)
        return BatchAPI(baseURL: baseURL, apiKey: environment[settings.openAIKeyVariable] ?? "", keyVariable: settings.openAIKeyVariable,
                        http: client)
    }

    private var headers: [(String, String)] { apiKey.isEmpty ? [] : [("Authorization", "Bearer \(apiKey)")] }

    private func checkKey() throws(ProviderError) {
        if apiKey.isEmpty && !OpenAICompatibleTextProvider.isLoopback(baseURL) {
            throw ProviderError(.unauthorized, "no API key for the \(Self.service) at \(baseURL.host ?? "?"): set \(keyVariable)")
        }
    }

    /// Uploads a JSONL file for a batch; returns its file id.
    func upload(_ bytes: [UInt8], filename: String) async throws(ProviderError) -> String {
        let boundary = "panelproc-" + SHA256.hex(filename + String(bytes.count)).prefix(24)
        var body: [UInt8] = []
        func text(_ string: String) { body += Array(string.utf8) }
        text("--\(boundary)\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n")
        text("--\(boundary)\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(filename)\"\r\nContent-Type: application/jsonl\r\n\r\n")
        body += bytes
        text("\r\n--\(boundary)--\r\n")
        let request = HTTPRequest(method: "POST", url: baseURL.appendingPathComponent("files"),
                                  headers: headers + [("Content-Type", "multipart/form-data; boundary=\(boundary)"), ("Accept", "application/json")],
                                  body: body)
        let json = try await send(request, what: "upload \(filename)")
        guard let id = json["id"]?.string else { throw ProviderError(.invalidAnswer, "the \(Self.service) answered an upload without a file id") }
        return id
    }

    /// Creates a batch over an uploaded file.
    func create(inputFileID: String, metadata: [(String, String)]) async throws(ProviderError) -> BatchInfo {
        let body = JSONValue.object([
            ("input_file_id", .string(inputFileID)), ("endpoint", .string(Self.endpoint)), ("completion_window", .string("24h")),
            ("metadata", .object(metadata.map { ($0.0, .string(String($0.1.prefix(512)))) })),
        ])
        let request = HTTPRequest(method: "POST", url: baseURL.appendingPathComponent("batches"),
                                  headers: headers + [("Content-Type", "application/json"), ("Accept", "application/json")],
                                  body: Array(body.compact().utf8))
        return try Self.info(try await send(request, what: "create a batch"))
    }

    func batch(_ id: String) async throws(ProviderError) -> BatchInfo {
        let request = HTTPRequest(method: "GET", url: baseURL.appendingPathComponent("batches").appendingPathComponent(id),
                                  headers: headers + [("Accept", "application/json")])
        return try Self.info(try await send(request, what: "read batch \(id)"))
    }

    /// A file's bytes (a batch's output or error file: JSONL).
    func content(_ fileID: String) async throws(ProviderError) -> [UInt8] {
        try checkKey()
        let request = HTTPRequest(method: "GET", url: baseURL.appendingPathComponent("files").appendingPathComponent(fileID)
            .appendingPathComponent("content"), headers: headers)
        return try await exchange(request, what: "download file \(fileID)").body
    }

    private func send(_ request: HTTPRequest, what: String) async throws(ProviderError) -> JSONValue {
        try checkKey()
        let response = try await exchange(request, what: what)
        guard let json = JSONValue.body(of: response) else {
            throw ProviderError(.invalidAnswer, "the \(Self.service) answered \(what) with something that is not JSON")
        }
        return json
    }

    private func exchange(_ request: HTTPRequest, what: String) async throws(ProviderError) -> HTTPResponse {
        let exchange = await http.execute(request)
        switch exchange.result {
        case .failure(let failure):
            throw ProviderError(.unavailable, http.redaction.redact("\(Self.service) at \(baseURL.host ?? "?") unreachable (\(what)): \(failure)"))
        case .success(let response):
            guard (200...299).contains(response.status) else {
                let json = JSONValue.body(of: response)
                let message = json?["error"]?["message"]?.string ?? String(response.bodyText.prefix(200))
                let error = ProviderError.http(status: response.status, detail: "\(what): \(message)", service: Self.service, keyVariable: keyVariable)
                throw ProviderError(error.kind, http.redaction.redact(error.message))
            }
            return response
        }
    }

    static func info(_ json: JSONValue) throws(ProviderError) -> BatchInfo {
        guard let id = json["id"]?.string, let status = json["status"]?.string else {
            throw ProviderError(.invalidAnswer, "the \(service) answered without a batch id and status")
        }
        let counts = json["request_counts"]
        return BatchInfo(id: id, status: status, outputFileID: json["output_file_id"]?.string, errorFileID: json["error_file_id"]?.string,
                         total: counts?["total"]?.integer ?? 0, completed: counts?["completed"]?.integer ?? 0,
                         failed: counts?["failed"]?.integer ?? 0)
    }
}
