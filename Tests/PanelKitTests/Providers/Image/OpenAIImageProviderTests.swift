import Foundation
@testable import PanelKit
import TestSupport
import Testing

@Suite("OpenAI images: request building")
struct OpenAIImageRequestTests {
    @Test("A prompt alone goes to /images/generations as JSON, with the key and the panel's size")
    func generations() throws {
        let settings = OpenAIImageProvider.Settings(model: "gpt-image-1", quality: "medium")
        let request = OpenAIImageProvider.makeRequest(imageRequest(), references: [], settings: settings, apiKey: "sk-test")
        #expect(request.method == "POST")
        #expect(request.url.absoluteString == "https://api.openai.com/v1/images/generations")
        #expect(request.header("authorization") == "Bearer sk-test")
        #expect(request.header("Content-Type") == "application/json")
        let body = try jsonBody(request)
        #expect(body.members?.map(\.0) == ["model", "prompt", "n", "size", "quality"])
        #expect(body["model"]?.string == "gpt-image-1")
        #expect(body["n"]?.integer == 1)
        #expect(body["size"]?.string == "1536x1024")
        #expect(body["quality"]?.string == "medium")
        let prompt = try #require(body["prompt"]?.string)
        #expect(prompt.hasPrefix("Ink and flat colour."))
        #expect(prompt.hasSuffix("Avoid: text, watermark"))
        #expect(body["response_format"] == nil, "GPT image models reject response_format")
    }

    @Test("Configured size, response format and base URL are used as given")
    func overrides() throws {
        let settings = OpenAIImageProvider.Settings(model: "dall-e-3", size: "1024x1024", responseFormat: "url",
                                                    baseURL: URL(string: "http://localhost:8080/v1")!)
        let request = OpenAIImageProvider.makeRequest(imageRequest(), references: [], settings: settings, apiKey: "k")
        #expect(request.url.absoluteString == "http://localhost:8080/v1/images/generations")
        let body = try jsonBody(request)
        #expect(body["size"]?.string == "1024x1024")
        #expect(body["response_format"]?.string == "url")
        #expect(body["quality"] == nil)
    }

    @Test("References switch to multipart /images/edits with one image[] part each", .tags(.references))
    func edits() throws {
        let (folder, files) = try writeReferences()
        defer { try? FileManager.default.removeItem(at: folder) }
        let references = try files.map { file throws(ProviderError) in try ReferenceImageData.load(file) }
        let request = OpenAIImageProvider.makeRequest(imageRequest(references: files), references: references,
                                                      settings: .init(), apiKey: "sk-test")
        #expect(request.url.absoluteString == "https://api.openai.com/v1/images/edits")
        #expect(request.header("Authorization") == "Bearer sk-test")
        let contentType = try #require(request.header("Content-Type"))
        #expect(contentType.hasPrefix("multipart/form-data; boundary="))
        let boundary = String(contentType.dropFirst("multipart/form-data; boundary=".count))

        // Split the body on the boundary: 4 fields, 2 files, then the closing delimiter.
        let text = String(decoding: request.body, as: UTF8.self)
        let parts = text.components(separatedBy: "--\(boundary)")
        #expect(parts.first == "")
        #expect(parts.last == "--\r\n")
        let sections = parts.dropFirst().dropLast()
        #expect(sections.count == 6)
        #expect(sections.contains { $0.contains("name=\"model\"\r\n\r\ngpt-image-1\r\n") })
        #expect(sections.contains { $0.contains("name=\"n\"\r\n\r\n1\r\n") })
        #expect(sections.contains { $0.contains("name=\"size\"\r\n\r\n1536x1024\r\n") })
        let images = sections.filter { $0.contains("name=\"image[]\"") }
        #expect(images.count == 2)
        #expect(images[0].contains("filename=\"mara-front.png\"\r\nContent-Type: image/png\r\n\r\n"))
        #expect(images[1].contains("filename=\"tomas-front.png\""))
        // The PNG bytes travel unchanged.
        let signature = Array("\r\n\r\n".utf8) + Array(tinyPNG.prefix(8))
        #expect(request.body.indices.contains { request.body[$0...].starts(with: signature) })

        let again = OpenAIImageProvider.makeRequest(imageRequest(references: files), references: references,
                                                    settings: .init(), apiKey: "sk-test")
        #expect(again.body == request.body, "same request, same bytes")
    }

