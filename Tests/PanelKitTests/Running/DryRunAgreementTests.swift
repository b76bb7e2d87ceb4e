import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Dry run and run share their phases")
struct DryRunAgreementTests {
    @Test("With some panels cached, the plan's calls to make are the calls the run then makes, panel by panel")
    func planMatchesRun() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var settings = RunSettings()
        settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        let pipeline = Pipeline(settings: settings)
        let original = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("samples/02-the-double-spend.md")), as: UTF8.self)
        func inputs(_ text: String) throws -> [PreparedChapter] {
            try pipeline.prepare([InputDocument(path: folder.appendingPathComponent("two.md").path, source: SourceText(text))])
        }
        _ = try await pipeline.run(try inputs(original))

        // Panel 1's scene changes (every stage asks again); panel 3 gains a line of dialogue (some
        // answers stay cached); panel 2 is untouched.
        let edited = original
            .replacingOccurrences(of: "Mira tries to pay Theo", with: "Mira, grinning, tries to pay Theo")
            .replacingOccurrences(of: "Theo writes Mira's name in the ledger.", with: "Theo writes Mira's name in the ledger.\r\n\r\nMIRA: \"Now it counts.\"")
        let plan = try await pipeline.plan(try inputs(edited))
        let planned = plan.panels.map(\.textCallsToMake)
        #expect(planned[1] == 0, "the untouched panel is all cached")
        #expect(planned[0] == StageRegistry.modelCallsPerPanel)
        #expect(planned[2] > 0 && planned[2] < StageRegistry.modelCallsPerPanel, "\(planned)")

        let store = try TraceStore(path: try #require(settings.trace))
        let report = try await pipeline.run(try inputs(edited))
        let runID = try #require(report.runID)
        #expect(report.callsMade == plan.textCallsToMake)
        for (index, panel) in report.chapters[0].panels.enumerated() {
            let made = try await store.calls(panelID: panel.sheet.id, runID: runID).filter { $0.record.status == .succeeded }.count
            #expect(made == planned[index], "\(panel.sheet.id): planned \(planned[index]), made \(made)")
        }
    }
}
