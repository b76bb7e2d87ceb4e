import Foundation
import Testing
import TestSupport

@Suite("panelproc draft")
struct DraftCommandTests {
    static let premise = "Mira must keep the old lighthouse lit while Captain Vell plots to sell the harbor before the winter storm."

    @Test("draft --help documents the steps, every flag, examples and the exit statuses; panelproc --help lists it")
    func help() async throws {
        let result = try await panelproc(["draft", "--help"])
        #expect(result.status == 0)
        for expected in ["USAGE: panelproc draft", "lore, cast, narrative, scenes, pages", "--title", "--pages", "--audience", "--tone",
                         "--teaching-point", "--choose", "--dry-run", "--provider", "--model", "--base-url", "--overwrite", "-o, --output",
                         "Examples:", "panelproc draft --choose narrative 2 ch.md", "Exit statuses", "proposed.json"] {
            #expect(result.stdoutText.contains(expected), "draft help lacks \(expected)")
        }
        let root = try await panelproc(["--help"])
        #expect(root.stdoutText.contains("draft"))
        let bad = try await panelproc(["draft", "a premise"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("-o ch.md"))
        let pages = try await panelproc(["draft", "a premise", "--pages", "40", "-o", "x.md"])
        #expect(pages.status == 2)
    }

    @Test("Offline, end to end: the draft is written, panelproc processes it with exit 0 or 1 and no format warning")
    func offlineThenPipeline() async throws {
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let draft = try await panelproc(["draft", Self.premise, "--title", "The Lighthouse", "--pages", "4", "--tone", "hopeful",
                                         "--teaching-point", "a promise is only as good as the people who keep it", "-o", "ch.md"], in: folder)
        #expect(draft.status == 0, "\(draft.stderr)")
        #expect(draft.stdout.isEmpty, "stdout is not for people")
        #expect(draft.stderr.contains("5 steps run, 8 calls made"))
        #expect(draft.stderr.contains("reused: Mira Okafor"))
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("characters/proposed.json").path))

