import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("panelproc batch: submit, status, collect against the loopback Files and Batch API fake")
struct BatchJobTests {
    static let key = "sk-batch-test-0123456789"

    static func settings(_ server: LoopbackServer, folder: URL, mode: CallSettings.Mode) -> RunSettings {
        var settings = RunSettings()
        settings.textProvider = .openai
        settings.openAIBaseURL = "http://127.0.0.1:\(server.port)/v1"
        settings.textModel = "gpt-4o-mini"
        settings.retryAttempts = 1
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        settings.imageProvider = .none
        settings.writeGallery = false
        settings.outputDirectory = folder.path
        settings.calls.mode = mode
        settings.prices = Prices(byModel: ["gpt-4o-mini": Prices.Price(per1kInput: 0.15, per1kOutput: 0.6)])
        return settings
    }

    /// Polls status until every batch is finished.
    static func waitFinished(_ job: BatchJob, _ path: String) async throws {
        for _ in 0..<10 {
            if try await job.status(tracePath: path).allSatisfy(\.isFinished) { return }
        }
        Issue.record("the batches did not finish")
    }

    @Test("Fused mode: a whole book in one round; an expired batch keeps its partial results, the rest go again; then a run makes 0 calls")
    func fusedRoundTrip() async throws {
        let server = try await LoopbackServer.start("fake_batch_api.py", arguments: ["--expire-after", "2", "--key", Self.key])
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = Self.settings(server, folder: folder, mode: .fused)
        let environment = ["OPENAI_API_KEY": Self.key]
        let job = try BatchJob(settings: settings, environment: environment)
        let chapters = try job.pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md"),
                                                         RepoPaths.fixture("samples/01-paper-and-promises.md")])
        let panels = chapters.reduce(0) { $0 + $1.chapter.panels.count }
        let path = try #require(settings.trace)

        let first = try await job.submit(chapters)
        #expect(first.batches.count == 1)
        #expect(first.requests == panels, "one fused request per panel")
        #expect(first.text.contains("fused mode: the whole book goes in one round"))
        // The lines as uploaded: the chat provider's own body, max_tokens included.
        let uploaded = String(decoding: try await job.api.content(first.batches[0].inputFileID), as: UTF8.self)
        let line = try JSONValue.parse(String(try #require(uploaded.split(separator: "\n").first)))
        #expect(line["method"]?.string == "POST" && line["url"]?.string == "/v1/chat/completions")
        #expect(line["custom_id"]?.string?.count == 64)
        #expect(line["body"]?["model"]?.string == "gpt-4o-mini")
        #expect(line["body"]?["response_format"]?["json_schema"]?["name"]?.string == FusedCall.promptName)
        #expect(line["body"]?["max_tokens"]?.integer ?? 0 > 0, "\(uploaded.prefix(300))")
        #expect(!uploaded.contains(Self.key))
        let again = try await job.submit(chapters)
        #expect(again.requests == 0 && again.alreadyPending == panels, "a pending request is not sent twice")

        try await Self.waitFinished(job, path)
        let expired = try await job.status(tracePath: path, all: true)
        #expect(expired.map(\.state) == ["expired"])
        let collected = try await job.collect(tracePath: path)
        #expect(collected.answered == 2 && collected.expired == panels - 2)
        #expect(collected.costUSD > 0)
        // Collect is idempotent: nothing more, nothing twice.
        let repeated = try await job.collect(tracePath: path)
        #expect(repeated.answered == 0 && repeated.collected.isEmpty)

        let second = try await job.submit(chapters)
        #expect(second.requests == panels - 2 && second.cached == 2, "expired requests go again; collected ones are cached")
        try await Self.waitFinished(job, path)
        let done = try await job.collect(tracePath: path)
        #expect(done.answered == panels - 2 && done.expired == 0)

        // A normal run is now served from the cache.
        let pipeline = try Pipeline(settings: settings, environment: environment)
        let report = try await pipeline.run(chapters)
        #expect(report.callsMade == 0, "\(report.callsMade) calls made")

        // Answers are stored at half the price (no batch price configured), and no key anywhere.
        let store = try TraceStore(path: path)
        let call = try #require(try await store.calls(panelID: chapters[0].chapter.panels[0].id).first)
        let full = settings.prices.text("gpt-4o-mini", tokensIn: call.record.tokensIn, tokensOut: call.record.tokensOut)
        #expect(abs((call.record.costUSD ?? 0) - full / 2) < 1e-12)
        #expect(call.record.providerRequestID?.hasPrefix("req_") == true)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(bytes.range(of: Data(Self.key.utf8)) == nil, "the key is never stored")
    }

    @Test("Stage mode: one stage level a round, until a run makes 0 calls; failed lines stay uncached and go again")
    func stageRounds() async throws {
        let server = try await LoopbackServer.start("fake_batch_api.py", arguments: ["--fail-every", "4"])
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = Self.settings(server, folder: folder, mode: .stages)
        let job = try BatchJob(settings: settings, environment: [:])
        let chapters = try job.pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        let panels = chapters[0].chapter.panels.count
        let path = try #require(settings.trace)
        let first = try await job.submit(chapters, maxRequests: 2)
        #expect(first.requests == 2 * panels, "theme and roles of every panel")
        #expect(first.batches.count == panels, "split at 2 requests a file")
        #expect(first.waiting > 0 && first.text.contains("stage mode"))
        var rounds = 1
        var failedSeen = 0
        while true {
            try await Self.waitFinished(job, path)
            let collected = try await job.collect(tracePath: path)
            failedSeen += collected.failed
            let next = try await job.submit(chapters, maxRequests: 2)
            if next.requests == 0 { break }
            rounds += 1
            #expect(rounds < 12)
            if rounds >= 12 { return }
        }
        #expect(failedSeen > 0, "--fail-every 4 made failed lines")
        #expect(rounds >= 4, "theme+roles, rewrite, image prompt+bubbles, checklist: \(rounds) rounds")
        let report = try await Pipeline(settings: settings, environment: [:]).run(chapters)
        #expect(report.callsMade == 0)
    }

    @Test("A collect killed after storing answers but before marking them: the next collect marks them and stores nothing twice")
    func killedCollect() async throws {
        let server = try await LoopbackServer.start("fake_batch_api.py")
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = Self.settings(server, folder: folder, mode: .fused)
        let job = try BatchJob(settings: settings, environment: [:])
        let chapters = try job.pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        let path = try #require(settings.trace)
        let submitted = try await job.submit(chapters)
        try await Self.waitFinished(job, path)
        // What a killed collect leaves: the first answer in the trace, its request still pending.
        let batchStore = try BatchStore(path: path)
        let request = try #require(try batchStore.requests(batchID: submitted.batches[0].id).first)
        let trace = try TraceStore(path: path)
        let run = try await trace.beginRun(command: "killed collect", inputs: [])
        let record = CallRecord(runID: run, chapterSlug: request.chapterSlug, panelID: request.panelID, stage: request.stage,
                                promptName: request.promptName, promptVersion: request.promptVersion, provider: request.provider,
                                model: request.model, requestHash: request.requestHash, request: request.request,
                                response: "{\"earlier\":true}", status: .succeeded)
        let id = try await trace.callStarted(record)
        try await trace.callFinished(id, record)
        try await trace.flush()

        let collected = try await job.collect(tracePath: path)
        #expect(collected.answered == submitted.requests)
        let rows = try await TraceStore(path: path).calls(panelID: request.panelID).filter { $0.record.requestHash == request.requestHash }
        #expect(rows.count == 1, "the answer already stored is not written again")
        #expect(try batchStore.requests(batchID: submitted.batches[0].id).allSatisfy { $0.state == .answered })
        #expect(try batchStore.batches().isEmpty, "the batch is collected")
    }

    @Test("A wrong key is refused with the key redacted; another provider than openai is bad input")
    func keys() async throws {
        let server = try await LoopbackServer.start("fake_batch_api.py", arguments: ["--key", Self.key])
        defer { Task { await server.stop() } }
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let settings = Self.settings(server, folder: folder, mode: .fused)
        let wrong = "sk-wrong-key-9876543210"
        let job = try BatchJob(settings: settings, environment: ["OPENAI_API_KEY": wrong])
        let chapters = try job.pipeline.prepare(files: [RepoPaths.fixture("samples/02-the-double-spend.md")])
        do {
            _ = try await job.submit(chapters)
            Issue.record("a wrong key was accepted")
        } catch {
            #expect(!error.description.contains(wrong), "\(error)")
            #expect(error.description.contains("OPENAI_API_KEY"), "\(error)")
        }
        var offline = settings
        offline.textProvider = .offline
        #expect(throws: InputError.self) { try BatchJob(settings: offline, environment: [:]) }
    }

    @Test("Batch files split at the request limit and by model")
    func splits() {
        func line(_ n: Int, _ model: String) -> BatchLine {
            BatchLine(hash: "h\(n)", model: model, body: .object([("model", .string(model))]),
                      record: BatchRequestRecord(batchID: "", requestHash: "h\(n)", chapterSlug: "c", panelID: "c/p", stage: "theme",
                                                 promptName: "theme", promptVersion: 1, provider: "openai", model: model, request: "{}",
                                                 schema: "{}", state: .pending, error: nil))
        }
        let lines = (0..<5).map { line($0, "a") } + (5..<7).map { line($0, "b") }
        #expect(BatchSplitter.split(lines, maxRequests: 2).map(\.count) == [2, 2, 1, 2])
        #expect(BatchSplitter.split(lines, maxBytes: lines[0].jsonl.utf8.count * 3 + 3).map(\.count) == [3, 2, 2])
        #expect(lines[0].jsonl.hasPrefix("{\"custom_id\":\"h0\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":"))
    }
}
