import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Trace: reruns reuse whole panels; prune keeps what the cache needs")
struct TracePruneTests {
    func pipeline(_ folder: URL, useCache: Bool = true) -> Pipeline {
        var settings = RunSettings()
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        settings.useCache = useCache
        settings.outputDirectory = folder.appendingPathComponent("generated").path
        return Pipeline(settings: settings)
    }

    func run(_ folder: URL, useCache: Bool = true) async throws -> RunReport {
        let pipeline = pipeline(folder, useCache: useCache)
        return try await pipeline.run(try pipeline.prepare(files: ["01-paper-and-promises.md", "02-the-double-spend.md"]
            .map { RepoPaths.fixture("samples/\($0)") }))
    }

    @Test("Ten reruns add no call rows and reuse every panel; the outputs stay the same")
    func rerunsDoNotGrow() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await run(folder)
        let store = try TraceStore(path: folder.appendingPathComponent("trace.sqlite").path)
        let rows = try await sqliteCount(store, "calls")
        for _ in 0..<10 {
            let again = try await run(folder)
            #expect(again.callsMade == 0)
            #expect(again.callsCached == first.callsMade)
            #expect(again.chapters.map { $0.outcomes.map { $0?.status } } == first.chapters.map { $0.outcomes.map { $0?.status } })
            #expect(again.chapters.map { $0.panels.map(\.costUSD) } == first.chapters.map { $0.panels.map(\.costUSD) })
        }
        #expect(try await sqliteCount(store, "calls") == rows)
    }

    @Test("An unchanged panel is served whole from its stored outcome, without asking the call cache")
    func wholePanelsWithoutTheCallCache() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await run(folder)
        // With every answer gone, only the stored outcomes can spare the calls.
        _ = try await sqlite(folder.appendingPathComponent("trace.sqlite").path, "DELETE FROM calls")
        let again = try await run(folder)
        #expect(again.callsMade == 0)
        #expect(again.chapters.map { $0.outcomes.map { $0?.status } } == first.chapters.map { $0.outcomes.map { $0?.status } })
        // An edited panel is not: its calls are made again (and the others still are not).
        let pipeline = pipeline(folder)
        var text = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("samples/02-the-double-spend.md")), as: UTF8.self)
        text = text.replacingOccurrences(of: "Theo writes Mira's name", with: "Theo writes Mira's full name")
        let edited = try await pipeline.run(try pipeline.prepare([InputDocument(
            path: RepoPaths.fixture("samples/02-the-double-spend.md").path, source: SourceText(text))]))
        #expect(edited.callsMade > 0 && edited.callsMade <= StageRegistry.modelCallsPerPanel)
    }

    @Test("Prune drops old runs and repeated answers, and a rerun afterwards still makes no call")
    func pruneKeepsNeededAnswers() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try await run(folder)
        _ = try await run(folder, useCache: false)
        _ = try await run(folder, useCache: false)
        let store = try TraceStore(path: folder.appendingPathComponent("trace.sqlite").path)
        #expect(try await sqliteCount(store, "calls") == 3 * first.callsMade)
        let report = try await store.prune(keepRuns: 1)
        #expect(report.runsRemoved == 2)
        #expect(report.callsRemoved == 2 * first.callsMade)
        #expect(report.bytesAfter < report.bytesBefore)
        #expect(try await store.runs(limit: 10).count == 1)
        let after = try await run(folder)
        #expect(after.callsMade == 0)
        #expect(after.callsCached == first.callsMade)
    }

    func sqliteCount(_ store: TraceStore, _ table: String) async throws -> Int {
        try await store.flush()
        return Int(try await sqlite(store.path, "SELECT count(*) FROM \(table)").first ?? "") ?? -1
    }
}
