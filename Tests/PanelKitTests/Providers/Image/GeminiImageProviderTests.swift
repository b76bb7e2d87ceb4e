import Foundation
@testable import PanelKit
import TestSupport
import Testing

@Suite("Gemini images: request building")
struct GeminiImageRequestTests {
    @Test("generateContent with the key header, the prompt, both modalities and the panel's aspect ratio")
    func promptOnly() throws {
        let request = GeminiImageProvider.makeRequest(imageRequest(size: ImageSize(width: 1600, height: 900)), references: [],
                                                      settings: .init(), apiKey: "g-test")
        #expect(request.method == "POST")
        #expect(request.url.absoluteString
            == "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash-image:generateContent")
        #expect(request.header("x-goog-api-key") == "g-test")
        #expect(request.header("Authorization") == nil)
        #expect(request.header("Content-Type") == "application/json")
        let body = try jsonBody(request)
        let content = try #require(body["contents"]?.array?.first)
        #expect(content["role"]?.string == "user")
        let parts = try #require(content["parts"]?.array)
        #expect(parts.count == 1)
        #expect(parts[0]["text"]?.string?.hasSuffix("Avoid: text, watermark") == true)
        #expect(body["generationConfig"]?["responseModalities"]?.strings == ["TEXT", "IMAGE"])
        #expect(body["generationConfig"]?["imageConfig"]?["aspectRatio"]?.string == "16:9")
    }

    @Test("References travel as labelled inline_data parts", .tags(.references))
    func references() throws {
        let (folder, files) = try writeReferences()
        defer { try? FileManager.default.removeItem(at: folder) }
        let references = try files.map { file throws(ProviderError) in try ReferenceImageData.load(file) }
        let request = GeminiImageProvider.makeRequest(imageRequest(references: files), references: references,
                                                      settings: .init(model: "gemini-test", aspectRatio: "4:3",
                                                                      baseURL: URL(string: "http://127.0.0.1:9/v1beta")!),
                                                      apiKey: "g-test")
        #expect(request.url.absoluteString == "http://127.0.0.1:9/v1beta/models/gemini-test:generateContent")
        let body = try jsonBody(request)
        let parts = try #require(body["contents"]?.array?.first?["parts"]?.array)
        #expect(parts.count == 5)
        #expect(parts[1]["text"]?.string == "Reference image of mara:")
        #expect(parts[2]["inline_data"]?["mime_type"]?.string == "image/png")
        #expect(parts[2]["inline_data"]?["data"]?.string == Data(tinyPNG).base64EncodedString())
        #expect(parts[3]["text"]?.string == "Reference image of tomas:")
        #expect(body["generationConfig"]?["imageConfig"]?["aspectRatio"]?.string == "4:3")
    }

    @Test("The nearest accepted aspect ratio", arguments: [
        (1000, 1000, "1:1"), (1600, 900, "16:9"), (900, 1600, "9:16"), (1500, 1000, "3:2"), (1200, 1000, "5:4"),
        (2520, 1080, "21:9"), (1024, 768, "4:3"),
    ])
    func aspectRatios(width: Int, height: Int, expected: String) {
        #expect(GeminiImageProvider.aspectRatio(for: ImageSize(width: width, height: height)) == expected)
    }
}

@Suite("Gemini images: response parsing against recorded fixtures")
struct GeminiImageParsingTests {
    @Test("inlineData decodes to the PNG; model version and response id are kept")
    func image() throws {
        let reply = try GeminiImageProvider.parse(response: try fixtureResponse("gemini-image"), model: "configured")
        #expect(reply.payload == .inline(bytes: tinyPNG, mimeType: "image/png"))
        #expect(reply.metadata.model == "gemini-2.5-flash-image")
        #expect(reply.metadata.requestID == "Q2FhZ2VzX3Jlc3BvbnNlX2lk")
    }

    @Test("A blocked prompt fails the panel with the block reason")
    func blockedPrompt() async throws {
        let response = try fixtureResponse("gemini-blocked-prompt")
        let error = await providerError { () throws(ProviderError) in _ = try GeminiImageProvider.parse(response: response, model: "m") }
        #expect(error?.kind == .refused)
        #expect(error?.message == "Gemini blocked the prompt (SAFETY)")
    }

