import Foundation
@testable import PanelKit
import TestSupport

/// A scratch folder with the sample character database, and the draft's checks that every
/// test applies to a written chapter.
struct DraftScratch {
    let folder: URL
    var chapter: String { folder.appendingPathComponent("ch.md").path }
    var databasePath: String { folder.appendingPathComponent("characters/character_base_list.json").path }
    var proposedPath: String { folder.appendingPathComponent("characters/proposed.json").path }

    init(database: Bool = true) throws {
        folder = try makeTemporaryFolder()
        if database {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
            try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/character_base_list.json"))).write(to: URL(fileURLWithPath: databasePath))
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    static let request = DraftRequest(
        premise: "Mira must keep the old lighthouse lit while Captain Vell plots to sell the harbor before the winter storm.",
        title: "The Lighthouse", pages: 4, audience: "ages 10-14", tone: "hopeful",
        teachingPoint: "a promise is only as good as the people who keep it")

    func settings() -> RunSettings {
        var settings = RunSettings()
        settings.trace = folder.appendingPathComponent(".panelproc/trace.sqlite").path
        return settings
    }

    func runner(_ settings: RunSettings? = nil) -> DraftRunner { DraftRunner(settings: settings ?? self.settings(), chapterPath: chapter) }

    func chapterText() throws -> String { try String(contentsOfFile: chapter, encoding: .utf8) }

    /// The written chapter as panelproc parses it.
    func parsed() throws -> Chapter {
        try RunSettings().parser.parse(SourceText(bytes: RepoPaths.bytes(URL(fileURLWithPath: chapter))), file: chapter, fileName: "ch.md")
    }

    /// The database with the proposed entries added, as a reviewer who accepts them all would have it.
    func databaseWithProposals() throws -> CharacterDatabase {
        var characters = FileManager.default.fileExists(atPath: databasePath) ? try CharacterDatabase.load(path: databasePath).characters : []
        if let data = FileManager.default.contents(atPath: proposedPath) {
            let root = try JSONValue.parse(String(decoding: data, as: UTF8.self))
            for entry in root["proposed"]?.array ?? [] {
                characters.append(CharacterProfile(id: entry["id"]!.string!, name: entry["name"]!.string!, aliases: entry["aliases"]?.strings ?? [],
                                                   roles: entry["roles"]?.strings ?? []))
            }
        }
        return CharacterDatabase(path: databasePath, characters: characters, digest: "")
    }

    /// Speakers and listed characters that do not resolve to exactly one character.
    func unresolvedNames() throws -> [String] {
        let resolver = RoleResolver(database: try databaseWithProposals())
        let chapter = try parsed()
        let names = chapter.panels.flatMap { $0.dialogue.map(\.speaker) + $0.requiredRoles }
        return names.filter { resolver.resolve($0).characterID == nil }
    }
}
