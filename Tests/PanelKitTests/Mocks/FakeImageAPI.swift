import Foundation
import PanelKit
import TestSupport

/// `Fixtures/servers/fake_image_api.py` on a loopback port: started with Foundation.Process,
/// stopped by closing its stdin (signals may be blocked in processes started this way), and
/// waited for with `terminationHandler` (`waitUntilExit` spins and hangs here).
final class FakeImageAPI: @unchecked Sendable {
    let port: Int
    private let process: Process
    private let input: FileHandle
    private let exited: AsyncStream<Int32>
    private let lock = NSLock()
    private var stopped = false

    var openAIBaseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }
    var geminiBaseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1beta")! }

    /// Starts a server; `script` is the JSON array of steps described in the script's docstring.
    static func start(script: String = "[]", key: String? = nil) async throws -> FakeImageAPI {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepoPaths.fixture("servers/fake_image_api.py").path, "--script", script]
            + (key.map { ["--key", $0] } ?? [])
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
        let server = FakeImageAPI(port: Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, process: process,
                                  input: stdin.fileHandleForWriting, exited: exited)
        guard server.port > 0 else {
            _ = await server.stop()
            throw FakeImageAPIError(message: "fake_image_api.py did not print a port (got \(line.debugDescription))")
        }
        return server
    }

    private init(port: Int, process: Process, input: FileHandle, exited: AsyncStream<Int32>) {
        self.port = port
        self.process = process
        self.input = input
        self.exited = exited
    }

    /// Closing stdin is the stop signal; a test that throws early still stops its server here.
    deinit { closeInput() }

    /// Stops the server and returns its exit status.
    @discardableResult
    func stop() async -> Int32 {
        closeInput()
        for await status in exited { return status }
        return process.terminationStatus
    }

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

    private func closeInput() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { try? input.close() }
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
