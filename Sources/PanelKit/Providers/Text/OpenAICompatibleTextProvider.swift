import Foundation

/// Any OpenAI-compatible chat-completions endpoint (OpenAI, OpenRouter, Ollama, llama.cpp's
/// `llama-server`, vLLM, LM Studio): `POST {baseURL}/chat/completions`.
///
/// The answer is asked for as structured output (`response_format` `json_schema`, or
/// `json_object` for servers without schema support), decoded (a ```json fence is tolerated) and
/// validated against the template's schema. An answer that does not decode or validate, or that
/// was cut off (`finish_reason: "length"`), gets exactly one re-ask quoting the problem; a second
/// bad answer is `.invalidAnswer`. Transport retries are `RetryingHTTPClient`'s.
public struct OpenAICompatibleTextProvider: TextProvider, CustomStringConvertible, CustomReflectable {
    static let defaultBaseURL = URL(string: "https://api.openai.com/v1")!
    static let defaultKeyVariable = "OPENAI_API_KEY"
    static let service = "chat completions API"

    /// How the answer's shape is asked for.
    enum ResponseFormat: String, Sendable, Equatable, CaseIterable {
        /// `{"type":"json_schema","json_schema":{"name":…,"schema":…,"strict":true}}` (the default).
        case jsonSchema = "json_schema"
        /// `{"type":"json_object"}`, the schema spelled out in the system message instead.
        case jsonObject = "json_object"
    }

    /// What goes into every request, from the configuration.
    struct Settings: Sendable, Equatable {
        var model: String
        /// The server's `/v1`.
        var baseURL: URL
        var responseFormat: ResponseFormat
        var temperature: Double?
        var seed: Int?
        /// `max_tokens` for a request that brings none (every call from a run brings its stage's
        /// bound); nil leaves it to the server.
        var maxTokens: Int?
        /// The model's context window in tokens (`context_window`); nil asks llama-server's
        /// `GET /props` once, and checks nothing when that does not answer.
        var contextWindow: Int?

        init(model: String = "gpt-4o-mini", baseURL: URL = OpenAICompatibleTextProvider.defaultBaseURL,
                    responseFormat: ResponseFormat = .jsonSchema, temperature: Double? = nil, seed: Int? = nil, maxTokens: Int? = nil,
                    contextWindow: Int? = nil)
        {
            self.contextWindow = contextWindow
            self.model = model
            self.baseURL = baseURL
            self.responseFormat = responseFormat
            self.temperature = temperature
            self.seed = seed
            self.maxTokens = maxTokens
        }
    }

    /// A chat-completions answer, parsed.
    struct Reply: Sendable, Equatable {
        var content: String
        var finishReason: String?
        var requestID: String?
        var tokensIn: Int?
        var tokensOut: Int?
    }

    public let name = "openai"
    public let isLocal = false
    let honoursTokenBound = true
    var settings: Settings
    public var model: String { settings.model }
    /// The environment variable the key came from, named in errors.
    let keyVariable: String
    private let apiKey: String
    private let http: RetryingHTTPClient
    private let contextWindow: ContextWindowProbe

    /// `apiKey` is the value the caller read from `keyVariable`. `http` is used as given, except
    /// that its redaction also hides `apiKey`. An empty key is only accepted for a server on this
    /// machine (llama-server, Ollama, LM Studio need none); elsewhere it is `.unauthorized`.
    init(apiKey: String, settings: Settings = Settings(), keyVariable: String = OpenAICompatibleTextProvider.defaultKeyVariable,
                http: RetryingHTTPClient)
    {
        self.apiKey = apiKey.trimmingCharacters(in: .whitespacesAndNewlines)
        self.settings = settings
        self.keyVariable = keyVariable
        var http = http
        http.redaction = Redaction(secrets: http.redaction.secrets + [apiKey, self.apiKey])
        self.http = http
        self.contextWindow = ContextWindowProbe(known: settings.contextWindow, baseURL: settings.baseURL, http: http)
    }

    public var description: String { "openai(\(model) at \(settings.baseURL.absoluteString))" }
    public var customMirror: Mirror {
        Mirror(self, children: ["model": model, "baseURL": settings.baseURL, "keyVariable": keyVariable], displayStyle: .struct)
    }

