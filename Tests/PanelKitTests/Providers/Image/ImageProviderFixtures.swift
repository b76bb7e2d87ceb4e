import Foundation
@testable import PanelKit
import TestSupport
import Testing

/// The 4×4 PNG inside the fixtures and served by the fake API.
let tinyPNG = [UInt8](Data(base64Encoded: "iVBORw0KGgoAAAANSUhEUgAAAAQAAAAECAIAAAAmkwkpAAAAEElEQVR4nGO4kGAARwzEcQBGUhYBd1sDpAAAAABJRU5ErkJggg==")!)

/// The canary key: it must never show up in a message or an attempt record.
let canaryKey = "sk-canary-1234567890"

/// A recorded exchange from `Fixtures/providers/<name>.json` as the response the provider got.
func fixtureResponse(_ name: String) throws -> HTTPResponse {
    let text = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("providers/\(name).json")), as: UTF8.self)
    let json = try JSONValue.parse(text, file: name)
    let status = try #require(json["status"]?.integer)
    let headers = Dictionary(uniqueKeysWithValues: (json["headers"]?.members ?? []).map { ($0.0, $0.1.string ?? "") })
    return HTTPResponse(status: status, headers: headers, body: Array((json["body"] ?? .null).compact().utf8))
}

/// A panel's image request: wide by default, with a negative prompt.
func imageRequest(size: ImageSize = ImageSize(width: 1600, height: 1000), references: [ReferenceImageFile] = []) -> ImageRequest {
    ImageRequest(prompt: "Ink and flat colour. Wide shot: Mara hands a paper note across a market stall at dusk.",
                 negativePrompt: "text, watermark", size: size, references: references,
                 layout: PanelLayout(panelID: "p01-01", title: nil, shot: nil, characters: ["Mara"], bubbles: []))
}

/// Two reference pictures written to a fresh folder (removed by the caller).
func writeReferences() throws -> (folder: URL, files: [ReferenceImageFile]) {
    let folder = try makeTemporaryFolder()
    let files = try ["mara", "tomas"].map { id -> ReferenceImageFile in
        let url = folder.appendingPathComponent("\(id)-front.png")
        try Data(tinyPNG).write(to: url)
        return ReferenceImageFile(characterID: id, path: url.path, mimeType: "image/png")
    }
    return (folder, files)
}

/// The JSON body of `request`.
func jsonBody(_ request: HTTPRequest) throws -> JSONValue {
    try JSONValue.parse(String(decoding: request.body, as: UTF8.self))
}

/// `body` of a throwing provider call: the error it threw, or nil (recorded as an issue).
func providerError(_ body: () async throws(ProviderError) -> Void, sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> ProviderError? {
    do throws(ProviderError) {
        try await body()
        Issue.record("expected a ProviderError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// A retrying client over `base` that never really waits.
func instantRetries(_ base: any HTTPClient, policy: RetryPolicy = RetryPolicy(jitter: 0), sleeps: SleepRecorder = SleepRecorder()) -> RetryingHTTPClient {
    RetryingHTTPClient(base, policy: policy, sleep: sleeps.sleep)
}

extension HTTPRequest {
    var bodyText: String { String(decoding: body, as: UTF8.self) }
}
