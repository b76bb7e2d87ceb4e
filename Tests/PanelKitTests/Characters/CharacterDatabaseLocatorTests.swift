import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Where the character database is found")
struct CharacterDatabaseLocatorTests {
    /// root/characters/…, root/book/characters/…, and root/book/part1 as the chapter's folder.
    func makeTree() throws -> (root: String, chapter: String) {
        let root = try makeTemporaryFolder().standardizedFileURL.path
        for folder in ["characters", "book/characters", "book/part1", "custom"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        for file in ["characters/character_base_list.json", "book/characters/character_base_list.json", "custom/db.json"] {
            try Data("{\"characters\": []}".utf8).write(to: URL(fileURLWithPath: root + "/" + file))
        }
        return (root, root + "/book/part1")
    }

    @Test("The nearest characters/ folder upward wins, and every place looked at is listed")
    func nearest() throws {
        let (root, chapter) = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = CharacterDatabaseLocator.locate(chapterFolder: chapter, frontMatterPath: nil, configuredPath: nil)
        #expect(found.path == root + "/book/characters/character_base_list.json")
        #expect(found.searched == [chapter + "/characters/character_base_list.json",
                                   root + "/book/characters/character_base_list.json"])
        try FileManager.default.removeItem(atPath: root + "/book/characters")
        let higher = CharacterDatabaseLocator.locate(chapterFolder: chapter, frontMatterPath: nil, configuredPath: nil)
        #expect(higher.path == root + "/characters/character_base_list.json")
        #expect(higher.searched.count == 3)
    }

    @Test("The configured path beats the folder search; front matter beats both, even when missing")
    func explicitPaths() throws {
        let (root, chapter) = try makeTree()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let configured = CharacterDatabaseLocator.locate(chapterFolder: chapter, frontMatterPath: nil,
                                                         configuredPath: root + "/custom/db.json")
        #expect(configured.path == root + "/custom/db.json")
        let front = CharacterDatabaseLocator.locate(chapterFolder: chapter, frontMatterPath: "../../custom/./db.json",
                                                    configuredPath: root + "/characters/character_base_list.json")
        #expect(front.path == root + "/custom/db.json")
        let missing = CharacterDatabaseLocator.locate(chapterFolder: chapter, frontMatterPath: "cast.json",
                                                      configuredPath: root + "/custom/db.json")
        #expect(missing.path == chapter + "/cast.json")
        #expect(throws: InputError.self) { try CharacterDatabase.load(path: missing.path!) }
    }

    @Test("With no database anywhere, nil and the whole way up to /")
    func none() throws {
        let root = try makeTemporaryFolder().standardizedFileURL.path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let found = CharacterDatabaseLocator.locate(chapterFolder: root, frontMatterPath: nil, configuredPath: nil)
        try #require(found.path == nil, "a characters/ folder exists above \(root); cannot test the empty case")
        #expect(found.searched.first == root + "/characters/character_base_list.json")
        #expect(found.searched.last == "/characters/character_base_list.json")
        #expect(found.searched.count == root.split(separator: "/").count + 1)
    }
}