    @Test("Sizes follow the panel's shape within what each model accepts", arguments: [
        (1600, 1000, "gpt-image-1", "1536x1024"), (1000, 1600, "gpt-image-1", "1024x1536"), (1000, 1000, "gpt-image-1", "1024x1024"),
        (1600, 900, "dall-e-3", "1792x1024"), (900, 1600, "dall-e-3", "1024x1792"), (1600, 900, "dall-e-2", "1024x1024"),
        (1600, 900, "flux-dev", "1600x900"),
    ])
    func sizes(width: Int, height: Int, model: String, expected: String) {
        #expect(OpenAIImageProvider.apiSize(for: ImageSize(width: width, height: height), model: model) == expected)
    }
}

@Suite("OpenAI images: response parsing against recorded fixtures")
struct OpenAIImageParsingTests {
    @Test("b64_json decodes to the PNG, with the request id from the headers")
    func base64() throws {
        let reply = try OpenAIImageProvider.parse(response: try fixtureResponse("openai-b64"), model: "gpt-image-1")
        #expect(reply.payload == .inline(bytes: tinyPNG, mimeType: "image/png"))
        #expect(reply.metadata.model == "gpt-image-1")
        #expect(reply.metadata.requestID == "req_7f3a9c1e2b4d4e8f9a0b1c2d3e4f5a6b")
    }

    @Test("A url answer is a link to fetch, with the revised prompt")
    func url() throws {
        let reply = try OpenAIImageProvider.parse(response: try fixtureResponse("openai-url"), model: "dall-e-3")
        guard case .remote(let url) = reply.payload else { Issue.record("expected a link"); return }
        #expect(url.host == "oaidalleapiprodscus.blob.core.windows.net")
        #expect(reply.metadata.revisedPrompt?.hasPrefix("A wide comic panel") == true)
    }

    @Test("A content-policy refusal fails the panel with OpenAI's reason")
    func contentPolicy() async throws {
        let response = try fixtureResponse("openai-content-policy")
        let error = await providerError { () throws(ProviderError) in _ = try OpenAIImageProvider.parse(response: response, model: "gpt-image-1") }
        #expect(error?.kind == .refused)
        #expect(error?.message.contains("content_policy_violation") == true)
        #expect(error?.message.contains("rejected as a result of our safety system") == true)
    }

