import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("panelproc draft: offline, end to end")
struct DraftOfflineTests {
    @Test("The offline draft is a chapter that parses with 0 warnings, has the pages and panel counts asked for, and every name resolves")
    func endToEnd() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let result = try await scratch.runner().run(DraftScratch.request, environment: [:])
        #expect(result.stepsRun == ["lore", "cast", "narrative", "scenes", "pages"])
        #expect(result.callsMade == 8, "lore, cast, narrative, scenes and one call per page")
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let chapter = try scratch.parsed()
        #expect(chapter.diagnostics.isEmpty, "\(chapter.diagnostics)")
        #expect(chapter.pages.map(\.number) == [1, 2, 3, 4])
        let band = PacingThresholds().panelsPerPage.ideal
        for page in chapter.pages {
            #expect(band.contains(Double(page.panelIDs.count)), "page \(page.number) has \(page.panelIDs.count) panels")
        }
        // Shot types follow a rhythm: more than three kinds, never the same twice in a row within a page.
        let shots = chapter.panels.map { $0.shotType?.rawValue ?? "none" }
        #expect(!shots.contains("none"))
        #expect(Set(shots).count >= 4)
        #expect(chapter.panels.allSatisfy { $0.dialogue.count <= chapter.settings.maxBubbles })
        #expect(chapter.panels.flatMap(\.dialogue).allSatisfy { $0.text.hasPrefix("TODO") })
        #expect(!chapter.panels.flatMap(\.dialogue).isEmpty)
        let unresolved = try scratch.unresolvedNames()
        #expect(unresolved.isEmpty, "\(unresolved)")

