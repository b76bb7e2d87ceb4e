import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py` on a loopback port (see
/// `LoopbackServer`). Foundation only, so both test targets can use it.
public final class FakeChatAPI: @unchecked Sendable {
    private let server: LoopbackServer
    public var port: Int { server.port }

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// Starts a server with the script's command-line options (`--faults 500=0.3`, `--key K`, …).
    public static func start(_ arguments: [String] = []) async throws -> FakeChatAPI {
        FakeChatAPI(server: try await LoopbackServer.start("fake_chat_api.py", arguments: arguments))
    }

    private init(server: LoopbackServer) { self.server = server }

    /// Stops the server and returns its exit status.
    @discardableResult
    public func stop() async -> Int32 { await server.stop() }

    /// API requests served so far, and how many ended each way (`ok`, `429`, `429ra`, `500`,
    /// `drop`, `malformed`, `truncated`, `401`, `429rpm`).
    public func count() async throws -> (total: Int, byOutcome: [String: Int]) {
        let object = try await get("/count") as? [String: Any]
        let total = object?["total"] as? Int ?? -1
        let byOutcome = (object?["by_outcome"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
        return (total, byOutcome)
    }

    /// The most chat requests the server was answering at the same moment.
    public func maxInFlight() async throws -> Int {
        (try await get("/count") as? [String: Any])?["max_in_flight"] as? Int ?? -1
    }

    /// What each API request carried (`GET /requests`).
    public func requests() async throws -> [[String: Any]] {
        try await get("/requests") as? [[String: Any]] ?? []
    }

    private func get(_ path: String) async throws -> Any {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 5
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, _) = try await session.data(from: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        return try JSONSerialization.jsonObject(with: data)
    }
}