    /// Everything besides the model that decides the answer, for the cache key.
    public var cacheParameters: String {
        var parts = ["response_format=\(settings.responseFormat.rawValue)"]
        if let temperature = settings.temperature { parts.append("temperature=\(temperature)") }
        if let seed = settings.seed { parts.append("seed=\(seed)") }
        if let maxTokens = settings.maxTokens { parts.append("max_tokens=\(maxTokens)") }
        return parts.joined(separator: ",")
    }

    /// Hosts that need no key.
    static func isLoopback(_ url: URL) -> Bool {
        ["127.0.0.1", "localhost", "::1", "[::1]"].contains(url.host?.lowercased() ?? "")
    }

    // MARK: Completing

    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        do throws(ProviderError) {
            return try await completeUnredacted(request)
        } catch {
            // Whatever path raised it, no secret leaves in a message.
            throw ProviderError(error.kind, http.redaction.redact(error.message))
        }
    }

    private func completeUnredacted(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        if apiKey.isEmpty && !Self.isLoopback(settings.baseURL) {
            throw ProviderError(.unauthorized, "no API key for the \(Self.service) at \(settings.baseURL.host ?? "?"): set \(keyVariable)"
                                + keyHint)
        }
        var attempts = 0
        let firstRequest = Self.makeRequest(request: request, settings: settings, apiKey: apiKey, repair: nil)
        try await checkFits(firstRequest, request: request)
        let first = try await exchange(firstRequest, attempts: &attempts)
        let firstCheck = Self.check(first, schema: request.template.validationSchema)
        if case .valid(let value) = firstCheck {
            return TextCompletion(value: value, raw: first.content, providerRequestID: first.requestID, tokensIn: first.tokensIn,
                                  tokensOut: first.tokensOut, attempts: attempts, finishReason: first.finishReason)
        }
        guard case .invalid(let problem) = firstCheck else { fatalError("unreachable") }
        let repairRequest = Self.makeRequest(request: request, settings: settings, apiKey: apiKey,
                                             repair: (previousAnswer: first.content, problem: problem))
        do throws(ProviderError) {
            try await checkFits(repairRequest, request: request)
        } catch {
            throw ProviderError(error.kind, "the repair re-ask (the first answer \(problem)) \(error.message)")
        }
        let second = try await exchange(repairRequest, attempts: &attempts)
        let tokensIn = Self.sum(first.tokensIn, second.tokensIn), tokensOut = Self.sum(first.tokensOut, second.tokensOut)
        switch Self.check(second, schema: request.template.validationSchema) {
        case .valid(let value):
            return TextCompletion(value: value, raw: second.content, providerRequestID: second.requestID, tokensIn: tokensIn,
                                  tokensOut: tokensOut, attempts: attempts, finishReason: second.finishReason,
                                  notes: ["repaired: the first answer \(problem); one re-ask fixed it"])
        case .invalid(let secondProblem):
            throw ProviderError(.invalidAnswer, "\(request.template.name) answer did not validate after a repair: \(secondProblem) "
                                + "(first answer: \(problem))")
        }
    }

    /// Refuses, before anything is sent, a request whose prompt and answer bound cannot fit the
    /// model's context window (when it is known): the server would refuse it or cut the answer off.
    private func checkFits(_ http: HTTPRequest, request: TextRequest) async throws(ProviderError) {
        guard let window = await contextWindow.tokens() else { return }
        let prompt = Self.estimatedPromptTokens(http.body)
        let answer = request.maxTokens ?? settings.maxTokens ?? 0
        guard prompt + answer > window else { return }
        throw ProviderError(.contextOverflow,
                            "needs about \(prompt) prompt tokens + \(answer) answer tokens (max_tokens), more than the model's "
                                + "context window of \(window) tokens; not sent: use a model with a larger context, or lower "
                                + "`max_tokens` for \(request.template.name) in panelproc.yml")
    }

    /// A tokenizer-free estimate that errs high: three bytes a token for the messages' text (English
    /// runs near four), plus eight tokens a message for the chat template's markers.
    static func estimatedPromptTokens(_ body: [UInt8]) -> Int {
        guard let messages = (try? JSONValue.parse(String(decoding: body, as: UTF8.self)))?["messages"]?.array else { return body.count / 3 }
        return messages.reduce(0) { total, message in total + (message["content"]?.string?.utf8.count ?? 0) / 3 + 8 }
    }

    private var keyHint: String {
        keyVariable == Self.defaultKeyVariable ? " (or the variable named by openai_api_key_env)" : " (named by openai_api_key_env)"
    }

    private static func sum(_ a: Int?, _ b: Int?) -> Int? { a == nil && b == nil ? nil : (a ?? 0) + (b ?? 0) }

    /// Sends with retries and parses the last response; counts HTTP attempts into `attempts`.
    private func exchange(_ request: HTTPRequest, attempts: inout Int) async throws(ProviderError) -> Reply {
        let exchange = await http.execute(request)
        attempts += exchange.attempts.count
        let tries = exchange.attempts.count == 1 ? "1 attempt" : "\(exchange.attempts.count) attempts"
        switch exchange.result {
        case .failure(let failure):
            if failure.kind == .cancelled { throw ProviderError(.unavailable, "\(Self.service) call cancelled") }
            throw ProviderError(.unavailable, "\(Self.service) at \(settings.baseURL.host ?? "?") unreachable after \(tries): \(failure)")
        case .success(let response):
            do throws(ProviderError) {
                return try Self.parse(response: response, keyVariable: keyVariable)
            } catch where error.kind == .unavailable {
                throw ProviderError(.unavailable, "\(error.message) (after \(tries))")
            } catch where error.kind == .unauthorized {
                throw ProviderError(.unauthorized, error.message + keyHint)
            }
        }
    }

    enum Checked {
        case valid(JSONValue)
        case invalid(String)
    }

    /// The answer as a value satisfying `schema`, or the problem to quote in the re-ask.
    static func check(_ reply: Reply, schema: JSONValue) -> Checked {
        let text = unfenced(reply.content)
        let value: JSONValue
        do {
            value = try JSONValue.parse(text)
        } catch {
            if reply.finishReason == "length" {
                return .invalid("was cut off at the token limit (finish_reason \"length\") before its JSON was complete")
            }
            return .invalid("is not valid JSON (\(error.message))")
        }
        if reply.finishReason == "length" {
            return .invalid("was cut off at the token limit (finish_reason \"length\")")
        }
        let problems = JSONSchemaValidator.problems(value, schema: schema)
        if let first = problems.first {
            return .invalid("does not match the schema: " + ([first] + problems.dropFirst().prefix(2)).joined(separator: "; "))
        }
        return .valid(value)
    }

    /// `text` without a surrounding Markdown code fence (```json … ```), trimmed.
    static func unfenced(_ text: String) -> String {
        var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard body.hasPrefix("```") else { return body }
        body.removeFirst(3)
        if let newline = body.firstIndex(where: \.isNewline) {
            body = String(body[body.index(after: newline)...])
        } else {
            body = String(body.drop { $0.isLetter })
        }
        body = body.trimmingCharacters(in: .whitespacesAndNewlines)
        if body.hasSuffix("```") { body.removeLast(3) }
        return body.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: Request building (pure)

    /// `POST {baseURL}/chat/completions` with a system and a user message; with `repair`, the
    /// previous answer as the assistant's turn and a user message quoting what was wrong with it.
    static func makeRequest(request: TextRequest, settings: Settings, apiKey: String,
                                   repair: (previousAnswer: String, problem: String)?) -> HTTPRequest
    {
        let schemaText = request.template.schema.compact()
        var system = request.system
        if settings.responseFormat == .jsonObject {
            system += (system.hasSuffix("\n") || system.isEmpty ? "" : "\n") + "\nAnswer with one JSON object matching this JSON Schema:\n" + schemaText
        }
        var messages: [JSONValue] = [
            .object([("role", .string("system")), ("content", .string(system))]),
            .object([("role", .string("user")), ("content", .string(request.user))]),
        ]
        if let repair {
            // A bounded excerpt: a rambling answer quoted whole can by itself overflow the context.
            messages.append(.object([("role", .string("assistant")), ("content", .string(repairExcerpt(repair.previousAnswer)))]))
            messages.append(.object([("role", .string("user")), ("content", .string(
                "Your previous answer \(repair.problem). Reply again with only a JSON object matching this JSON Schema, "
                    + "with no prose and no code fence:\n" + schemaText))]))
        }
        let responseFormat: JSONValue
        switch settings.responseFormat {
        case .jsonSchema:
            responseFormat = .object([
                ("type", .string("json_schema")),
                ("json_schema", .object([("name", .string(request.template.name)), ("schema", request.template.schema),
                                         ("strict", .bool(true))])),
            ])
        case .jsonObject:
            responseFormat = .object([("type", .string("json_object"))])
        }
        var fields: [(String, JSONValue)] = [
            ("model", .string(settings.model)),
            ("messages", .array(messages)),
            ("response_format", responseFormat),
        ]
        if let temperature = settings.temperature { fields.append(("temperature", .double(temperature))) }
        if let seed = settings.seed { fields.append(("seed", .int(seed))) }
        if let maxTokens = request.maxTokens ?? settings.maxTokens { fields.append(("max_tokens", .int(maxTokens))) }
        var headers: [(String, String)] = []
        if !apiKey.isEmpty { headers.append(("Authorization", "Bearer \(apiKey)")) }
        headers += [("Content-Type", "application/json"), ("Accept", "application/json")]
        return HTTPRequest(method: "POST", url: settings.baseURL.appendingPathComponent("chat/completions"), headers: headers,
                           body: Array(JSONValue.object(fields).compact().utf8))
    }

    /// The longest part of a bad answer a repair re-ask quotes back, in characters.
    static let repairExcerptLimit = 600

    /// `answer` when short; otherwise its head and tail around a note of what was left out, so the
    /// re-ask shows where the answer went wrong without paying for all of it again.
    static func repairExcerpt(_ answer: String) -> String {
        guard answer.count > repairExcerptLimit else { return answer }
        let head = answer.prefix(repairExcerptLimit * 2 / 3), tail = answer.suffix(repairExcerptLimit / 3)
        return "\(head)\n[… \(answer.count - head.count - tail.count) characters left out …]\n\(tail)"
    }

    // MARK: Response parsing (pure)

    /// The first choice's content, finish reason, request id and token counts, or the error the
    /// status and body mean: 401/403 `.unauthorized` naming `keyVariable`; 429/5xx (retries over)
    /// `.unavailable`; other 4xx `.refused` with the server's message.
    static func parse(response: HTTPResponse, keyVariable: String = defaultKeyVariable) throws(ProviderError) -> Reply {
        let json = JSONValue.body(of: response)
        guard (200...299).contains(response.status) else {
            let error = json?["error"]
            let message = error?["message"]?.string ?? error?.string ?? json?["message"]?.string ?? excerpt(response.bodyText)
            let code = error?["code"]?.string ?? error?["type"]?.string
            let detail = code.map { "\($0): \(message)" } ?? message
            throw ProviderError.http(status: response.status, detail: detail, service: service, keyVariable: keyVariable)
        }
        guard let json else {
            throw ProviderError(.invalidAnswer, "the \(service) answered with something that is not JSON: \(excerpt(response.bodyText, limit: 120))")
        }
        guard let choice = json["choices"]?.array?.first else {
            throw ProviderError(.invalidAnswer, "the \(service) answered without a choice")
        }
        let message = choice["message"]
        if let refusal = message?["refusal"]?.string, !refusal.isEmpty {
            throw ProviderError(.refused, "the model refused: \(excerpt(refusal))")
        }
        let usage = json["usage"]
        return Reply(content: message?["content"]?.string ?? "", finishReason: choice["finish_reason"]?.string,
                     requestID: response.headers["x-request-id"] ?? json["id"]?.string,
                     tokensIn: usage?["prompt_tokens"]?.integer, tokensOut: usage?["completion_tokens"]?.integer)
    }
}
