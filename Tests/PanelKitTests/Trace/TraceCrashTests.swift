import Foundation
@testable import PanelKit
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// Set in the child process only: the trace file it writes until it is killed.
private let childTracePath = ProcessInfo.processInfo.environment["PANELPROC_TRACE_KILL_CHILD"]

#if os(Linux)
@Suite("Trace store: SIGKILL at any moment leaves a consistent trace")
struct TraceCrashTests {
    /// Kills a TraceStore itself: this test binary runs again as a child, running only
    /// `recordsUntilKilled`, which records calls in small batches until SIGKILL stops it, while this
    /// process writes to the same file through its own store.
    @Test("A writer killed mid-run leaves an intact file; its unfinished calls are never served")
    func killedWriter() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let parent = try TraceStore(path: path, batchSize: 3)
        var parentIDs: [Int64] = []
        func childCalls() async throws -> Int {
            Int(try await sqlite(path, "SELECT count(*) FROM calls WHERE request_hash LIKE 'done-%'").first ?? "") ?? 0
        }
        for round in 1...3 {
            let target = try await childCalls() + 300
            let child = try ChildProcess(tracePath: path, log: folder.appendingPathComponent("child-\(round).log"))
            // Let the child get well into its loop, writing alongside it, then kill it at once.
            let deadline = Date().addingTimeInterval(120)
            while try await childCalls() < target {
                try #require(Date() < deadline && !child.hasExited, "the child stopped early:\n\(child.log())")
                let request = callRecord(run: 0, panel: "parent", hash: "parent-\(round)-\(parentIDs.count)")
                let id = try await parent.callStarted(request)
                try await parent.callFinished(id, finished(request, .succeeded))
                parentIDs.append(id)
                try await Task.sleep(for: .milliseconds(20))
            }
            let signal = try await child.kill()
            #expect(signal == SIGKILL, "the child ended by itself:\n\(child.log())")
        }
        try await parent.flush()

        #expect(try await sqlite(path, "PRAGMA integrity_check") == ["ok"])
        // What the children committed is whole: a call is started or finished, never torn. Each
        // child finishes a "done" call right after starting the next "open" one, so at most the
        // last "done" call of each child can have been killed between its start and its end.
        #expect(try await sqlite(path, "SELECT DISTINCT status FROM calls WHERE request_hash LIKE 'open-%'") == ["started"])
        let unfinished = try await sqlite(path, "SELECT request_hash FROM calls WHERE request_hash LIKE 'done-%' AND status <> 'succeeded'")
        #expect(unfinished.count <= 3)
        #expect(try await sqlite(path, "SELECT count(*) FROM calls WHERE request_hash LIKE 'done-%' AND status NOT IN ('started', 'succeeded')") == ["0"])
        #expect(try await sqlite(path, "SELECT count(*) FROM calls WHERE request_hash LIKE 'done-%' AND status = 'succeeded' AND response IS NOT 'response ' || request_hash") == ["0"])
        #expect(try await sqlite(path, "SELECT count(*) FROM calls WHERE request_hash LIKE 'parent-%'") == ["\(parentIDs.count)"])

        let reopened = try TraceStore(path: path)
        let firstChildRun = try #require(try await reopened.runs(limit: 10).last).id
        for hash in unfinished + ["open-\(firstChildRun)-5"] {
            #expect(try await reopened.cachedResponse(requestHash: hash) == nil, "\(hash) was never answered")
        }
        let answered = "done-\(firstChildRun)-5"
        #expect(try await reopened.cachedResponse(requestHash: answered)?.response == "response \(answered)")
        #expect(try await reopened.runs(limit: 10).filter { $0.status == "running" }.count == 3)

        // The file still takes writes, and new ids never reuse an old one.
        let highest = Int64(try await sqlite(path, "SELECT max(id) FROM calls").first ?? "") ?? .max
        let request = callRecord(run: 0, hash: "after")
        let id = try await reopened.callStarted(request)
        try await reopened.callFinished(id, finished(request, .succeeded))
        try await reopened.flush()
        #expect(id > highest)
        #expect(try await reopened.cachedResponse(requestHash: "after")?.callID == id)
        #expect(try await sqlite(path, "PRAGMA integrity_check") == ["ok"])
    }

    @Test("Child of the SIGKILL test: records calls until killed", .enabled(if: childTracePath != nil))
    func recordsUntilKilled() async throws {
        let store = try TraceStore(path: try #require(childTracePath), batchSize: 8)
        let run = try await store.beginRun(command: "child \(getpid())", inputs: [])
        let stop = Date().addingTimeInterval(90)  // an orphaned child ends by itself
        var index = 0
        while Date() < stop {
            let done = callRecord(run: run, panel: "p\(index % 20)", hash: "done-\(run)-\(index)")
            let id = try await store.callStarted(done)
            // Started and never finished, as if the provider call were in flight at the kill.
            _ = try await store.callStarted(callRecord(run: run, panel: "p\(index % 20)", hash: "open-\(run)-\(index)"))
            try await store.callFinished(id, finished(done, .succeeded))
            try await store.setPanelState(PanelState(chapterSlug: "c", panelID: "p\(index % 20)", contentHash: "\(index)",
                                                     status: "passed", resultsJSON: "{}", runID: run))
            index += 1
        }
    }
}

/// This test binary, started again to run only `recordsUntilKilled` against `tracePath`.
private final class ChildProcess: @unchecked Sendable {
    private let process = Process()
    private let logURL: URL
    private let logHandle: FileHandle
    private let ended = AsyncStream<Int32>.makeStream()
    private let lock = NSLock()
    private var exited = false

    init(tracePath: String, log: URL) throws {
        logURL = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        logHandle = try FileHandle(forWritingTo: log)
        process.executableURL = URL(fileURLWithPath: try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
        process.arguments = ["--testing-library", "swift-testing", "--filter", "TraceCrashTests/recordsUntilKilled"]
        var environment = ProcessInfo.processInfo.environment
        environment["PANELPROC_TRACE_KILL_CHILD"] = tracePath
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = logHandle
        process.standardError = logHandle
        let continuation = ended.continuation
        // Wait with terminationHandler: waitUntilExit spun and hung on this platform.
        process.terminationHandler = { [weak self] finished in
            self?.lock.withLock { self?.exited = true }
            continuation.yield(finished.terminationStatus)
            continuation.finish()
        }
        try process.run()
    }

    var hasExited: Bool { lock.withLock { exited } }

    /// Sends SIGKILL and waits; returns the signal that ended the child, or nil if it exited.
    func kill() async throws -> Int32? {
        _ = Glibc.kill(process.processIdentifier, SIGKILL)
        var status: Int32?
        for await value in ended.stream { status = value }
        try? logHandle.close()
        return process.terminationReason == .uncaughtSignal ? status : nil
    }

    func log() -> String { (try? String(contentsOf: logURL, encoding: .utf8)) ?? "" }
}
#endif