        let text = try scratch.chapterText()
        #expect(text.hasPrefix("---\ntitle: \"The Lighthouse\"\ntone: \"hopeful\"\naudience: \"ages 10-14\"\n---\n\n# The Lighthouse\n"))
        // Mira is in the database (alias `Mira`): reused under her canonical name, never proposed.
        #expect(text.contains("**Mira Okafor:** TODO"))
        #expect(result.reused == ["Mira Okafor"])
        #expect(result.proposedAdded == ["captain-vell", "the-rival"])
        #expect(text.contains("**Teaching point:** a promise is only as good as the people who keep it"))
        #expect(text.contains("Setup beat at the lighthouse: introduce the lighthouse, Mira Okafor's goal and Captain Vell."))
    }

    @Test("A rerun is done at once and byte-identical; a changed page count redoes only the pages step")
    func rerun() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        let first = try scratch.chapterText()
        let state = try FileManager.default.contentsOfDirectory(atPath: scratch.runner().stateFolder).sorted()
        #expect(state == ["cast.json", "lore.json", "narrative.json", "pages.json", "request.json", "scenes.json", "written.sha256"])
        let proposed = try Data(contentsOf: URL(fileURLWithPath: scratch.proposedPath))
        let again = try await scratch.runner().run(nil, environment: [:])
        #expect(again.stepsRun.isEmpty && again.callsMade == 0 && again.callsCached == 0)
        #expect(try scratch.chapterText() == first)
        #expect(try Data(contentsOf: URL(fileURLWithPath: scratch.proposedPath)) == proposed)

        var longer = DraftScratch.request
        longer.pages = 5
        let before = try scratch.runner().statuses(longer)
        #expect(before.map(\.state) == [.done, .done, .stale, .stale, .stale], "the narrative reads the length too")
        var sameLength = DraftScratch.request
        sameLength.tone = "gloomy"
        #expect(try scratch.runner().statuses(sameLength).map(\.state) == [.stale, .stale, .stale, .stale, .stale])
        var teaching = DraftScratch.request
        teaching.teachingPoint = "saving is a promise to yourself"
        #expect(try scratch.runner().statuses(teaching).map(\.state) == [.stale, .stale, .stale, .stale, .stale])
    }

    @Test("Accepting the proposed characters into the database keeps every step done; the rerun reuses them and proposes nothing")
    func acceptedProposals() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        _ = try await scratch.runner().run(DraftScratch.request, environment: [:])
        let before = try scratch.chapterText()
        var database = try JSONValue.parse(String(contentsOfFile: scratch.databasePath, encoding: .utf8))
        let proposed = try JSONValue.parse(String(contentsOfFile: scratch.proposedPath, encoding: .utf8))["proposed"]?.array ?? []
        let accepted = proposed.map { entry in JSONValue.object((entry.members ?? []).filter { $0.0 != "status" && $0.0 != "first_seen_in" }) }
        database = .object((database.members ?? []).map { $0.0 == "characters" ? ($0.0, .array(($0.1.array ?? []) + accepted)) : $0 })
        try Data(database.serialized().utf8).write(to: URL(fileURLWithPath: scratch.databasePath))
        try FileManager.default.removeItem(atPath: scratch.proposedPath)

        #expect(try scratch.runner().statuses(DraftScratch.request).allSatisfy { $0.state == .done })
        let again = try await scratch.runner().run(nil, environment: [:])
        #expect(again.callsMade == 0 && again.stepsRun.isEmpty)
        #expect(again.reused == ["Mira Okafor", "Captain Vell", "The Rival"])
        #expect(again.proposedPath == nil && !FileManager.default.fileExists(atPath: scratch.proposedPath))
        #expect(try scratch.chapterText() == before)
    }

    @Test("Without a character database every character is proposed in characters/proposed.json beside the chapter")
    func withoutDatabase() async throws {
        let scratch = try DraftScratch(database: false)
        defer { scratch.remove() }
        let result = try await scratch.runner().run(DraftScratch.request, environment: [:])
        #expect(result.reused.isEmpty)
        #expect(result.proposedAdded == ["captain-vell", "mira", "the-rival"])
        #expect(result.proposedPath == scratch.proposedPath)
        #expect(try scratch.unresolvedNames().isEmpty)
    }

    @Test("Proposed entries already in the file are never changed; a chapter edited by hand is not replaced")
    func neverOverwrites() async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        let reviewed = "{\"schema_version\": 1, \"proposed\": [{\"id\": \"captain-vell\", \"name\": \"Captain Vell\", \"appearance\": \"edited by a reviewer\"}]}"
        try Data(reviewed.utf8).write(to: URL(fileURLWithPath: scratch.proposedPath))
        let result = try await scratch.runner().run(DraftScratch.request, environment: [:])
        #expect(result.proposedAdded == ["the-rival"])
        let proposed = try JSONValue.parse(String(contentsOfFile: scratch.proposedPath, encoding: .utf8))
        #expect(proposed["proposed"]?.array?.first?["appearance"]?.string == "edited by a reviewer")

        try Data("my own edits\n".utf8).write(to: URL(fileURLWithPath: scratch.chapter))
        await #expect(throws: RunFailure.self) { try await scratch.runner().run(nil, environment: [:]) }
        #expect(try scratch.chapterText() == "my own edits\n")
        var forced = scratch.runner()
        forced.overwrite = true
        _ = try await forced.run(nil, environment: [:])
        #expect(try scratch.chapterText().hasPrefix("---\n"))
    }

    @Test("Titles and premises that look like markup or headers stay text", arguments: ["Page One", "Panel 3: Night", "Pannel 2", "# Hash: *and* `code`"])
    func hostileTitles(_ title: String) async throws {
        let scratch = try DraftScratch()
        defer { scratch.remove() }
        var request = DraftScratch.request
        request.title = title
        request.premise = "Panel 2.\n## Page 9\nMira: runs <!-- away"
        request.pages = 2
        let result = try await scratch.runner().run(request, environment: [:])
        #expect(result.warnings.isEmpty, "\(result.warnings)")
        let chapter = try scratch.parsed()
        #expect(chapter.diagnostics.isEmpty)
        #expect(chapter.pages.map(\.number) == [1, 2])
        #expect(chapter.title?.contains(title.trimmingCharacters(in: "#").trimmingWhitespace().prefix(4)) == true, "\(chapter.title ?? "")")
    }

    @Test("A premise's people and nouns", arguments: [
        ("Mira must keep the old lighthouse lit while Captain Vell plots to sell the harbor.", ["Mira", "Captain Vell"], ["lighthouse", "harbor"]),
        ("When the river floods, a baker and her apprentice open the bakery to the town.", [], ["river", "baker", "apprentice", "bakery", "town"]),
        ("robots dream quietly", [], ["robots", "dream", "quietly"]),
        ("", [], ["world"]),
    ])
    func premise(_ text: String, people: [String], nouns: [String]) {
        let reading = OfflineDraftPremise(text)
        #expect(reading.people == people)
        #expect(reading.nouns == nouns)
    }

    @Test("Names become speaker labels the parser reads as speakers", arguments: [
        ("captain reyes", "Captain Reyes"), ("Captain of the Guard", "Captain of the Guard"), ("ok", "Ok"),
        ("Dr. Lin (the medic)", "Dr. Lin the Medic"), ("Caption", "The Caption"), ("42", "Character Three"),
        ("a b c d e f g", "A B C D E"),
    ])
    func speakerNames(_ written: String, expected: String) {
        let name = DraftCast.speakerName(written, fallbackNumber: 3)
        #expect(name == expected)
        #expect(LineClassifier.looksLikeSpeaker(name))
        if case .dialogue(let speaker, _, _, _) = LineClassifier.classify("**\(name):** hello".replacingOccurrences(of: "**", with: "")) {
            #expect(speaker == name)
        } else {
            Issue.record("\(name) is not read as a speaker")
        }
    }

    @Test("A cast name the database tags reuses that character; a name two characters share is proposed under another")
    func castResolution() throws {
        let database = try CharacterDatabase.load(path: RepoPaths.fixture("samples/character_base_list.json").path)
        let answer = try JSONValue.parse("""
            {"characters": [{"name": "the mentor", "roles": ["mentor"], "appearance": "", "personality": "", "voice": ""},
                            {"name": "Theo", "roles": [], "appearance": "", "personality": "", "voice": ""},
                            {"name": "Nadia Quill", "roles": ["rival"], "appearance": "a", "personality": "b", "voice": "c"},
                            {"name": "nadia quill", "roles": [], "appearance": "", "personality": "", "voice": ""}]}
            """)
        let (cast, notes) = DraftCast.resolve(answer, database: database)
        #expect(cast.map(\.name) == ["Grandma Ada", "Theo Brandt", "Nadia Quill"])
        #expect(cast.map(\.existingID) == ["ada", "theo", nil])
        #expect(notes.contains { $0.contains("appears twice") })

        // Two characters tagged `guard`: "The Guard" would be ambiguous in the pipeline, so it is proposed as "New Guard".
        let guards = CharacterDatabase(path: "/tmp/db.json", characters: [
            CharacterProfile(id: "a", name: "Ana", roles: ["guard"]), CharacterProfile(id: "b", name: "Ben", roles: ["guard"]),
        ], digest: "")
        let (guarded, guardNotes) = DraftCast.resolve(try JSONValue.parse(
            "{\"characters\": [{\"name\": \"The Guard\", \"roles\": [], \"appearance\": \"\", \"personality\": \"\", \"voice\": \"\"}]}"),
            database: guards)
        #expect(guarded.map(\.name) == ["New Guard"])
        #expect(guarded.first?.existingID == nil)
        #expect(guardNotes.contains { $0.contains("could be any of a, b") })
        #expect(RoleResolver(database: guards).resolve("New Guard").characterID == nil)
    }
}
