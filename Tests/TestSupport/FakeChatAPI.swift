import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `Tests/PanelKitTests/Fixtures/servers/fake_chat_api.py` on a loopback port: started with
/// Foundation.Process, stopped by closing its stdin (signals may be blocked in processes started
/// this way), and waited for with `terminationHandler` (`waitUntilExit` spins and hangs here).
/// Foundation only, so both test targets can use it.
public final class FakeChatAPI: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let input: FileHandle
    private let exited: AsyncStream<Int32>
    private let lock = NSLock()
    private var stopped = false

    public var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    /// Starts a server with the script's command-line options (`--faults 500=0.3`, `--key K`, …).
    public static func start(_ arguments: [String] = []) async throws -> FakeChatAPI {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepoPaths.fixture("servers/fake_chat_api.py").path] + arguments
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        let (exited, continuation) = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { finished in
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
        let reader = stdout.fileHandleForReading
        let line: String = await withCheckedContinuation { done in
            DispatchQueue.global().async {
                var data = Data()
                while !data.contains(0x0A) {
                    let chunk = reader.availableData
                    if chunk.isEmpty { break }
                    data.append(chunk)
                }
                done.resume(returning: String(decoding: data, as: UTF8.self))
            }
        }
        let server = FakeChatAPI(port: Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, process: process,
                                 input: stdin.fileHandleForWriting, exited: exited)
        guard server.port > 0 else {
            _ = await server.stop()
            throw FakeChatAPIError(message: "fake_chat_api.py did not print a port (got \(line.debugDescription))")
        }
        return server
    }

    private init(port: Int, process: Process, input: FileHandle, exited: AsyncStream<Int32>) {
        self.port = port
        self.process = process
        self.input = input
        self.exited = exited
    }

    deinit { closeInput() }

    /// Stops the server and returns its exit status.
    @discardableResult
    public func stop() async -> Int32 {
        closeInput()
        for await status in exited { return status }
        return process.terminationStatus
    }

    /// API requests served so far, and how many ended each way (`ok`, `429`, `429ra`, `500`,
    /// `drop`, `malformed`, `truncated`, `401`, `429rpm`).
    public func count() async throws -> (total: Int, byOutcome: [String: Int]) {
        let object = try await get("/count") as? [String: Any]
        let total = object?["total"] as? Int ?? -1
        let byOutcome = (object?["by_outcome"] as? [String: Any] ?? [:]).compactMapValues { $0 as? Int }
        return (total, byOutcome)
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

    private func closeInput() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { try? input.close() }
    }
}

public struct FakeChatAPIError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
