import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// What `--verbose` says about where a run's time went.
@Suite("Run timings")
struct RunTimingsTests {
    @Test("Every phase a run reaches and every output is timed, in the order they ran, within the run's own time")
    func phasesAndOutputs() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let started = ContinuousClock.now
        let report = try await book.run(["01-paper-and-promises.md"], provider: FakeImageProvider())
        let wall = (ContinuousClock.now - started).totalSeconds
        let timings = report.timings
        #expect(timings.phases.map(\.name) == ["cache", "text", "images", "continuity", "outputs", "trace"])
        #expect(timings.outputs.map(\.name) == RunOutputs.standard.map(\.name))
        #expect(timings.phases.allSatisfy { $0.seconds >= 0 } && timings.outputs.allSatisfy { $0.seconds >= 0 })
        #expect(timings.phases.reduce(0) { $0 + $1.seconds } <= wall)
        // The pages are drawn inside the outputs phase, so they cannot have taken longer than it.
        let pages = try #require(timings.output("pages"))
        #expect(pages > 0 && pages <= (timings.phase("outputs") ?? 0))
    }

    @Test("A run without images has no images phase")
    func withoutImages() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let pipeline = Pipeline(settings: RunSettings())
        let report = try await pipeline.run(try pipeline.prepare(files: [book.url("02-the-double-spend.md")]))
        #expect(report.timings.phases.map(\.name) == ["cache", "text", "continuity", "outputs", "trace"])
    }
}
