import Foundation

/// A Python test server from `Tests/PanelKitTests/Fixtures/servers/` on a loopback port: started
/// with Foundation.Process, stopped by closing its stdin (signals may be blocked in processes
/// started this way), and waited for with `terminationHandler` (`waitUntilExit` spins and hangs
/// here). The script prints its port on its first line and exits when its stdin closes.
public final class LoopbackServer: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let input: FileHandle
    private let exited: AsyncStream<Int32>
    private let lock = NSLock()
    private var stopped = false

    /// Starts `script` (a file name in Fixtures/servers) with its command-line `arguments`.
    public static func start(_ script: String, arguments: [String] = []) async throws -> LoopbackServer {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", RepoPaths.fixture("servers/\(script)").path] + arguments
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
        let server = LoopbackServer(port: Int(line.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, process: process,
                                    input: stdin.fileHandleForWriting, exited: exited)
        guard server.port > 0 else {
            _ = await server.stop()
            throw LoopbackServerError(message: "\(script) did not print a port (got \(line.debugDescription))")
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
    public func stop() async -> Int32 {
        closeInput()
        for await status in exited { return status }
        return process.terminationStatus
    }

    private func closeInput() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        if first { try? input.close() }
    }
}

public struct LoopbackServerError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
