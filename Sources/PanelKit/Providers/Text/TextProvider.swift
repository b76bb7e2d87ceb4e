/// A model that answers one stage's prompt with a JSON value satisfying the template's schema.
protocol TextProvider: Sendable {
    /// `offline`, `openai`, … (recorded in the trace, part of the cache key).
    var name: String { get }
    var model: String { get }
    /// Engines that run in this process: their trace rows are batched, since redoing a lost
    /// answer costs nothing.
    var isLocal: Bool { get }
    /// Answers `request`; the value must satisfy `request.template.schema`.
    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion
    /// Settings besides `name` and `model` that decide the answer (temperature, seed, …), part of
    /// the cache key; empty (the default) adds nothing, so existing keys stay the same.
    var cacheParameters: String { get }
    /// Whether the provider sends `TextRequest.maxTokens` (then it is part of the cache key: a
    /// bound decides where an answer may be cut off). The built-in engine needs no bound.
    var honoursTokenBound: Bool { get }
}

extension TextProvider {
    var cacheParameters: String { "" }
    var honoursTokenBound: Bool { false }
}

/// One rendered prompt.
struct TextRequest: Sendable {
    var template: PromptTemplate
    var variables: JSONValue
    var system: String
    var user: String
    /// `max_tokens`: the stage's answer bound, or what `panelproc.yml` sets.
    var maxTokens: Int?

    init(template: PromptTemplate, variables: JSONValue, system: String, user: String, maxTokens: Int? = nil) {
        self.template = template
        self.variables = variables
        self.system = system
        self.user = user
        self.maxTokens = maxTokens
    }
}

/// A provider's answer and what it cost.
struct TextCompletion: Sendable {
    var value: JSONValue
    /// The answer as received, for the trace.
    var raw: String
    var providerRequestID: String?
    var tokensIn: Int?
    var tokensOut: Int?
    var costUSD: Double?
    /// HTTP attempts made for this answer, retries and a repair re-ask included (1 for engines
    /// that make none).
    var attempts: Int
    /// What happened on the way, for the trace (a repair re-ask and why).
    var notes: [String]
    /// The provider's `finish_reason` for the answer used (`stop`, `length`), for the trace.
    var finishReason: String?

    init(value: JSONValue, raw: String, providerRequestID: String? = nil, tokensIn: Int? = nil,
                tokensOut: Int? = nil, costUSD: Double? = nil, attempts: Int = 1, finishReason: String? = nil, notes: [String] = [])
    {
        self.finishReason = finishReason
        self.attempts = max(1, attempts)
        self.notes = notes
        self.value = value
        self.raw = raw
        self.providerRequestID = providerRequestID
        self.tokensIn = tokensIn
        self.tokensOut = tokensOut
        self.costUSD = costUSD
    }
}

/// Why a provider could not answer.
public struct ProviderError: Error, Sendable, CustomStringConvertible {
    enum Kind: String, Sendable, Codable {
        /// A missing or rejected key: no call can succeed, the run stops (exit 3).
        case unauthorized
        /// The provider refused this request (content policy, bad request): that panel fails.
        case refused
        /// The answer did not decode or validate, even after a repair.
        case invalidAnswer
        /// Network, timeout, 429 or 5xx after every retry.
        case unavailable
        /// No answer within the call's time budget (`call_timeout`), retries included.
        case timedOut = "timed_out"
        /// The prompt and the answer bound cannot fit the model's context window: not sent.
        case contextOverflow = "context_overflow"
    }

    var kind: Kind
    var message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}