    @Test("A safety stop without an image fails the panel with the finish reason and message")
    func imageSafety() async throws {
        let response = try fixtureResponse("gemini-image-safety")
        let error = await providerError { () throws(ProviderError) in _ = try GeminiImageProvider.parse(response: response, model: "m") }
        #expect(error?.kind == .refused)
        #expect(error?.message.contains("IMAGE_SAFETY") == true)
        #expect(error?.message.contains("Prohibited Use policy") == true)
    }

    @Test("A text-only answer is a refusal that quotes the text")
    func textOnly() async {
        let body = #"{"candidates":[{"content":{"role":"model","parts":[{"text":"I can't draw that person."}]},"finishReason":"STOP"}]}"#
        let error = await providerError { () throws(ProviderError) in
            _ = try GeminiImageProvider.parse(response: HTTPResponse(status: 200, body: Array(body.utf8)), model: "m")
        }
        #expect(error?.kind == .refused)
        #expect(error?.message.contains("I can't draw that person.") == true)
    }

    @Test("A 429 is unavailable; its RetryInfo delay stands in for Retry-After")
    func rateLimit() async throws {
        let response = try fixtureResponse("gemini-rate-limit")
        let error = await providerError { () throws(ProviderError) in _ = try GeminiImageProvider.parse(response: response, model: "m") }
        #expect(error?.kind == .unavailable)
        #expect(error?.message.contains("RESOURCE_EXHAUSTED") == true)
        #expect(GeminiImageProvider.retryDelay(in: response) == "17")

        let client = ScriptedHTTPClient([.success(response), .success(try fixtureResponse("gemini-image"))])
        let sleeps = SleepRecorder()
        let provider = GeminiImageProvider(apiKey: "g-test", http: instantRetries(client, sleeps: sleeps))
        _ = try await provider.generate(imageRequest())
        #expect(sleeps.durations == [.seconds(17)])
    }

    @Test("A bad key (400 API_KEY_INVALID) or 403 stops the run naming GEMINI_API_KEY")
    func unauthorized() async throws {
        let response = try fixtureResponse("gemini-unauthorized")
        let error = await providerError { () throws(ProviderError) in _ = try GeminiImageProvider.parse(response: response, model: "m") }
        #expect(error?.kind == .unauthorized)
        #expect(error?.message.contains("set GEMINI_API_KEY") == true)
        let denied = #"{"error":{"code":403,"message":"Method doesn't allow unregistered callers.","status":"PERMISSION_DENIED"}}"#
        let forbidden = await providerError { () throws(ProviderError) in
            _ = try GeminiImageProvider.parse(response: HTTPResponse(status: 403, body: Array(denied.utf8)), model: "m")
        }
        #expect(forbidden?.kind == .unauthorized)
        let invalid = #"{"error":{"code":400,"message":"Unsupported aspect ratio.","status":"INVALID_ARGUMENT"}}"#
        let badRequest = await providerError { () throws(ProviderError) in
            _ = try GeminiImageProvider.parse(response: HTTPResponse(status: 400, body: Array(invalid.utf8)), model: "m")
        }
        #expect(badRequest?.kind == .refused)
        #expect(badRequest?.message.contains("INVALID_ARGUMENT: Unsupported aspect ratio.") == true)
    }

    @Test("The provider attaches references, prices the image, and reports the key variable")
    func provider() async throws {
        let (folder, files) = try writeReferences()
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = ScriptedHTTPClient([.success(try fixtureResponse("gemini-image"))])
        let provider = GeminiImageProvider(apiKey: "g-test", pricePerImageUSD: 0.039, http: instantRetries(client))
        #expect(provider.name == "gemini")
        #expect(provider.acceptsReferenceImages)
        let image = try await provider.generate(imageRequest(references: files))
        #expect(image.bytes == tinyPNG)
        #expect(image.metadata.costUSD == 0.039)
        let parts = try #require(try jsonBody(client.requests[0])["contents"]?.array?.first?["parts"]?.array)
        #expect(parts.filter { $0["inline_data"] != nil }.count == 2)
    }
}
