import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Reference sheets")
struct RefsTests {
    func database(_ book: ImageBook) -> String { book.url("characters/character_base_list.json").path }

    /// `after` is `before` with insertions only: every byte of `before` is kept, in order.
    func onlyInserted(_ before: [UInt8], into after: [UInt8]) -> Bool {
        var index = after.startIndex
        for byte in before {
            guard let found = after[index...].firstIndex(of: byte) else { return false }
            index = found + 1
        }
        return true
    }

    @Test("refs CHARACTER draws a turnaround, saves it under refs/, adds a draft entry keeping every other byte; --approve approves it")
    func characterSheet() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let before = try book.bytes("characters/character_base_list.json")
        let message = try await ReferenceSheets.make("theo", databasePath: database(book), provider: SketchImageProvider())
        #expect(message.hasPrefix("theo-sheet: drew refs/theo-sheet.png"))
        let png = try book.bytes("characters/refs/theo-sheet.png")
        #expect(ImageBytes.mimeType(of: png) == "image/png")
        let after = try book.bytes("characters/character_base_list.json")
        #expect(onlyInserted(before, into: after))
        let text = String(decoding: after, as: UTF8.self)
        #expect(text.contains(#""reference_images": [{ "id": "theo-sheet", "path": "refs/theo-sheet.png", "status": "draft" }]"#))
        let theo = try #require(try CharacterDatabase.load(path: database(book)).character(id: "theo"))
        #expect(theo.referenceImages.map(\.status) == ["draft"])

        // A second sheet gets its own id; a character with references gets a new line in their list.
        _ = try await ReferenceSheets.make("theo", databasePath: database(book), provider: SketchImageProvider())
        _ = try await ReferenceSheets.make("mira", databasePath: database(book), provider: SketchImageProvider())
        let loaded = try CharacterDatabase.load(path: database(book))
        #expect(loaded.character(id: "theo")?.referenceImages.map(\.id) == ["theo-sheet", "theo-sheet-2"])
        #expect(loaded.character(id: "mira")?.referenceImages.map(\.id) == ["mira-front", "mira-sheet"])
        #expect(String(decoding: try book.bytes("characters/character_base_list.json"), as: UTF8.self)
            .contains("\"approved\" },\n        { \"id\": \"mira-sheet\""))

        let approved = try ReferenceSheets.approve("theo-sheet-2", databasePath: database(book))
        #expect(approved.contains("approved"))
        let final = try CharacterDatabase.load(path: database(book))
        #expect(final.character(id: "theo")?.referenceImages.map(\.status) == ["draft", "approved"])
    }

    @Test("An approved sheet goes with every panel its character is in")
    func approvedSheetTravels() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        _ = try await ReferenceSheets.make("ada", databasePath: database(book), provider: SketchImageProvider())
        _ = try ReferenceSheets.approve("ada-sheet", databasePath: database(book))
        let provider = RecordingImageProvider(acceptsReferenceImages: true)
        try await book.run(["01-paper-and-promises.md"], with: provider)
        let withAda = provider.requests.filter { $0.references.contains { $0.path.hasSuffix("refs/ada-sheet.png") } }
        #expect(withAda.map { String($0.layout.panelID.suffix(6)) } == ["p01-03"])
    }

    @Test("refs LOCATION draws an establishing view and adds reference_images to an entry that had none")
    func locationSheet() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try book.replace("  \"characters\": [", with: """
              "locations": [
                { "id": "square", "name": "the town square", "description": "cobbled square, stone fountain" }
              ],
              "characters": [
            """, in: "characters/character_base_list.json")
        _ = try await ReferenceSheets.make("square", databasePath: database(book), provider: SketchImageProvider())
        #expect(try book.text("characters/character_base_list.json").contains(
            #""description": "cobbled square, stone fountain", "reference_images": [{ "id": "square-sheet", "path": "refs/square-sheet.png", "status": "draft" }] }"#))
        #expect(try CharacterDatabase.load(path: database(book)).location(id: "square")?.referenceImages.map(\.id) == ["square-sheet"])
        #expect(ImageBytes.mimeType(of: try book.bytes("characters/refs/square-sheet.png")) == "image/png")
    }

    @Test("An unknown id or reference id is an input error naming the nearest; the database is unchanged")
    func badInput() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let before = try book.bytes("characters/character_base_list.json")
        do {
            _ = try await ReferenceSheets.make("thoe", databasePath: database(book), provider: SketchImageProvider())
            Issue.record("expected an error")
        } catch {
            guard case .input(let input) = error else { Issue.record("\(error)"); return }
            #expect(input.message == "no character or location with id \"thoe\"")
            #expect(input.hint?.contains("theo") == true)
        }
        let approve = inputError { () throws(RunFailure) in try ReferenceSheets.approve("mira-back", databasePath: database(book)) }
        #expect(approve?.hint?.contains("mira-front") == true)
        #expect(try book.bytes("characters/character_base_list.json") == before)
        #expect(!book.exists("characters/refs"))
    }
}
