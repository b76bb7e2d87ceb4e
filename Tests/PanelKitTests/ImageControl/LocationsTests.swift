import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Locations and the always-include line")
struct LocationsTests {
    static let chapter = """
        ---
        title: Places
        palette: [teal, cream]
        visual_thesis: money is a promise people keep together
        ---

        ### Panel 1

        Mira waves at Theo.

        **Setting:** the town square, late afternoon light

        ### Panel 2

        Theo counts coins.

        **Setting:** square

        ### Panel 3

        Grandma Ada waits in line.

        **Setting:** the bank hall

        ### Panel 4

        Mira runs along the shore.

        **Setting:** the lighthouse

        ### Panel 5

        Mira crosses the town square at a run.

        """

    static let locations = """
          "locations": [
            { "id": "square", "name": "the town square", "aliases": ["square"],
              "description": "cobbled square, stone fountain, clock tower",
              "reference_images": [
                { "id": "square-day", "path": "refs/square-day.png", "status": "approved" },
                { "id": "square-night", "path": "refs/square-night.png", "status": "draft" }
              ] },
            { "id": "bank", "name": "the bank hall", "description": "a cramped stone bank hall, brass counter, green-shaded lamps" }
          ],
        """

    /// A book with the chapter, and the sample database with `locations` before `characters`.
    func book() throws -> ImageBook {
        let book = try ImageBook()
        try book.write(Self.chapter, to: "places.md")
        try book.replace("  \"characters\": [", with: Self.locations + "\n  \"characters\": [", in: "characters/character_base_list.json")
        try FileManager.default.createDirectory(at: book.url("characters/refs"), withIntermediateDirectories: true)
        for name in ["square-day", "square-night"] { try Data([0x89, 0x50, 0x4E, 0x47, 1, 2]).write(to: book.url("characters/refs/\(name).png")) }
        return book
    }

    @Test("Locations are read with the characters; a setting resolves by name, alias, or a name within it; unknown names the nearest")
    func resolution() throws {
        let book = try book()
        defer { book.remove() }
        let database = try CharacterDatabase.load(path: book.url("characters/character_base_list.json").path)
        #expect(database.locations.map(\.id) == ["square", "bank"])
        #expect(database.locations[0].approvedReferences.map(\.id) == ["square-day"])
        #expect(database.resolveLocation("Square") == .resolved(database.locations[0]))
        #expect(database.resolveLocation("the town square at dusk") == .resolved(database.locations[0]))
        #expect(database.resolveLocation("bank hall") == .resolved(database.locations[1]))
        #expect(database.resolveLocation("the town sqare") == .unknown(setting: "the town sqare", nearest: ["the town square", "the bank hall"]))
    }

    @Test("A location id that is also a character id is an input error at its line")
    func duplicateID() throws {
        let text = #"{"schema_version": 1, "characters": [{"id": "mira", "name": "Mira"}],"# + "\n"
            + #" "locations": [{"id": "Mira", "name": "Mira's house"}]}"#
        #expect(throws: InputError.self) { try CharacterDatabase.parse(Array(text.utf8), path: "db.json") }
        do {
            _ = try CharacterDatabase.parse(Array(text.utf8), path: "db.json")
        } catch {
            #expect(error.description.hasPrefix("db.json:2:"))
        }
    }

    @Test("Every prompt starts with the always-include line; a panel's prompt carries its location; approved location references go to providers that take them")
    func prompts() async throws {
        let book = try book()
        defer { book.remove() }
        let provider = RecordingImageProvider(acceptsReferenceImages: true)
        let report = try await book.run(["places.md"], with: provider)
        #expect(report.imagesMade == 5)
        for request in provider.requests {
            #expect(request.prompt.hasPrefix("Always include: money is a promise people keep together; palette: teal, cream.\n"))
        }
        let square = "Location (the town square): cobbled square, stone fountain, clock tower"
        #expect(try #require(provider.requests(for: "p00-01").first).prompt.contains(square))
        #expect(try #require(provider.requests(for: "p00-02").first).prompt.contains(square))
        #expect(try #require(provider.requests(for: "p00-05").first).prompt.contains(square))  // named in the scene
        #expect(try #require(provider.requests(for: "p00-03").first).prompt.contains("Location (the bank hall): a cramped stone bank hall"))
        #expect(try #require(provider.requests(for: "p00-04").first).prompt.contains("Location (") == false)
        let references = try #require(provider.requests(for: "p00-01").first).references
        #expect(references.contains { $0.characterID == "square" && $0.path.hasSuffix("refs/square-day.png") })
        #expect(!references.contains { $0.path.hasSuffix("square-night.png") })
    }

    @Test("An unknown Setting is a non-blocking checklist item naming the nearest known locations; the panel still passes")
    func unknownSetting() async throws {
        let book = try book()
        defer { book.remove() }
        let report = try await book.run(["places.md"], with: RecordingImageProvider())
        let panel = try #require(report.chapters.first?.panels[3])
        #expect(panel.status == .passed)
        let item = try #require(panel.results.checklist?.items.first { $0.id == "location_known" })
        #expect(!item.blocker && !item.passed)
        #expect(item.note.contains("\"the lighthouse\" is not a known location (nearest: the bank hall, the town square)"))
        #expect(report.chapters.first?.panels[0].results.checklist?.items.contains { $0.id == "location_known" } == false)
    }

    @Test("Editing one location's description makes exactly the panels set there stale (text reuse untouched); the always-include line makes every panel's image stale")
    func staleness() async throws {
        let book = try book()
        defer { book.remove() }
        let provider = RecordingImageProvider(acceptsReferenceImages: true)
        try await book.run(["places.md"], with: provider)
        let calls = provider.requests.count
        try book.replace("stone fountain, clock tower", with: "stone fountain, clock tower with a green face", in: "characters/character_base_list.json")
        let plan = try await book.plan(["places.md"], with: provider)
        #expect(plan.panels.map(\.image) == ["stale", "stale", "cached", "cached", "stale"])
        #expect(plan.panels.allSatisfy { $0.state == "cached" })
        #expect(plan.textCallsToMake == 0)
        let rerun = try await book.run(["places.md"], with: provider)
        #expect(rerun.imagesMade == 3)
        #expect(provider.requests.count == calls + 3)
        // Approving the square's draft reference: only the square's panels again, text untouched.
        try book.replace("\"status\": \"draft\"", with: "\"status\": \"approved\"", in: "characters/character_base_list.json")
        let references = try await book.plan(["places.md"], with: provider)
        #expect(references.panels.map(\.image) == ["stale", "stale", "cached", "cached", "stale"])
        #expect(references.panels.allSatisfy { $0.state == "cached" })
        // The always-include line heads every prompt: editing the thesis changes every image.
        try book.replace("visual_thesis: money is a promise people keep together", with: "visual_thesis: trust is visible", in: "places.md")
        let thesis = try await book.plan(["places.md"], with: provider)
        #expect(thesis.panels.allSatisfy { $0.image == "stale" })
    }

    @Test("The always-include line: thesis and palette, either alone, or nothing")
    func alwaysInclude() {
        #expect(ImageControlPrompt.alwaysInclude(visualThesis: "a", palette: ["b", " c "]) == "Always include: a; palette: b, c.")
        #expect(ImageControlPrompt.alwaysInclude(visualThesis: nil, palette: ["b"]) == "Always include: palette: b.")
        #expect(ImageControlPrompt.alwaysInclude(visualThesis: " ", palette: []) == nil)
    }
}
