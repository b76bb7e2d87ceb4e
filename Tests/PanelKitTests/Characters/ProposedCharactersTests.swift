import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("propose policy: characters/proposed.json")
struct ProposedCharactersTests {
    func read(_ path: String) throws -> String {
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
    }

    @Test("Unknown roles become sorted, deterministic entries with the panels they were seen in")
    func write() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path + "/characters/proposed.json"
        let sightings = [("The Stranger", "01-x/p02-02"), ("Mr. Ünknown", "01-x/p03-01"),
                         ("The Stranger", "01-x/p01-01"), ("The Stranger", "01-x/p02-02")]
        let added = try ProposedCharacters.merge(unknownRoles: sightings.map { (role: $0.0, panelID: $0.1) }, into: path)
        #expect(added == ["mr-unknown", "the-stranger"])
        let expected = """
            {
              "schema_version": 1,
              "proposed": [
                {
                  "id": "mr-unknown",
                  "name": "Mr. Ünknown",
                  "aliases": [],
                  "roles": [],
                  "appearance": "",
                  "status": "proposed",
                  "first_seen_in": [
                    "01-x/p03-01"
                  ]
                },
                {
                  "id": "the-stranger",
                  "name": "The Stranger",
                  "aliases": [],
                  "roles": [],
                  "appearance": "",
                  "status": "proposed",
                  "first_seen_in": [
                    "01-x/p01-01",
                    "01-x/p02-02"
                  ]
                }
              ]
            }

            """
        #expect(try read(path) == expected)

        // The same sightings in another order give the same bytes.
        let again = folder.path + "/other/proposed.json"
        _ = try ProposedCharacters.merge(unknownRoles: sightings.reversed().map { (role: $0.0, panelID: $0.1) }, into: again)
        #expect(try read(again) == expected)
    }

    @Test("Merging keeps existing entries and a reviewer's edits, adds panel ids once, and reports only new ids")
    func merge() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path + "/proposed.json"
        try Data("""
            {"schema_version": 1, "proposed": [
              {"id": "the-stranger", "name": "The Stranger", "aliases": ["stranger"], "roles": [],
               "appearance": "tall, grey coat", "status": "proposed", "first_seen_in": ["01-x/p02-02"], "age": 40}
            ]}
            """.utf8).write(to: URL(fileURLWithPath: path))
        let added = try ProposedCharacters.merge(
            unknownRoles: [(role: "the stranger", panelID: "02-y/p01-01"), (role: "The Stranger", panelID: "01-x/p02-02"),
                           (role: "Baker", panelID: "02-y/p01-01")],
            into: path)
        #expect(added == ["baker"])
        let merged = try read(path)
        #expect(merged.contains("""
                  "id": "the-stranger",
                  "name": "The Stranger",
                  "aliases": [
                    "stranger"
                  ],
                  "roles": [],
                  "appearance": "tall, grey coat",
                  "status": "proposed",
                  "first_seen_in": [
                    "01-x/p02-02",
                    "02-y/p01-01"
                  ],
                  "age": 40
            """))
        #expect(merged.range(of: "\"id\": \"baker\"")!.lowerBound < merged.range(of: "\"id\": \"the-stranger\"")!.lowerBound)

        // Nothing new: same bytes, nothing reported.
        #expect(try ProposedCharacters.merge(unknownRoles: [(role: "Baker", panelID: "02-y/p01-01")], into: path) == [])
        #expect(try read(path) == merged)
    }

    @Test("A damaged proposed.json is left alone and reported")
    func damaged() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.path + "/proposed.json"
        try Data("{\"proposed\": [,]}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: FileIO.WriteError.self) {
            try ProposedCharacters.merge(unknownRoles: [(role: "Baker", panelID: "p")], into: path)
        }
        #expect(try read(path) == "{\"proposed\": [,]}")
    }
}
