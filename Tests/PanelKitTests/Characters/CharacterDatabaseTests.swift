import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A database path that need not exist: parsing never touches the disk.
let projectDatabasePath = "/project/characters/character_base_list.json"

func databaseError(_ json: String) -> InputError? {
    do {
        _ = try CharacterDatabase.parse(Array(json.utf8), path: projectDatabasePath)
        return nil
    } catch {
        return error
    }
}

func sampleDatabase() throws -> CharacterDatabase {
    try CharacterDatabase.load(path: RepoPaths.fixture("samples/character_base_list.json").path)
}

@Suite("Character database: loading and validation")
struct CharacterDatabaseTests {
    @Test("The sample database loads with its four characters and an in-folder reference")
    func sample() throws {
        let url = RepoPaths.fixture("samples/character_base_list.json")
        let database = try sampleDatabase()
        #expect(database.characters.map(\.id) == ["mira", "theo", "ada", "bly"])
        #expect(database.path == url.standardizedFileURL.path)
        #expect(database.digest == SHA256.hex(try RepoPaths.bytes(url)))
        let mira = try #require(database.character(id: "mira"))
        #expect(mira.name == "Mira Okafor")
        #expect(mira.aliases == ["Mira"])
        #expect(mira.roles == ["protagonist", "student", "customer"])
        #expect(mira.voice == "short, excited sentences")
        let folder = url.deletingLastPathComponent().standardizedFileURL.path
        #expect(mira.referenceImages == [ReferenceImage(id: "mira-front", path: "refs/mira-front.png",
                                                        absolutePath: folder + "/refs/mira-front.png", status: "approved")])
        #expect(database.character(id: "theo")?.referenceImages == [])
        #expect(database.character(id: "nobody") == nil)
    }

    @Test("Optional fields default to empty; unknown keys are ignored; schema_version may be left out")
    func optionalFields() throws {
        let database = try CharacterDatabase.parse(Array("""
            {"notes": "draft cast", "characters": [{"id": "kim", "name": "Kim", "mood": "grumpy"}]}
            """.utf8), path: projectDatabasePath)
        #expect(database.characters == [CharacterProfile(id: "kim", name: "Kim")])
    }

    @Test("A file that is not an object, or has no characters list, is refused")
    func shape() throws {
        let list = try #require(databaseError("[\n  1\n]"))
        #expect(list.location == SourceLocation(line: 1, column: 1))
        #expect(list.message == "expected a JSON object with a `characters` list, found a list")
        let missing = try #require(databaseError("""
            {
              "schema_version": 1
            }
            """))
        #expect(missing.location == SourceLocation(line: 1, column: 1))
        #expect(missing.message.hasPrefix("missing `characters`"))
        let notList = try #require(databaseError(#"{"characters": {}}"#))
        #expect(notList.location == SourceLocation(line: 1, column: 16))
        #expect(notList.message == "`characters` should be a list, found an object")
        #expect(notList.description.hasPrefix("\(projectDatabasePath):1:16: error:"))
    }

    @Test("Only schema_version 1 is read")
    func schemaVersion() throws {
        let found = try #require(databaseError("""
            {
              "schema_version": 2,
              "characters": []
            }
            """))
        #expect(found.location == SourceLocation(line: 2, column: 21))
        #expect(found.message == "unsupported `schema_version` 2; this panelproc reads version 1")
        let text = try #require(databaseError(#"{"schema_version": "1", "characters": []}"#))
        #expect(text.location == SourceLocation(line: 1, column: 20))
    }

    @Test("A character without id or name is reported at its `{`, naming the missing key")
    func missingKeys() throws {
        let noName = try #require(databaseError("""
            {
              "characters": [
                { "id": "mira", "name": "Mira" },
                {
                  "id": "theo"
                }
              ]
            }
            """))
        #expect(noName.location == SourceLocation(line: 4, column: 5))
        #expect(noName.message == "character \"theo\" is missing `name`")
        let noID = try #require(databaseError("""
            {"characters": [
              {"name": "Nobody"}
            ]}
            """))
        #expect(noID.location == SourceLocation(line: 2, column: 3))
        #expect(noID.message == "character is missing `id`")
        let notObject = try #require(databaseError(#"{"characters": ["mira"]}"#))
        #expect(notObject.location == SourceLocation(line: 1, column: 17))
    }

    @Test("Wrong types point at the value")
    func wrongTypes() throws {
        let aliases = try #require(databaseError("""
            {
              "characters": [
                {
                  "id": "mira",
                  "name": "Mira",
                  "aliases": "Mira O."
                }
              ]
            }
            """))
        #expect(aliases.location == SourceLocation(line: 6, column: 18))
        #expect(aliases.message == "`aliases` should be a list of strings, found a string")
        let roleItem = try #require(databaseError("""
            {
              "characters": [
                {
                  "id": "bly", "name": "Bly",
                  "roles": ["guard", 3]
                }
              ]
            }
            """))
        #expect(roleItem.location == SourceLocation(line: 5, column: 26))
        #expect(roleItem.message == "`roles` should hold only strings, found a number")
        let id = try #require(databaseError(#"{"characters": [{"id": 7, "name": "Seven"}]}"#))
        #expect(id.location == SourceLocation(line: 1, column: 24))
        #expect(id.message == "`id` should be a string, found a number")
        let tag = try #require(databaseError(#"{"characters": [{"id": "x", "name": "X", "roles": ["!!"]}]}"#))
        #expect(tag.location == SourceLocation(line: 1, column: 52))
        #expect(tag.message.hasPrefix("role tag \"!!\" has no letters or digits"))
    }

    @Test("A duplicate id (ignoring case) is reported at the second, naming the first's line")
    func duplicateIDs() throws {
        let found = try #require(databaseError("""
            {
              "characters": [
                { "id": "mira", "name": "Mira Okafor" },
                { "id": "Mira", "name": "Mira Jones" }
              ]
            }
            """))
        #expect(found.location == SourceLocation(line: 4, column: 13))
        #expect(found.message == "duplicate id \"Mira\"; the first character with this id is on line 3")
    }

    @Test("An alias or name that folds to another character's is reported at the second, naming both")
    func sharedNames() throws {
        let alias = try #require(databaseError("""
            {
              "characters": [
                { "id": "mira", "name": "Mira Okafor", "aliases": ["Mira"] },
                { "id": "jones", "name": "Mira Jones", "aliases": ["Jones", "MÍRA!"] }
              ]
            }
            """))
        #expect(alias.location == SourceLocation(line: 4, column: 65))
        #expect(alias.message == "alias \"MÍRA!\" of Mira Jones (jones) is also a name or alias of Mira Okafor (mira, line 3)")
        let name = try #require(databaseError("""
            {"characters": [
              {"id": "mira", "name": "Mira Okafor", "aliases": ["Mira"]},
              {"id": "other", "name": "mira"}
            ]}
            """))
        #expect(name.location == SourceLocation(line: 3, column: 27))
        #expect(name.message.hasPrefix("name \"mira\" of mira (other) is also a name or alias of Mira Okafor"))
        // One character may repeat its own name as an alias.
        #expect(databaseError(#"{"characters": [{"id": "a", "name": "Ada", "aliases": ["ada", "Adá"]}]}"#) == nil)
    }

    @Test("A reference path that is absolute or leaves the folder is reported at the path",
          arguments: ["/etc/passwd", "../x.png", "refs/../../secret.png", "~/x.png"])
    func referenceOutside(path: String) throws {
        let found = try #require(databaseError("""
            {
              "characters": [
                {
                  "id": "mira", "name": "Mira",
                  "reference_images": [
                    { "id": "a", "path": "\(path)", "status": "approved" }
                  ]
                }
              ]
            }
            """))
        #expect(found.location == SourceLocation(line: 6, column: 30))
        #expect(found.message.hasPrefix("reference path \"\(path)\""))
        #expect(found.message.contains("absolute") || found.message.contains("leaves the database's folder /project/characters"))
    }

    @Test("A reference path is normalised inside the folder; id and status have defaults")
    func referenceInside() throws {
        let database = try CharacterDatabase.parse(Array("""
            {"characters": [{"id": "mira", "name": "Mira", "reference_images": [{"path": "refs/../art/./mira.png"}]}]}
            """.utf8), path: projectDatabasePath)
        #expect(database.characters[0].referenceImages == [
            ReferenceImage(id: "mira", path: "refs/../art/./mira.png",
                           absolutePath: "/project/characters/art/mira.png", status: "draft"),
        ])
        let missing = try #require(databaseError(#"{"characters": [{"id": "m", "name": "M", "reference_images": [{"id": "x"}]}]}"#))
        #expect(missing.message == "reference image is missing `path`")
        #expect(missing.location == SourceLocation(line: 1, column: 63))
    }

    @Test("references(for:) sends approved images only (a draft waits for refs --approve), at most two")
    func references() throws {
        func image(_ id: String, _ status: String) -> String {
            #"{"id": "\#(id)", "path": "refs/\#(id).png", "status": "\#(status)"}"#
        }
        let database = try CharacterDatabase.parse(Array("""
            {"characters": [
              {"id": "a", "name": "A", "reference_images": [\(image("d1", "draft")), \(image("a1", "approved")),
                \(image("r1", "rejected")), \(image("a2", "Approved")), \(image("a3", "approved"))]},
              {"id": "b", "name": "B", "reference_images": [\(image("r1", "rejected")), \(image("d1", "draft")),
                \(image("a1", "approved"))]},
              {"id": "c", "name": "C", "reference_images": [\(image("r1", "rejected"))]}
            ]}
            """.utf8), path: projectDatabasePath)
        let ids = database.characters.map { database.references(for: $0).map(\.id) }
        #expect(ids == [["a1", "a2"], ["a1"], []])
    }

    @Test("A missing file or a folder is an input error naming the path")
    func unreadable() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(throws: InputError.self) { try CharacterDatabase.load(path: folder.path + "/nope.json") }
        do {
            _ = try CharacterDatabase.load(path: folder.path + "/nope.json")
        } catch {
            #expect(error.description.hasPrefix(folder.path + "/nope.json: error: cannot read"))
        }
        do {
            _ = try CharacterDatabase.load(path: folder.path)
        } catch {
            #expect(error.message.contains("is a folder, expected a character database"))
        }
    }

    @Test("A database of 10,000 characters loads and resolves quickly")
    func large() throws {
        var json = "{\"schema_version\": 1, \"characters\": [\n"
        for index in 0..<10_000 {
            if index > 0 { json += ",\n" }
            json += """
                {"id": "c\(index)", "name": "Person Number \(index)", "aliases": ["P\(index)", "the \(index)th"], \
                "roles": ["extra", "tag\(index % 100)"], "appearance": "plain clothes, \(index) buttons", \
                "reference_images": [{"id": "r\(index)", "path": "refs/c\(index).png", "status": "approved"}]}
                """
        }
        json += "\n]}\n"
        let clock = ContinuousClock()
        let start = clock.now
        let database = try CharacterDatabase.parse(Array(json.utf8), path: projectDatabasePath)
        let resolver = RoleResolver(database: database)
        for index in stride(from: 0, to: 10_000, by: 7) {
            #expect(resolver.resolve("p\(index)").characterID == "c\(index)")
        }
        let elapsed = clock.now - start
        #expect(database.characters.count == 10_000)
        #expect(resolver.resolve("Tag7").outcome == .ambiguous(candidates: (0..<100).map { "c\($0 * 100 + 7)" }.sorted()))
        // Linear work takes well under a second even in a debug build; quadratic work takes minutes.
        #expect(elapsed < .seconds(30))
    }
}
