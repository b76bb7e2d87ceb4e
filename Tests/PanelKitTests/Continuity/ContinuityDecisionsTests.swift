import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Continuity decisions")
struct ContinuityDecisionsTests {
    typealias F = ContinuityFixture

    func scratch() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("continuity-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("continuity.yml silences intentional and dismissed alerts (ids or 6-digit prefixes), with their notes")
    func silences() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let ids = F.check([F.fixture("seeded.md")])[0].alerts.map(\.id)
        let path = folder.appendingPathComponent("continuity.yml").path
        try "# decided by the writer\nintentional:\n  - id: \(ids[0])\n    note: \"Mira borrows a coat\"\ndismissed:\n  - \(ids[1].prefix(6))\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        let input = ContinuityPass.Input(chapter: F.fixture("seeded.md"), database: F.database, decisions: path)
        let report = try ContinuityPass(settings: RunSettings()).rules([input])[0]
        #expect(report.alerts.map(\.status) == [.intentional, .dismissed, .open, .open, .open])
        #expect(report.alerts[0].note == "Mira borrows a coat")
        #expect(report.openAlerts.count == 3)
        #expect(report.alerts[0].diagnostic.description.hasSuffix("(intentional: Mira borrows a coat)"))
        #expect(report.alerts[0].diagnostic.severity == .note)
    }

    @Test("Adding a decision keeps everything in the file, in the list's own indentation")
    func adding() throws {
        #expect(ContinuityDecisions.adding("abc123", note: nil, in: "") == "intentional:\n  - id: abc123\n")
        #expect(ContinuityDecisions.adding("abc123", note: "say \"hi\"", in: "intentional: []\n")
            == "intentional:\n  - id: abc123\n    note: \"say \\\"hi\\\"\"\n")
        let text = "# keep me\nintentional:\n- id: 111111\n  note: first\n\n# the dismissed ones\ndismissed:\n  - 222222\n"
        let added = ContinuityDecisions.adding("333333", note: "third", in: text)
        #expect(added == "# keep me\nintentional:\n- id: 111111\n  note: first\n- id: 333333\n  note: \"third\"\n\n# the dismissed ones\ndismissed:\n  - 222222\n")
        let dismissed = ContinuityDecisions.adding("444444", note: nil, to: "dismissed", in: text)
        #expect(dismissed.hasSuffix("dismissed:\n  - 222222\n  - id: 444444\n"))
        // Every form reads back.
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("continuity.yml").path
        try ContinuityDecisions.record("555555", note: "fifth", path: path)
        try ContinuityDecisions.record("666666", note: nil, list: "dismissed", path: path)
        try ContinuityDecisions.record("777777", note: "a: colon", path: path)
        let loaded = try ContinuityDecisions.load(path: path)
        #expect(loaded.intentional == [.init(id: "555555", note: "fifth"), .init(id: "777777", note: "a: colon")])
        #expect(loaded.dismissed == [.init(id: "666666", note: nil)])
    }

    @Test("A malformed continuity.yml is an input error at file:line:col")
    func malformed() throws {
        let folder = try scratch()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("continuity.yml").path
        try "intentional:\n  - 111111\naccepted:\n  - 222222\n".write(toFile: path, atomically: true, encoding: .utf8)
        #expect(throws: InputError.self) { try ContinuityDecisions.load(path: path) }
        do { _ = try ContinuityDecisions.load(path: path) } catch {
            #expect(error.description.contains("continuity.yml:3:1"))
        }
    }
}
