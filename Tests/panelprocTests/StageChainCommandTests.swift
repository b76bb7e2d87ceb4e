import Foundation
import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

@Suite("panelproc command line: the stage chain")
struct StageChainCommandTests {
    @Test("A failed panel gives exit 1; --force gives 0 with the panel forced; the trace explains")
    func exitStatusesAndTrace() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let failed = try await panelproc(["--json", "01-paper-and-promises.md"], in: folder)
        #expect(failed.status == 1)
        #expect(failed.stderr.contains("4 passed, 1 failed"))
        #expect(failed.stderr.contains("27 calls made, 0 cached"))

        let failedList = try await panelproc(["trace", "--failed"], in: folder)
        #expect(failedList.status == 0)
        #expect(failedList.stdoutText.contains("01-paper-and-promises/p02-02"))
        #expect(failedList.stdoutText.contains("unknown role \"The Stranger\" in panel 01-paper-and-promises/p02-02; did you mean Theo Brandt, Grandma Ada, Mira Okafor?"))

        let forced = try await panelproc(["--json", "--force", "01-paper-and-promises.md"], in: folder)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(forced.stderr.contains("4 passed, 0 failed, 1 forced"))
        #expect(forced.stderr.contains("3 calls made, 27 cached"))

        let runs = try await panelproc(["trace"], in: folder)
        let lines = runs.stdoutText.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[1].contains("--force"))

        let calls = try await panelproc(["trace", "--panel", "01-paper-and-promises/p01-01"], in: folder)
        #expect(calls.stdoutText.contains("theme [theme v2] succeeded"))
        #expect(calls.stdoutText.contains("prompt:"))
        #expect(calls.stdoutText.contains("response: {\"theme\":"))

        // The same trace, read with the sqlite3 command-line tool.
        let sqlite = try await runProcess("/usr/bin/sqlite3", [folder.appendingPathComponent(".panelproc/trace.sqlite").path,
                                                               "select count(*) from calls where status = 'succeeded' and stage != 'image'"])
        #expect(sqlite.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "30")
    }

    @Test("A malformed character database exits 2 with file:line:column, and writes nothing")
    func badDatabase() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("{\n  \"characters\": [\n    {\"id\": \"mira\", \"name\": \"Mira\"},\n    {\"id\": \"mira\", \"name\": \"Other\"}\n  ]\n}\n".utf8)
            .write(to: folder.appendingPathComponent("characters/character_base_list.json"))
        let result = try await panelproc(["--json", "02-the-double-spend.md"], in: folder)
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("character_base_list.json:4:"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("generated").path))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent(".panelproc").path))
        // A document without panels never needs the database.
        let plain = try await panelproc(["no-panels.md"], in: folder)
        #expect(plain.status == 0)
    }

    @Test("Without a database, panels that name roles fail with the places panelproc looked")
    func noDatabase() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(try sample("02-the-double-spend.md")).write(to: folder.appendingPathComponent("two.md"))
        let result = try await panelproc(["--verbose", "two.md"], in: folder)
        #expect(result.status == 1)
        #expect(result.stderr.contains("no character database found; looked in:"))
    }

    @Test("SIGKILL mid-run leaves a consistent trace; the rerun finishes only what had not finished")
    func killAndResume() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        var chapter = "# Chapter 9: Many Panels\n\n"
        for page in 1...20 {
            chapter += "## Page \(page)\n\n"
            for panel in 1...10 {
                chapter += "### Panel \(panel)\n\nMira counts \(page) coins and \(panel) notes at Theo's stall.\n\n**Mira:** Page \(page), panel \(panel)!\n\n"
            }
        }
        try Data(chapter.utf8).write(to: folder.appendingPathComponent("many.md"))
        // 3,000 calls a minute spreads 1,200 calls over 24 s; the kill comes long before the end.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: panelprocBinary)
        process.arguments = ["--rpm", "3000", "--images", "none", "many.md"]
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let trace = folder.appendingPathComponent(".panelproc/trace.sqlite").path
        try process.run()
        // Killed once answers are on disk, however loaded the machine: not at a fixed time.
        try await killOnceTraceHolds(process, trace: trace, succeeded: 1)
        #expect(process.terminationReason == .uncaughtSignal)
        let integrity = try await runProcess("/usr/bin/sqlite3", [trace, "pragma integrity_check"])
        #expect(integrity.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        let finished = try await runProcess("/usr/bin/sqlite3", [trace, "select count(*) from calls where status = 'succeeded'"])
        let finishedBefore = Int(finished.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(finishedBefore > 0)

        let rerun = try await panelproc(["--images", "none", "many.md"], in: folder)
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("200 passed"))
        #expect(rerun.stderr.contains("\(1200 - finishedBefore) calls made, \(finishedBefore) cached"), "\(rerun.stderr)")
    }
}

