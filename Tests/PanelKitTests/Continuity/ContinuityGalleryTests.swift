import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Continuity in a run")
struct ContinuityRunTests {
    static let hostile = "<img src=x onerror=alert(1)>"

    @Test("A run writes continuity.json and the gallery's Continuity section, with the writer's text escaped; decisions hide an alert")
    func galleryAndJSON() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
        try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/character_base_list.json")))
            .write(to: folder.appendingPathComponent("characters/character_base_list.json"))
        let chapter = """
            ---
            chapter: 4
            title: Two places
            ---

            ## Page 1

            ### Panel 1

            **Setting:** The market \(Self.hostile)

            Mira buys apples from Theo.

            ### Panel 2

            **Setting:** The bank

            Caption: Meanwhile, at the bank.

            Mira waits in line.

            """
        let path = folder.appendingPathComponent("two-places.md")
        try chapter.write(to: path, atomically: true, encoding: .utf8)
        var settings = RunSettings()
        settings.writeJSON = true
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        let pipeline = Pipeline(settings: settings)
        let report = try await pipeline.run(try pipeline.prepare(files: [path]))
        #expect(report.continuity.count == 1 && report.continuity[0].alerts.map(\.type) == [.location])
        let directory = folder.appendingPathComponent("generated/04-two-places")
        let json = try JSONValue.parse(String(decoding: try RepoPaths.bytes(directory.appendingPathComponent("continuity.json")), as: UTF8.self))
        #expect(json["open"] == .int(1))
        #expect(json["alerts"]?.array?.first?["title"]?.string?.contains(Self.hostile) == true)
        let html = String(decoding: try RepoPaths.bytes(directory.appendingPathComponent("index.html")), as: UTF8.self)
        #expect(html.contains("id=\"continuity\"") && html.contains("1 open alert;"))
        #expect(!html.contains(Self.hostile) && html.contains("&lt;img src=x onerror=alert(1)&gt;"))

        // Accepted, the alert leaves the gallery and is kept in the JSON with its status.
        let id = report.continuity[0].alerts[0].id
        try ContinuityDecisions.record(id, note: "she <runs>", path: folder.appendingPathComponent("continuity.yml").path)
        let again = try await pipeline.run(try pipeline.prepare(files: [path]))
        #expect(again.continuity[0].openAlerts.isEmpty && again.continuity[0].alerts.first?.note == "she <runs>")
        let rerun = String(decoding: try RepoPaths.bytes(directory.appendingPathComponent("index.html")), as: UTF8.self)
        #expect(rerun.contains("0 open alerts, 1 decided in continuity.yml") && !rerun.contains("<runs>"))
    }
}