        let run = try await panelproc(["--images", "none", "ch.md"], in: folder)
        #expect([0, 1].contains(run.status), "\(run.stderr)")
        #expect(!run.stderr.contains("warning:"), "\(run.stderr)")
        #expect(run.stdout == [UInt8](try Data(contentsOf: folder.appendingPathComponent("ch.md"))))
        // Once a reviewer accepts the proposed characters into the database, every panel passes.
        let databaseURL = folder.appendingPathComponent("characters/character_base_list.json")
        var database = try JSONSerialization.jsonObject(with: Data(contentsOf: databaseURL)) as! [String: Any]
        let proposed = try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("characters/proposed.json"))) as! [String: Any]
        let accepted = (proposed["proposed"] as! [[String: Any]]).map { $0.filter { $0.key != "status" && $0.key != "first_seen_in" } }
        database["characters"] = (database["characters"] as! [[String: Any]]) + accepted
        try JSONSerialization.data(withJSONObject: database).write(to: databaseURL)
        let accepting = try await panelproc(["--images", "none", "ch.md"], in: folder)
        #expect(accepting.status == 0, "\(accepting.stderr)")
        #expect(accepting.stderr.contains("20 panels; 20 passed, 0 failed"), "\(accepting.stderr)")
        let pacing = try await panelproc(["pacing", "ch.md"], in: folder)
        #expect(pacing.status == 0 && pacing.stdoutText.contains("4 pages"))

        let dry = try await panelproc(["draft", "--dry-run", "-o", "ch.md"], in: folder)
        #expect(dry.status == 0)
        #expect(dry.stdoutText.contains("lore       done     option 1 of 3"))
        #expect(dry.stderr.contains("0 calls to make"))

        let choose = try await panelproc(["draft", "--choose", "narrative", "2", "ch.md"], in: folder)
        #expect(choose.status == 0, "\(choose.stderr)")
        #expect(choose.stderr.contains("stale: scenes, pages"))
        #expect(choose.stdoutText.contains("scenes     stale    1 call (draft_scenes)"))
        let dry2 = try await panelproc(["draft", "--dry-run", "-o", "ch.md"], in: folder)
        #expect(dry2.stderr.contains("5 calls to make"), "scenes, then one call per page")
        #expect(dry2.stdoutText.contains("pages      stale    4 calls (draft_pages)"))
        let resumed = try await panelproc(["draft", "-o", "ch.md"], in: folder)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("draft: lore: done") && resumed.stderr.contains("draft: scenes: stale, redoing"))
        #expect(resumed.stderr.contains("2 steps run"))

        let wrong = try await panelproc(["draft", "--choose", "cast", "1", "ch.md"], in: folder)
        #expect(wrong.status == 2 && wrong.stderr.contains("choose one of lore, narrative"))
        let none = try await panelproc(["draft", "-o", "other.md"], in: folder)
        #expect(none.status == 2 && none.stderr.contains("has no draft yet"))
    }

    @Test("SIGKILL mid-draft loses at most the step in flight: the rerun continues and asks the server only for the rest")
    func killAndResume() async throws {
        // Each answer takes 800 ms; the kill comes as soon as the second step is saved, while the third is in flight.
        let server = try await FakeChatAPI.start(["--latency-ms", "800"])
        let folder = try scratchWithSamples()
        defer { try? FileManager.default.removeItem(at: folder) }
        let environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PANELPROC_") }
            .merging(["OPENAI_API_KEY": "local", "OPENAI_BASE_URL": server.baseURL.absoluteString]) { $1 }
        let arguments = ["draft", Self.premise, "--title", "The Lighthouse", "--pages", "2", "--provider", "openai", "--model", "fake", "-o", "ch.md"]
        let state = folder.appendingPathComponent("ch.draft")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: panelprocBinary)
        process.arguments = arguments
        process.currentDirectoryURL = folder
        process.environment = environment
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let watcher = Task.detached {
            // The event: cast.json written. Polling a file, not a clock, so a loaded machine only delays the kill.
            let deadline = ContinuousClock.now + .seconds(120)
            while ContinuousClock.now < deadline {
                if FileManager.default.fileExists(atPath: state.appendingPathComponent("cast.json").path) {
                    kill(process.processIdentifier, SIGKILL)
                    return true
                }
                try? await Task.sleep(for: .milliseconds(5))
            }
            kill(process.processIdentifier, SIGKILL)
            return false
        }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            process.terminationHandler = { _ in continuation.resume() }
            do { try process.run() } catch { continuation.resume(throwing: error) }
        }
        #expect(await watcher.value, "cast.json never appeared")
        #expect(process.terminationReason == .uncaughtSignal)
        let saved = try FileManager.default.contentsOfDirectory(atPath: state.path).filter { $0.hasSuffix(".json") && $0 != "request.json" }
        #expect(saved.contains("lore.json") && saved.contains("cast.json"))
        #expect(!saved.contains("pages.json"), "the kill came after the end: \(saved)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("ch.md").path))
        // No half-written file: every saved step is whole JSON.
        for name in saved {
            #expect((try? JSONSerialization.jsonObject(with: Data(contentsOf: state.appendingPathComponent(name)))) != nil, "\(name)")
        }
        let rerun = try await panelproc(arguments, in: folder, environment: ["OPENAI_API_KEY": "local", "OPENAI_BASE_URL": server.baseURL.absoluteString])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(rerun.stderr.contains("draft: lore: done") && rerun.stderr.contains("draft: cast: done"))
        // Every answered step is asked exactly once over both runs; only the step in flight at the
        // kill may be asked twice. (Counted by prompt, so a request the server was still finishing
        // when the process died cannot skew the count.)
        let prompts = try await server.requests().compactMap { $0["prompt"] as? String }
        let order = ["draft_lore", "draft_cast", "draft_narrative", "draft_scenes", "draft_pages"]
        let savedSteps = order.filter { saved.contains(String($0.dropFirst("draft_".count)) + ".json") }
        let inFlight = order.first { !savedSteps.contains($0) }
        for prompt in order {
            let asked = prompts.filter { $0 == prompt }.count
            let calls = prompt == "draft_pages" ? 2 : 1
            if savedSteps.contains(prompt) {
                #expect(asked == 1, "\(prompt) was saved before the kill but asked \(asked) times")
            } else if prompt == inFlight {
                #expect((calls...calls + 1).contains(asked), "\(prompt) asked \(asked) times")
            } else {
                #expect(asked == calls, "\(prompt) asked \(asked) times")
            }
        }
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("ch.md").path))
        await server.stop()
    }
}
