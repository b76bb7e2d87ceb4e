import Foundation
@testable import PanelKit
import TestSupport

/// `Fixtures/servers/fake_image_api.py` on a loopback port (see `LoopbackServer`).
final class FakeImageAPI: @unchecked Sendable {
    private let server: LoopbackServer
    var port: Int { server.port }

    var openAIBaseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }
    var geminiBaseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1beta")! }

    /// Starts a server; `script` is the JSON array of steps described in the script's docstring.
    static func start(script: String = "[]", key: String? = nil) async throws -> FakeImageAPI {
        FakeImageAPI(server: try await LoopbackServer.start("fake_image_api.py",
                                                            arguments: ["--script", script] + (key.map { ["--key", $0] } ?? [])))
    }

    private init(server: LoopbackServer) { self.server = server }

    /// Stops the server and returns its exit status.
    @discardableResult
    func stop() async -> Int32 { await server.stop() }

    /// API requests served so far (`GET /count`'s total: everything but /count and /requests).
    func requestCount() async throws -> Int {
        try unwrap(try await get("/count")["total"]?.integer, "GET /count had no total")
    }

    /// What each API request carried (`GET /requests`).
    func requests() async throws -> [JSONValue] {
        try unwrap(try await get("/requests").array, "GET /requests was not an array")
    }

    private func get(_ path: String) async throws -> JSONValue {
        let response = try await URLSessionHTTPClient(maxConnectionsPerHost: 1, requestTimeoutSeconds: 5)
            .send(HTTPRequest(method: "GET", url: URL(string: "http://127.0.0.1:\(port)\(path)")!))
        return try JSONValue.parse(response.bodyText)
    }
}

struct FakeImageAPIError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// `value`, or an error saying what was missing.
private func unwrap<T>(_ value: T?, _ message: String) throws -> T {
    guard let value else { throw FakeImageAPIError(message: message) }
    return value
}
