import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// An output that takes a known time, to see which part of a run is charged for it.
private struct SlowOutput: RunOutput {
    var name: String { "slow" }
    var readsEarlierOutputs: Bool { false }
    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        Thread.sleep(forTimeInterval: 0.4)
        return []
    }
}

/// What `--verbose` says about where a run's time went.
@Suite("Run timings")
struct RunTimingsTests {
    @Test("Every phase a run does and every output is timed, in order; an output's time is charged to it and to the outputs phase")
    func phasesAndOutputs() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        var settings = RunSettings()
        settings.writeJSON = true
        var pipeline = Pipeline(settings: settings, imageProvider: FakeImageProvider())
        pipeline.outputs = RunOutputs.standard + [SlowOutput()]
        let report = try await pipeline.run(try pipeline.prepare(files: [book.url("01-paper-and-promises.md")]))
        let timings = report.timings
        #expect(timings.phases.map(\.name) == ["setup", "cache", "text", "images", "assemble", "continuity", "outputs", "trace"])
        #expect(timings.outputs.map(\.name) == RunOutputs.standard.map(\.name) + ["slow"])
        // Charged to the output and to the phase it ran in. (No upper bounds on the other phases:
        // on a loaded machine even a millisecond's phase can take longer than the sleep.)
        #expect(try #require(timings.output("slow")) >= 0.4)
        #expect(try #require(timings.phase("outputs")) >= 0.4)
        #expect(try #require(timings.output("pages")) > 0)
    }

    @Test("A run without images has no images phase; a document without panels only assembles, checks and writes")
    func phasesARunSkips() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let pipeline = Pipeline(settings: RunSettings())
        let report = try await pipeline.run(try pipeline.prepare(files: [book.url("02-the-double-spend.md")]))
        #expect(report.timings.phases.map(\.name) == ["setup", "cache", "text", "assemble", "continuity", "outputs", "trace"])
        let empty = try pipeline.prepare([InputDocument(path: nil, source: SourceText(bytes: Array("# Notes\n\nNo panels here.\n".utf8)))])
        let plain = try await pipeline.run(empty)
        #expect(plain.timings.phases.map(\.name) == ["assemble", "continuity", "outputs"])
    }
}