    @Test("A 429 that outlived the retries is unavailable; its Retry-After is read")
    func rateLimit() async throws {
        let response = try fixtureResponse("openai-rate-limit")
        let error = await providerError { () throws(ProviderError) in _ = try OpenAIImageProvider.parse(response: response, model: "gpt-image-1") }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("HTTP 429") == true)
        #expect(RetryPolicy().delay(attempt: 1, retryAfter: response.headers["retry-after"]) == .seconds(7))
    }

    @Test("401 stops the run and names the variable to set")
    func unauthorized() async throws {
        let response = try fixtureResponse("openai-unauthorized")
        let error = await providerError { () throws(ProviderError) in _ = try OpenAIImageProvider.parse(response: response, model: "gpt-image-1") }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("set OPENAI_API_KEY") == true)
        let custom = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: response, model: "gpt-image-1", keyVariable: "PANELPROC_IMAGE_KEY")
        }
        #expect(custom?.message.contains("set PANELPROC_IMAGE_KEY") == true)
        let forbidden = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: HTTPResponse(status: 403, body: Array("forbidden".utf8)), model: "gpt-image-1")
        }
        #expect(forbidden?.kind == .unauthorized)
    }

    @Test("Other 4xx fail the panel; 5xx HTML and bodies without an image are told apart")
    func otherShapes() async {
        let badRequest = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: HTTPResponse(status: 400, body: Array(#"{"error":{"message":"Invalid size '999x1'.","code":"invalid_value"}}"#.utf8)), model: "m")
        }
        #expect(badRequest?.kind == .refused)
        #expect(badRequest?.message.contains("invalid_value: Invalid size '999x1'.") == true)
        let gateway = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: HTTPResponse(status: 502, body: Array("<html>Bad gateway</html>".utf8)), model: "m")
        }
        #expect(gateway?.kind == .unavailable)
        #expect(gateway?.message.contains("<html>Bad gateway</html>") == true)
        let empty = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: HTTPResponse(status: 200, body: Array(#"{"data":[]}"#.utf8)), model: "m")
        }
        #expect(empty?.kind == .invalidAnswer)
        let notImage = await providerError { () throws(ProviderError) in
            _ = try OpenAIImageProvider.parse(response: HTTPResponse(status: 200, body: Array(#"{"data":[{"b64_json":"aGVsbG8="}]}"#.utf8)), model: "m")
        }
        #expect(notImage?.kind == .invalidAnswer)
    }
}

@Suite("OpenAI images: the provider over a scripted client")
struct OpenAIImageProviderTests {
    @Test("A url answer is fetched through the same client, without the key, and priced")
    func fetchesLinks() async throws {
        let client = ScriptedHTTPClient([.success(try fixtureResponse("openai-url")), .success(HTTPResponse(status: 200, headers: ["Content-Type": "image/png"], body: tinyPNG))])
        let provider = OpenAIImageProvider(apiKey: "sk-test", settings: .init(model: "dall-e-3", responseFormat: "url"),
                                           pricePerImageUSD: 0.04, http: instantRetries(client))
        let image = try await provider.generate(imageRequest())
        #expect(image.bytes == tinyPNG)
        #expect(image.mimeType == "image/png")
        #expect(image.metadata.costUSD == 0.04)
        #expect(image.metadata.model == "dall-e-3")
        #expect(!provider.acceptsReferenceImages, "DALL·E 3 has no edits endpoint")
        #expect(provider.name == "openai")
        #expect(OpenAIImageProvider(apiKey: "k", http: instantRetries(client)).acceptsReferenceImages)
        let requests = client.requests
        #expect(requests.count == 2)
        #expect(requests[1].method == "GET")
        #expect(requests[1].url.host == "oaidalleapiprodscus.blob.core.windows.net")
        #expect(requests[1].header("Authorization") == nil, "the key must not leave for another host")
    }

    @Test("No key: unauthorized at once, naming the variable, without a request")
    func missingKey() async {
        let client = ScriptedHTTPClient([])
        let provider = OpenAIImageProvider(apiKey: "", http: instantRetries(client))
        let error = await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest()) }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("set OPENAI_API_KEY") == true)
        #expect(client.callCount == 0)
    }

    @Test("An unreadable reference fails the panel before any request", .tags(.references))
    func unreadableReference() async {
        let client = ScriptedHTTPClient([])
        let provider = OpenAIImageProvider(apiKey: "sk-test", http: instantRetries(client))
        let missing = ReferenceImageFile(characterID: "mara", path: "/nonexistent/mara.png", mimeType: "image/png")
        let error = await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest(references: [missing])) }
        #expect(error?.kind == .refused)
        #expect(error?.message.contains("/nonexistent/mara.png") == true)
        #expect(client.callCount == 0)
    }

    @Test("429 on every attempt: unavailable after five tries, with the waits 1, 2, 4, 8 s")
    func exhaustedRetries() async {
        let client = ScriptedHTTPClient(Array(repeating: .status(429), count: 5))
        let sleeps = SleepRecorder()
        let provider = OpenAIImageProvider(apiKey: "sk-test", http: instantRetries(client, sleeps: sleeps))
        let error = await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest()) }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("after 5 attempts") == true)
        #expect(client.callCount == 5)
        #expect(sleeps.durations == [.seconds(1), .seconds(2), .seconds(4), .seconds(8)])
    }

    @Test("A refusal is not retried")
    func refusalNotRetried() async throws {
        let client = ScriptedHTTPClient([.success(try fixtureResponse("openai-content-policy"))])
        let provider = OpenAIImageProvider(apiKey: "sk-test", http: instantRetries(client))
        let error = await providerError { () throws(ProviderError) in _ = try await provider.generate(imageRequest()) }
        #expect(error?.kind == .refused)
        #expect(client.callCount == 1)
    }
}

extension Tag {
    @Tag static var references: Self
}
