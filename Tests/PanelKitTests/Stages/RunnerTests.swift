import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Runner: concurrency, determinism, cache, trace")
struct RunnerTests {
    static let chapters = ["01-paper-and-promises.md", "02-the-double-spend.md"]

    func exports(provider: any TextProvider, concurrency: Int) async throws -> [String] {
        let work = try Self.chapters.map { PreparedChapter(try parseSample($0), characters: try sampleCharacters()) }
        let outcomes = await TextPhase(model: try caller(provider, concurrency: concurrency)).run(work)
        return zip(work, outcomes).map { ChapterExport.json(for: $0.chapter, sourcePath: nil, outcomes: $1).serialized() }
    }

    @Test("Random provider delays and different concurrency give byte-identical chapter.json")
    func deterministicUnderDelays() async throws {
        let baseline = try await exports(provider: OfflineTextProvider(), concurrency: 1)
        for seed in [UInt64(1), 2, 3] {
            let shuffled = try await exports(provider: DelayedProvider(seed: seed), concurrency: [2, 8, 32][Int(seed) - 1])
            #expect(shuffled == baseline, "seed \(seed)")
        }
    }

    @Test("The offline engine gives the same bytes for the same request")
    func offlineDeterminism() async throws {
        let library = try PromptLibrary.load()
        let ctx = try context(GateTests.cleanPanel)
        let variables = ThemeStage.variables(ctx)
        let template = try library.template("theme")
        let rendered = try template.render(variables)
        let request = TextRequest(template: template, variables: variables, system: rendered.system, user: rendered.user)
        let first = try await OfflineTextProvider().complete(request)
        let second = try await OfflineTextProvider().complete(request)
        #expect(first.raw == second.raw)
    }

    @Test("A rerun over unchanged input makes zero calls and the trace says so; --no-cache calls again")
    func rerunFromCache() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = RepoPaths.fixture("samples/02-the-double-spend.md")
        func run(useCache: Bool = true) async throws -> RunReport {
            var settings = RunSettings()
            settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
            settings.trace = folder.appendingPathComponent("trace.sqlite").path
            // Every run writes pacing.json and pacing.svg: not into the fixtures.
            settings.outputDirectory = folder.appendingPathComponent("generated").path
            settings.useCache = useCache
            let pipeline = Pipeline(settings: settings)
            return try await pipeline.run(try pipeline.prepare(files: [url]))
        }
        let first = try await run()
        #expect(first.callsMade == 18)  // 3 panels × 6 model stages
        #expect(first.callsCached == 0)
        let second = try await run()
        #expect(second.callsMade == 0)
        #expect(second.callsCached == 18)
        let store = try TraceStore(path: folder.appendingPathComponent("trace.sqlite").path)
        #expect(try await store.callCount(runID: try #require(second.runID), status: .succeeded) == 0)
        // Unchanged panels are reused whole: the rerun writes no call row, only its counts.
        #expect(try await store.callCount(runID: try #require(second.runID)) == 0)
        let runs = try await store.runs(limit: 5)
        #expect(runs.first?.callsMade == 0)
        #expect(runs.first?.callsCached == 18)
        let third = try await run(useCache: false)
        #expect(third.callsMade == 18)
    }

    @Test("Only the edited panel is asked again")
    func editedPanel() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("samples/02-the-double-spend.md")), as: UTF8.self)
        func run(_ text: String) async throws -> RunReport {
            var settings = RunSettings()
            settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
            settings.trace = folder.appendingPathComponent("trace.sqlite").path
            // Every run writes pacing.json and pacing.svg: into the scratch folder, not the working one.
            settings.outputDirectory = folder.appendingPathComponent("generated").path
            let pipeline = Pipeline(settings: settings)
            return try await pipeline.run(try pipeline.prepare([InputDocument(path: "two.md", source: SourceText(text))]))
        }
        _ = try await run(original)
        let edited = try await run(original.replacingOccurrences(of: "Theo writes Mira's name", with: "Theo writes Mira's full name"))
        #expect(edited.callsCached == 12)
        #expect(edited.callsMade > 0 && edited.callsMade <= 6)
    }

    @Test("The propose policy writes unknown roles to proposed.json and still fails the panel")
    func proposePolicy() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
        try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/character_base_list.json")))
            .write(to: folder.appendingPathComponent("characters/character_base_list.json"))
        let chapterURL = folder.appendingPathComponent("01.md")
        try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/01-paper-and-promises.md"))).write(to: chapterURL)
        var settings = RunSettings()
        settings.unknownRoles = .propose
        let pipeline = Pipeline(settings: settings)
        let report = try await pipeline.run(try pipeline.prepare(files: [chapterURL]))
        #expect(report.counts[.failed] == 1)
        #expect(report.proposedRoles == ["the-stranger"])
        let proposed = try JSONValue.parse(String(decoding: try RepoPaths.bytes(folder.appendingPathComponent("characters/proposed.json")), as: UTF8.self))
        #expect(proposed["proposed"]?.array?.first?["name"]?.string == "The Stranger")
        #expect(proposed["proposed"]?.array?.first?["first_seen_in"]?.strings == ["01-paper-and-promises/p02-02"])
        #expect(report.tracePath == folder.appendingPathComponent(".panelproc/trace.sqlite").path)
    }

    @Test("The stage DAG: theme and roles run side by side; the critical path is four model calls")
    func dag() {
        #expect(PanelChain.standard.criticalPathLength == 4)
    }
}
