import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Trace store: every call recorded, succeeded calls served from the cache")
struct TraceStoreTests {
    @Test("Opening creates folders, file and tables in WAL mode; opening again keeps the rows")
    func migrations() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        do {
            let store = try TraceStore(path: path)
            let run = try await store.beginRun(command: "panelproc a.md", inputs: ["a.md"])
            _ = try await store.callStarted(callRecord(run: run, hash: "h1"))
            try await store.flush()
        }
        let tables = try await sqlite(path, "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite_%' ORDER BY name")
        #expect(tables == ["batch_requests", "batch_requests_hash", "batches", "calls", "calls_panel_run", "calls_request_hash", "calls_run_status", "grdb_migrations",
                           "id_reservations", "panel_results", "panel_results_chapter", "panel_states", "runs", "snapshots"])
        #expect(try await sqlite(path, "PRAGMA journal_mode") == ["wal"])

        let again = try TraceStore(path: path)
        #expect(try await again.runs(limit: 10).map(\.command) == ["panelproc a.md"])
        #expect(try await again.calls(panelID: "p01-01").map(\.record.requestHash) == ["h1"])
        #expect(try await sqlite(path, "SELECT identifier FROM grdb_migrations ORDER BY identifier") == ["v1", "v2", "v3-snapshots", "v4-call-bounds", "v5-batches"])
    }

    @Test("Only a succeeded call is served from the cache, not a started or failed one")
    func cacheServesOnlySucceeded() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let run = try await store.beginRun(command: "panelproc", inputs: [])

        let request = callRecord(run: run, hash: "same")
        let first = try await store.callStarted(request)
        try await store.flush()
        #expect(try await store.cachedResponse(requestHash: "same") == nil)

        try await store.callFinished(first, finished(request, .failed))
        try await store.flush()
        #expect(try await store.cachedResponse(requestHash: "same") == nil)

        var retry = request
        retry.attempt = 2
        let second = try await store.callStarted(retry)
        try await store.callFinished(second, finished(retry, .succeeded, response: "the answer", cost: 0.01))
        _ = try await store.callStarted(callRecord(run: run, hash: "never-finished"))
        try await store.flush()

        let expected = CachedResponse(callID: second, response: "the answer", model: "offline-1",
                                      providerRequestID: "req-same", tokensIn: 100, tokensOut: 20, costUSD: 0.01)
        #expect(try await store.cachedResponse(requestHash: "same") == expected)
        #expect(try await store.cachedResponse(requestHash: "never-finished") == nil)
        // A later process sees the same.
        let reopened = try TraceStore(path: path)
        #expect(try await reopened.cachedResponse(requestHash: "same") == expected)
        #expect(try await reopened.cachedResponse(requestHash: "never-finished") == nil)
    }

    @Test("A succeeded call still in the buffer is already served from the cache")
    func cacheSeesBuffer() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path, batchSize: 1_000, maxDelay: .seconds(3_600))
        let request = callRecord(run: 1, hash: "repeat")
        let id = try await store.callStarted(request)
        try await store.callFinished(id, finished(request, .succeeded))
        #expect(try await sqlite(path, "SELECT count(*) FROM calls") == ["0"])  // really not written yet
        #expect(try await store.cachedResponse(requestHash: "repeat")?.callID == id)
        #expect(try await store.cachedResponse(requestHash: "repeat")?.response == "response repeat")
        let refused = callRecord(run: 1, hash: "refused")
        try await store.callFinished(try await store.callStarted(refused), finished(refused, .failed))
        _ = try await store.callStarted(callRecord(run: 1, hash: "in-flight"))
        #expect(try await store.cachedResponse(requestHash: "refused") == nil)
        #expect(try await store.cachedResponse(requestHash: "in-flight") == nil)

        let cached = try await store.callCached(callRecord(run: 1, panel: "p01-02", hash: "repeat"), from: id)
        try await store.flush()
        #expect(try await sqlite(path, "SELECT id, status, cached_from FROM calls WHERE request_hash = 'repeat' ORDER BY id")
            == ["\(id)|succeeded|", "\(cached)|cached|\(id)"])
        #expect(try await store.cachedResponse(requestHash: "repeat")?.callID == id)
    }

    @Test("A full batch is written without an explicit flush")
    func batchFlushesItself() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path, batchSize: 4, maxDelay: .seconds(3_600))
        for index in 0..<3 { _ = try await store.callStarted(callRecord(run: 1, hash: "h\(index)")) }
        #expect(try await sqlite(path, "SELECT count(*) FROM calls") == ["0"])
        _ = try await store.callStarted(callRecord(run: 1, hash: "h3"))
        #expect(try await sqlite(path, "SELECT count(*) FROM calls WHERE status = 'started'") == ["4"])
    }

    @Test("Finishing a call with a status other than succeeded or failed is refused, naming the call")
    func finishNeedsFinalStatus() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let request = callRecord(run: 1, hash: "h")
        let id = try await store.callStarted(request)
        let error = await #expect(throws: TraceError.self) { try await store.callFinished(id, request) }
        #expect(error?.description == "\(path): error: cannot record the end of call \(id): its status is started; expected succeeded or failed")
    }

    @Test("Runs come newest first, with the outcome's counts or, while running, the calls' counts")
    func runsNewestFirst() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let first = try await store.beginRun(command: "panelproc a.md", inputs: ["a.md"])
        let outcome = RunOutcome(status: "finished", passed: 5, failed: 1, forced: 2, skipped: 3,
                                 callsMade: 30, callsCached: 12, costUSD: 0.25)
        try await store.finishRun(first, outcome: outcome)

        let second = try await store.beginRun(command: "panelproc -i a.md b.md", inputs: ["a.md", "b/b.md"])
        let made = callRecord(run: second, hash: "x")
        let madeID = try await store.callStarted(made)
        try await store.callFinished(madeID, finished(made, .succeeded, cost: 0.5))
        _ = try await store.callStarted(callRecord(run: second, hash: "y"))
        _ = try await store.callCached(callRecord(run: second, hash: "x"), from: madeID)

        let runs = try await store.runs(limit: 10)
        #expect(runs.map(\.id) == [second, first])
        let latest = try #require(runs.first), earlier = try #require(runs.last)
        #expect(latest.status == "running" && latest.finishedAt == nil && latest.inputs == ["a.md", "b/b.md"])
        #expect((latest.callsMade, latest.callsCached, latest.costUSD) == (2, 1, 0.5))
        #expect(earlier.status == "finished" && earlier.finishedAt != nil && earlier.command == "panelproc a.md")
        #expect((earlier.passed, earlier.failed, earlier.forced, earlier.skipped) == (5, 1, 2, 3))
        #expect((earlier.callsMade, earlier.callsCached, earlier.costUSD) == (30, 12, 0.25))
        #expect(try await store.runs(limit: 1).map(\.id) == [second])

        #expect(try await store.callCount(runID: second) == 3)
        #expect(try await store.callCount(runID: second, status: .started) == 1)
        #expect(try await store.callCount(runID: second, status: .cached) == 1)
        #expect(try await store.callCount(runID: first) == 0)

        let error = await #expect(throws: TraceError.self) { try await store.finishRun(999, outcome: outcome) }
        #expect(error?.description.contains("cannot record the end of run 999: there is no run 999") == true)
    }

    @Test("A panel's calls come back whole, in the order they started, from one run or all")
    func callsInStartOrder() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        // Started out of id order: the later id started first.
        let late = callRecord(run: 1, stage: "rewrite", hash: "b", startedAt: traceEpoch.addingTimeInterval(2))
        let early = callRecord(run: 1, stage: "theme", hash: "a", startedAt: traceEpoch.addingTimeInterval(1))
        let lateID = try await store.callStarted(late)
        let earlyID = try await store.callStarted(early)
        try await store.callFinished(earlyID, finished(early, .succeeded, cost: 0.002))
        let secondRun = callRecord(run: 2, stage: "theme", hash: "a", startedAt: traceEpoch.addingTimeInterval(9))
        let cachedID = try await store.callCached(secondRun, from: earlyID)
        _ = try await store.callStarted(callRecord(run: 1, panel: "p01-02", hash: "other"))

        let all = try await store.calls(panelID: "p01-01")
        #expect(all.map(\.id) == [earlyID, lateID, cachedID])
        #expect(all[0] == TracedCall(id: earlyID, record: finished(early, .succeeded, cost: 0.002)))
        #expect(all[1].record == late)
        var expectedCached = secondRun
        expectedCached.status = .cached
        expectedCached.finishedAt = secondRun.startedAt
        #expect(all[2] == TracedCall(id: cachedID, record: expectedCached, cachedFrom: earlyID))
        #expect(try await store.calls(panelID: "p01-01", runID: 2).map(\.id) == [cachedID])
        #expect(try await store.calls(panelID: "p09-09").isEmpty)
    }

    @Test("Failed panels: each panel's latest state, with reasons; forced ones when asked")
    func failedPanels() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        func state(_ panel: String, _ status: String, run: Int64, reasons: [String] = []) -> PanelState {
            PanelState(chapterSlug: "01-paper", panelID: panel, contentHash: "c-\(panel)", status: status,
                       reasons: reasons, resultsJSON: #"{"stage":"checklist"}"#, runID: run, updatedAt: traceEpoch)
        }
        try await store.setPanelState(state("p01-01", "failed", run: 1, reasons: ["too many bubbles"]))
        try await store.setPanelState(state("p01-02", "failed", run: 1, reasons: ["speaker missing", "no \"quote\""]))
        try await store.flush()
        try await store.setPanelState(state("p01-01", "passed", run: 2))  // fixed by the next run
        try await store.setPanelState(state("p01-03", "forced", run: 2, reasons: ["off-model"]))
        try await store.setPanelState(state("p01-04", "failed", run: 2, reasons: ["empty rewrite"]))

        let failed = try await store.failedPanels(runID: nil)
        #expect(failed == [state("p01-02", "failed", run: 1, reasons: ["speaker missing", "no \"quote\""]),
                           state("p01-04", "failed", run: 2, reasons: ["empty rewrite"])])
        #expect(try await store.failedPanels(runID: 2).map(\.panelID) == ["p01-04"])
        #expect(try await store.failedPanels(runID: 2, includeForced: true).map(\.panelID) == ["p01-03", "p01-04"])
        #expect(try await store.failedPanels(runID: nil, includeForced: true).first?.reasons == ["speaker missing", "no \"quote\""])
    }

    @Test("Setting a panel's state replaces the earlier one; pending states are read back too")
    func panelStateUpsert() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path, batchSize: 100, maxDelay: .seconds(3_600))
        let first = PanelState(chapterSlug: "01-paper", panelID: "p01-01", contentHash: "old", status: "failed",
                               reasons: ["x"], resultsJSON: "{}", runID: 1, updatedAt: traceEpoch)
        var second = first
        second.contentHash = "new"
        second.status = "passed"
        second.reasons = []
        second.runID = 2
        try await store.setPanelState(first)
        try await store.flush()
        try await store.setPanelState(second)
        #expect(try await store.panelState(chapterSlug: "01-paper", panelID: "p01-01") == second)  // pending
        try await store.flush()
        #expect(try await TraceStore(path: path).panelState(chapterSlug: "01-paper", panelID: "p01-01") == second)
        #expect(try await store.panelState(chapterSlug: "02-other", panelID: "p01-01") == nil)
        #expect(try await sqlite(path, "SELECT panel_id, content_hash, status, reasons, run_id FROM panel_states")
            == ["p01-01|new|passed|[]|2"])
    }

    @Test("100 concurrent tasks recording calls lose nothing")
    func concurrentTasks() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let run = try await store.beginRun(command: "panelproc", inputs: [])
        let ids = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for task in 0..<100 {
                group.addTask {
                    var ids: [Int64] = []
                    for call in 0..<10 {
                        let request = callRecord(run: run, panel: "p\(task)", hash: "t\(task)-\(call)")
                        let id = try await store.callStarted(request)
                        try await store.callFinished(id, finished(request, .succeeded))
                        ids.append(id)
                    }
                    try await store.setPanelState(PanelState(chapterSlug: "c", panelID: "p\(task)", contentHash: "h",
                                                             status: "passed", resultsJSON: "{}", runID: run))
                    return ids
                }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        #expect(Set(ids).count == 1_000)
        #expect(try await store.callCount(runID: run, status: .succeeded) == 1_000)
        #expect(try await store.calls(panelID: "p42").count == 10)
        #expect(try await sqlite(path, "SELECT count(*) FROM panel_states") == ["100"])
    }

    @Test("Two stores on one file, writing in turns, keep every row under distinct ids")
    func twoStores() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try TraceStore(path: path, batchSize: 7)
        let second = try TraceStore(path: path, batchSize: 5)
        var ids: [Int64] = []
        for index in 0..<300 {
            let store = index.isMultiple(of: 2) ? first : second
            let request = callRecord(run: 1, hash: "h\(index)")
            let id = try await store.callStarted(request)
            try await store.callFinished(id, finished(request, .succeeded))
            ids.append(id)
        }
        try await first.flush()
        try await second.flush()
        #expect(Set(ids).count == 300)
        #expect(try await sqlite(path, "SELECT count(*), count(DISTINCT request_hash) FROM calls WHERE status = 'succeeded'") == ["300|300"])
        // Each store sees what the other wrote.
        #expect(try await first.cachedResponse(requestHash: "h1")?.callID == ids[1])
        #expect(try await second.cachedResponse(requestHash: "h0")?.callID == ids[0])
    }

    @Test("The sqlite3 shell reads the trace: snake_case columns, readable dates")
    func readableWithSQLiteShell() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let run = try await store.beginRun(command: "panelproc", inputs: [])
        for (stage, status) in [("theme", CallStatus.succeeded), ("roles", .failed), ("rewrite", .started)] {
            let request = callRecord(run: run, stage: stage, hash: stage)
            let id = try await store.callStarted(request)
            if status != .started { try await store.callFinished(id, finished(request, status)) }
        }
        try await store.flush()  // the store stays open: the shell reads alongside it (WAL)
        #expect(try await sqlite(path, "select stage, status from calls order by id")
            == ["theme|succeeded", "roles|failed", "rewrite|started"])
        #expect(try await sqlite(path, "select started_at, finished_at, latency_ms, tokens_in from calls where stage = 'theme'")
            == ["2023-11-14T22:13:20.123Z|2023-11-14T22:13:20.623Z|12.5|100"])
    }

    @Test("10,000 calls recorded one after another and 10,000 all started first: every row is there, every answer is found")
    func tenThousandCalls() async throws {
        let (folder, path) = try temporaryTracePath()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try TraceStore(path: path)
        let run = try await store.beginRun(command: "panelproc", inputs: [])
        let requests = (0..<10_000).map { callRecord(run: run, panel: "p\($0 % 50)", hash: "h\($0)") }
        let results = requests.map { finished($0, .succeeded) }

        // Each call finishes before the next starts (start and end usually share a row write).
        for (request, result) in zip(requests, results) {
            let id = try await store.callStarted(request)
            try await store.callFinished(id, result)
        }
        try await store.flush()
        // All start before any finishes: every start is written, then updated.
        var ids: [Int64] = []
        for request in requests { ids.append(try await store.callStarted(request)) }
        for (id, result) in zip(ids, results) { try await store.callFinished(id, result) }
        try await store.flush()
        var found = 0
        for request in requests where try await store.cachedResponse(requestHash: request.requestHash) != nil { found += 1 }
        #expect(found == 10_000)
        #expect(try await store.callCount(runID: run, status: .succeeded) == 20_000)
    }
}
