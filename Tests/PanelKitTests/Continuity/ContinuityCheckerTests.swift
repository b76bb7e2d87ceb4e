import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Continuity checker")
struct ContinuityCheckerTests {
    typealias F = ContinuityFixture

    @Test("The seeded fixture raises each rule's error at its line; its clean twin raises nothing")
    func seededAndClean() throws {
        let seeded = F.check([F.fixture("seeded.md")])[0].alerts
        #expect(seeded.map(\.type) == [.visual, .timeline, .visual, .presence, .location])
        #expect(seeded.map(\.foundBy) == ["visual.appearance", "timeline.time_of_day", "visual.appearance", "presence.left_scene",
                                          "location.two_places"])
        #expect(seeded.map(\.conflict.line) == [16, 28, 36, 48, 56])
        #expect(seeded.map(\.diagnostic.description).first
            == "seeded.md:16:14: warning: visual: Mira Okafor's raincoat is blue here but yellow in the character database (p01-01) [continuity \(seeded[0].id)]")
        let clean = F.check([F.fixture("clean.md")])[0]
        #expect(clean.alerts.isEmpty, "\(clean.alerts.map(\.title))")
    }

    @Test("Three chapters, given out of order, run in chapter order and find chapter 3 contradicting chapter 1")
    func acrossChapters() throws {
        let names = ["saga/10-the-green-scarf.md", "saga/1-the-red-scarf.md", "saga/2-the-bank.md"]
        let inputs = names.map { ContinuityPass.Input(chapter: F.fixture($0), database: F.database, decisions: nil) }
        let reports = try ContinuityPass(settings: RunSettings()).rules(inputs)
        // Reports come back in the order given; the checking ran 1, 2, 3.
        #expect(reports.map(\.file) == names)
        #expect(reports[1].alerts.isEmpty && reports[2].alerts.isEmpty)
        let alert = try #require(reports[0].alerts.first)
        #expect(reports[0].alerts.count == 1 && alert.type == .visual)
        #expect(alert.source.chapter == "01-the-red-scarf" && alert.conflict.chapter == "03-the-green-scarf")
        #expect(alert.title == "Theo Brandt's scarf is green here but red in 01-the-red-scarf/p01-01")
        // Chapter 1 hands the scarf and Theo's last place on.
        #expect(reports[1].facts.contains("Theo Brandt has a red scarf (since 01-the-red-scarf/p01-01)"))
        // Alone, chapter 3 is consistent.
        #expect(F.check([F.fixture("saga/10-the-green-scarf.md")])[0].alerts.isEmpty)
    }

    @Test("Ids hash the type, panels and facts: unrelated edits and line shifts keep them; the facts change them")
    func stableIDs() throws {
        let before = F.check([F.fixture("seeded.md")])[0].alerts.map(\.id)
        var text = String(decoding: try RepoPaths.bytes(RepoPaths.fixture("continuity/seeded.md")), as: UTF8.self)
        text = text.replacingOccurrences(of: "Four rules, one error each", with: "An introduction\n\nmuch longer than before.\n\nFour rules, one error each")
        text = text.replacingOccurrences(of: "waves at Theo across", with: "waves cheerfully at Theo across")
        let after = F.check([F.parse(text, file: "seeded.md")])[0].alerts
        #expect(after.map(\.id) == before)
        #expect(after[0].conflict.line == 20)
        let other = F.check([F.parse(text.replacingOccurrences(of: "blue raincoat", with: "pink raincoat"), file: "seeded.md")])[0].alerts
        #expect(other[0].id != before[0] && Array(other.dropFirst()).map(\.id) == Array(before.dropFirst()))
        #expect(before.allSatisfy { $0.count == 12 && $0.allSatisfy(\.isHexDigit) })
    }

    @Test("The model pass's windows overlap by 10 panels and cover the chapter")
    func windows() {
        #expect(ContinuityPass.windows(count: 0) == [])
        #expect(ContinuityPass.windows(count: 12) == [0..<12])
        #expect(ContinuityPass.windows(count: 40) == [0..<40])
        #expect(ContinuityPass.windows(count: 100) == [0..<40, 30..<70, 60..<100])
    }
}

@Suite("continuity.json")
struct ContinuityJSONTests {
    typealias F = ContinuityFixture

    @Test("Reports of the fixtures (open, decided, several chapters) validate against schema/continuity.schema.json, and a broken one does not")
    func schema() throws {
        let schema = try JSONValue.parse(String(decoding: try RepoPaths.bytes(RepoPaths.root.appendingPathComponent("schema/continuity.schema.json")),
                                                as: UTF8.self))
        #expect(JSONSchemaValidator.schemaProblems(schema).isEmpty, "\(JSONSchemaValidator.schemaProblems(schema))")
        var reports = F.check([F.fixture("seeded.md"), F.fixture("clean.md")])
        reports[0].alerts[0].status = .intentional
        reports[0].alerts[0].note = "on purpose"
        reports += F.check(["saga/1-the-red-scarf.md", "saga/2-the-bank.md", "saga/10-the-green-scarf.md"].map(F.fixture))
        for report in reports {
            // Through the serializer, as the file is written.
            let json = try JSONValue.parse(report.json.serialized())
            #expect(JSONSchemaValidator.problems(json, schema: schema).isEmpty, "\(JSONSchemaValidator.problems(json, schema: schema))")
        }
        let broken = try JSONValue.parse(reports[0].json.serialized().replacingOccurrences(of: "\"severity\": \"high\"", with: "\"severity\": \"urgent\""))
        #expect(!JSONSchemaValidator.problems(broken, schema: schema).isEmpty)
    }
}