@Suite("panelproc command line: a remote provider killed mid-run")
struct RemoteKillTests {
    @Test("SIGKILL during an openai run: the rerun repeats no answered call")
    func killRemoteAndResume() async throws {
        let server = try await FakeChatAPI.start(["--latency-ms", "40"])
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        var chapter = "# Chapter 8: Remote\n\n"
        for panel in 1...30 {
            chapter += "### Panel \(panel)\n\nMira counts \(panel) coins at Theo's stall.\n\n**Mira:** Coin \(panel)!\n\n"
        }
        try Data(chapter.utf8).write(to: folder.appendingPathComponent("remote.md"))
        let environment = ProcessInfo.processInfo.environment.merging(
            ["OPENAI_API_KEY": "local", "OPENAI_BASE_URL": server.baseURL.absoluteString]) { $1 }
        // One call at a time: 180 calls of 40 ms take about 7 s; the kill comes at 2 s.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: panelprocBinary)
        process.arguments = ["--provider", "openai", "--model", "fake", "--images", "none", "--concurrency", "1", "remote.md"]
        process.currentDirectoryURL = folder
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let trace = folder.appendingPathComponent(".panelproc/trace.sqlite").path
        try process.run()
        try await killOnceTraceHolds(process, trace: trace, succeeded: 3)
        #expect(process.terminationReason == .uncaughtSignal)
        let answered = try await runProcess("/usr/bin/sqlite3", [trace, "select count(*) from calls where status = 'succeeded'"])
        let answeredBefore = Int(answered.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        #expect(answeredBefore > 0)
        let requestsBefore = try await server.count().total

        let rerun = try await panelproc(["--provider", "openai", "--model", "fake", "--images", "none", "remote.md"], in: folder,
                                        environment: ["OPENAI_API_KEY": "local", "OPENAI_BASE_URL": server.baseURL.absoluteString])
        #expect([0, 1].contains(rerun.status), "\(rerun.stderr)")
        // Every answer recorded before the kill is served from the trace: the server is asked only
        // for what was never answered (at most the one call in flight when the process died).
        // (The fake server's minimal answers make some later requests identical across panels, so
        // the rerun may serve a few more from the cache than were answered before the kill.)
        let requestsAfter = try await server.count().total
        let cached = rerun.stderr.firstMatch(of: /(\d+) cached/).flatMap { Int($0.1) } ?? -1
        #expect(cached >= answeredBefore, "\(rerun.stderr)")
        #expect(requestsAfter - requestsBefore <= 180 - answeredBefore)
        await server.stop()
    }
}

/// SIGKILLs `process` as soon as its trace holds `succeeded` answered calls (polled with the
/// sqlite3 shell, which reads beside the writer), and waits for it to die.
func killOnceTraceHolds(_ process: Process, trace: String, succeeded: Int) async throws {
    let deadline = ContinuousClock.now + .seconds(180)
    while process.isRunning && ContinuousClock.now < deadline {
        if FileManager.default.fileExists(atPath: trace),
           let out = try? await runProcess("/usr/bin/sqlite3", [trace, "select count(*) from calls where status = 'succeeded'"]),
           (Int(out.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) >= succeeded
        {
            break
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    kill(process.processIdentifier, SIGKILL)
    process.waitUntilExit()
}
