import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A small template with the theme stage's shape, so expected request bodies stay readable.
func miniTemplate() throws -> PromptTemplate {
    try PromptTemplate(name: "theme", version: 1, variables: [], system: "", user: "",
                       schema: try JSONValue.parse(#"{"type":"object","additionalProperties":false,"required":["theme","confidence"],"properties":{"theme":{"type":"string","minLength":1},"confidence":{"type":"number","minimum":0,"maximum":1}}}"#))
}

func miniRequest() throws -> TextRequest {
    TextRequest(template: try miniTemplate(), variables: .object([]), system: "Classify the panel.", user: "Panel scene: a market.")
}

/// A 200 chat-completions response whose content is `content`.
func chatResponse(_ content: String, finishReason: String = "stop", id: String = "chatcmpl-x") -> Result<HTTPResponse, HTTPFailure> {
    let body = JSONValue.object([
        ("id", .string(id)),
        ("choices", .array([.object([("index", .int(0)),
                                     ("message", .object([("role", .string("assistant")), ("content", .string(content))])),
                                     ("finish_reason", .string(finishReason))])])),
        ("usage", .object([("prompt_tokens", .int(10)), ("completion_tokens", .int(5))])),
    ])
    return .success(HTTPResponse(status: 200, body: Array(body.compact().utf8)))
}

let textCanaryKey = "sk-canary-1234567890abcdef"

@Suite("OpenAI-compatible text provider: requests, responses, repairs")
struct OpenAICompatibleTextProviderTests {
    let base = URL(string: "https://llm.example/v1")!

    @Test("json_schema mode: model, messages, response_format with the template's schema, temperature, seed, max_tokens, bearer key")
    func schemaRequest() throws {
        let settings = OpenAICompatibleTextProvider.Settings(model: "gpt-4o-mini", baseURL: base, temperature: 0, seed: 7, maxTokens: 256)
        let request = OpenAICompatibleTextProvider.makeRequest(request: try miniRequest(), settings: settings, apiKey: "sk-test", repair: nil)
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://llm.example/v1/chat/completions")
        #expect(request.header("Authorization") == "Bearer sk-test")
        #expect(request.header("content-type") == "application/json")
        let expected = try JSONValue.parse(#"""
            {"model":"gpt-4o-mini","messages":[{"role":"system","content":"Classify the panel."},{"role":"user","content":"Panel scene: a market."}],
             "response_format":{"type":"json_schema","json_schema":{"name":"theme","schema":{"type":"object","additionalProperties":false,"required":["theme","confidence"],"properties":{"theme":{"type":"string","minLength":1},"confidence":{"type":"number","minimum":0,"maximum":1}}},"strict":true}},
             "temperature":0,"seed":7,"max_tokens":256}
            """#)
        #expect(try JSONValue.parse(String(decoding: request.body, as: UTF8.self)) == expected)
        #expect(!request.description.contains("sk-test"), "the printable form hides the key")
    }

    @Test("json_object mode: the schema goes into the system message; optional settings are omitted")
    func jsonObjectRequest() throws {
        let settings = OpenAICompatibleTextProvider.Settings(model: "smollm2", baseURL: base, responseFormat: .jsonObject)
        let request = OpenAICompatibleTextProvider.makeRequest(request: try miniRequest(), settings: settings, apiKey: "", repair: nil)
        #expect(request.header("Authorization") == nil, "no key, no header (local servers)")
        let body = try JSONValue.parse(String(decoding: request.body, as: UTF8.self))
        #expect(body["response_format"] == .object([("type", .string("json_object"))]))
        #expect(body["temperature"] == nil && body["seed"] == nil && body["max_tokens"] == nil)
        let system = try #require(body["messages"]?.array?.first?["content"]?.string)
        #expect(system.hasPrefix("Classify the panel."))
        #expect(system.contains(try miniTemplate().schema.compact()))
    }

    @Test("A repair adds the previous answer and a user message quoting the problem")
    func repairRequest() throws {
        let settings = OpenAICompatibleTextProvider.Settings(baseURL: base)
        let request = OpenAICompatibleTextProvider.makeRequest(request: try miniRequest(), settings: settings, apiKey: "k",
                                                               repair: (previousAnswer: "{\"theme\":", problem: "is not valid JSON (end of input)"))
        let messages = try #require(try JSONValue.parse(String(decoding: request.body, as: UTF8.self))["messages"]?.array)
        #expect(messages.map { $0["role"]?.string ?? "" } == ["system", "user", "assistant", "user"])
        #expect(messages[2]["content"]?.string == "{\"theme\":")
        let ask = try #require(messages[3]["content"]?.string)
        #expect(ask.contains("is not valid JSON (end of input)"))
        #expect(ask.contains("JSON Schema"))
    }

    @Test("Parsing: content, finish reason, request id, tokens")
    func parseOK() throws {
        let reply = try OpenAICompatibleTextProvider.parse(response: try fixtureResponse("chat-ok"))
        #expect(reply.content == #"{"theme":"trade","confidence":0.8,"rationale":"coins change hands"}"#)
        #expect(reply.finishReason == "stop")
        #expect(reply.requestID == "req_chat_1")
        #expect(reply.tokensIn == 120 && reply.tokensOut == 18)
        let truncated = try OpenAICompatibleTextProvider.parse(response: try fixtureResponse("chat-length"))
        #expect(truncated.finishReason == "length")
        #expect(truncated.requestID == "chatcmpl-2")
    }

    @Test("Parsing errors: 400 refused with the server's reason, 401 unauthorized naming the variable, 429 and 500 unavailable",
          arguments: [("chat-bad-request", ProviderError.Kind.refused, "exceeds the available context size"),
                      ("chat-unauthorized", .unauthorized, "MY_KEY"),
                      ("chat-rate-limit", .unavailable, "Rate limit reached"),
                      ("chat-server-error", .unavailable, "HTTP 500")])
    func parseErrors(fixture: String, kind: ProviderError.Kind, fragment: String) throws {
        let response = try fixtureResponse(fixture)
        #expect {
            try OpenAICompatibleTextProvider.parse(response: response, keyVariable: "MY_KEY")
        } throws: { error in
            guard let error = error as? ProviderError else { return false }
            return error.kind == kind && error.message.contains(fragment)
        }
    }

    @Test("Fences are tolerated")
    func fences() {
        #expect(OpenAICompatibleTextProvider.unfenced("```json\n{\"a\":1}\n```") == "{\"a\":1}")
        #expect(OpenAICompatibleTextProvider.unfenced("  {\"a\":1} ") == "{\"a\":1}")
    }

    func provider(_ client: ScriptedHTTPClient, key: String = "sk-test", format: OpenAICompatibleTextProvider.ResponseFormat = .jsonSchema,
                  sleeps: SleepRecorder = SleepRecorder()) -> OpenAICompatibleTextProvider
    {
        OpenAICompatibleTextProvider(apiKey: key, settings: .init(model: "m", baseURL: base, responseFormat: format),
                                     http: RetryingHTTPClient(client, policy: RetryPolicy(jitter: 0), sleep: sleeps.sleep))
    }

    @Test("A valid first answer: one request, the value, tokens, attempts 1")
    func validFirst() async throws {
        let client = ScriptedHTTPClient([chatResponse("```json\n{\"theme\":\"trade\",\"confidence\":0.5}\n```")])
        let completion = try await provider(client).complete(try miniRequest())
        #expect(completion.value["theme"]?.string == "trade")
        #expect(completion.attempts == 1 && completion.notes.isEmpty)
        #expect(completion.tokensIn == 10 && completion.tokensOut == 5)
        #expect(client.callCount == 1)
    }

    @Test("An invalid first answer gets one re-ask quoting the error; the second answer is used",
          arguments: [("not json at all", "stop", "is not valid JSON"),
                      ("{\"theme\":\"\",\"confidence\":2}", "stop", "does not match the schema"),
                      ("{\"theme\":\"trade\",\"confid", "length", "cut off")])
    func repaired(first: String, finish: String, problem: String) async throws {
        let client = ScriptedHTTPClient([chatResponse(first, finishReason: finish), chatResponse("{\"theme\":\"trade\",\"confidence\":0.5}")])
        let completion = try await provider(client).complete(try miniRequest())
        #expect(completion.value["confidence"]?.number == 0.5)
        #expect(client.callCount == 2)
        #expect(completion.attempts == 2)
        #expect(completion.notes.first?.contains(problem) == true, "\(completion.notes)")
        #expect(completion.tokensIn == 20)
        let repair = try JSONValue.parse(String(decoding: client.requests[1].body, as: UTF8.self))
        let messages = try #require(repair["messages"]?.array)
        #expect(messages.count == 4)
        #expect(messages[2]["content"]?.string == first)
        #expect(messages[3]["content"]?.string?.contains(problem) == true)
    }

    @Test("Two invalid answers: invalidAnswer naming the stage, after exactly one re-ask")
    func twoInvalid() async throws {
        let client = ScriptedHTTPClient([chatResponse("nope"), chatResponse("{\"theme\":\"trade\"}")])
        await #expect {
            try await provider(client).complete(try miniRequest())
        } throws: { error in
            guard let error = error as? ProviderError else { return false }
            return error.kind == .invalidAnswer && error.message.hasPrefix("theme answer did not validate after a repair: ")
                && error.message.contains("missing required key `confidence`")
        }
        #expect(client.callCount == 2)
    }

    @Test("429 then 200: Retry-After is waited for, attempts counted")
    func retryAfter() async throws {
        let sleeps = SleepRecorder()
        let client = ScriptedHTTPClient([.status(429, retryAfter: "3"), .status(503), chatResponse("{\"theme\":\"a\",\"confidence\":1}")])
        let completion = try await provider(client, sleeps: sleeps).complete(try miniRequest())
        #expect(sleeps.durations == [.seconds(3), .seconds(2)])
        #expect(completion.attempts == 3)
    }

    @Test("401 is unauthorized naming OPENAI_API_KEY; the canary key is never in the message")
    func unauthorized() async throws {
        let body = #"{"error":{"message":"Incorrect API key provided: sk-canary-1234567890abcdef","code":"invalid_api_key"}}"#
        let client = ScriptedHTTPClient([.status(401, body: body)])
        await #expect {
            try await provider(client, key: textCanaryKey).complete(try miniRequest())
        } throws: { error in
            guard let error = error as? ProviderError else { return false }
            return error.kind == .unauthorized && error.message.contains("OPENAI_API_KEY") && !error.message.contains(textCanaryKey)
                && !"\(error)".contains(textCanaryKey)
        }
        #expect(client.callCount == 1, "401 is never retried")
    }

    @Test("A missing key: unauthorized before any request for a remote server; a loopback server needs none")
    func missingKey() async throws {
        let client = ScriptedHTTPClient([])
        await #expect {
            try await provider(client, key: "  ").complete(try miniRequest())
        } throws: { error in
            (error as? ProviderError)?.kind == .unauthorized && "\(error)".contains("set OPENAI_API_KEY")
        }
        #expect(client.callCount == 0)
        let local = ScriptedHTTPClient([chatResponse("{\"theme\":\"a\",\"confidence\":1}")])
        // A known context window: the loopback server is not asked for its `/props`.
        let loopback = OpenAICompatibleTextProvider(apiKey: "", settings: .init(baseURL: URL(string: "http://127.0.0.1:8002/v1")!, contextWindow: 8192),
                                                    http: RetryingHTTPClient(local))
        _ = try await loopback.complete(try miniRequest())
        #expect(local.requests.first?.header("Authorization") == nil)
    }

    @Test("Temperature, seed and format change the cache key; the offline engine's stays empty")
    func cacheParameters() {
        let a = OpenAICompatibleTextProvider(apiKey: "k", settings: .init(temperature: 0), http: RetryingHTTPClient(ScriptedHTTPClient([])))
        let b = OpenAICompatibleTextProvider(apiKey: "k", settings: .init(temperature: 0, seed: 1), http: RetryingHTTPClient(ScriptedHTTPClient([])))
        #expect(a.cacheParameters != b.cacheParameters)
        #expect(OfflineTextProvider().cacheParameters == "")
        #expect(!"\(a)".contains("k\"") && !String(reflecting: a).contains("apiKey"))
    }
}
