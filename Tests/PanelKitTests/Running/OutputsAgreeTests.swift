import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Issue 9: outputs never disagree with the Markdown, and the offline engine respects the writer.
@Suite("Outputs that never lie")
struct OutputsAgreeTests {
    static let chapter = """
        ---
        title: Agree
        tone: warm, cozy
        ---

        ### Panel 1

        Mira waves at Theo across the market.

        **Mood:** frightening, a storm is coming

        ### Panel 2

        Mira and Theo share an apple.

        **Mood:** cheerful

        ### Panel 3

        Grandma Ada counts coins.

        """

    func manifest(_ book: ImageBook) throws -> ImageManifest {
        try ImageManifest.load(path: book.url("generated/agree/manifest.json").path, chapterSlug: "agree")
    }

    @Test("A panel deleted from the Markdown loses its manifest entry; its image moves to orphans/; chapter.json agrees")
    func deletedPanel() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try Data(Self.chapter.utf8).write(to: book.url("agree.md"))
        try await book.run(["agree.md"], provider: FakeImageProvider())
        #expect(try manifest(book).entries.count == 3)
        // The writer deletes panel 2 (with its image line).
        let text = try book.text("agree.md")
        let start = try #require(text.range(of: "### Panel 2"))
        let end = try #require(text.range(of: "### Panel 3"))
        try Data((String(text[..<start.lowerBound]) + String(text[end.lowerBound...])).utf8).write(to: book.url("agree.md"))
        try await book.run(["agree.md"], provider: FakeImageProvider())
        let after = try manifest(book)
        #expect(after.entries.map(\.panelID) == ["agree/p00-01", "agree/p00-03"])
        #expect(!FileManager.default.fileExists(atPath: book.url("generated/agree/images/p00-02.png").path))
        #expect(FileManager.default.fileExists(atPath: book.url("generated/agree/orphans/p00-02.png").path))
        let json = JSONValue(try LocatedJSON.parse(try RepoPaths.bytes(book.url("generated/agree/chapter.json")), file: "chapter.json"))
        let ids = (json["panels"]?.array ?? []).compactMap { $0["id"]?.string }
        #expect(ids == after.entries.map(\.panelID))
    }

    @Test("A panel that passed and later fails loses its H4 line, and the manifest says stale, never generated")
    func passedThenFails() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try Data(Self.chapter.utf8).write(to: book.url("agree.md"))
        try await book.run(["agree.md"], provider: FakeImageProvider())
        #expect(try book.text("agree.md").contains("images/p00-02.png"))
        let edited = try book.text("agree.md").replacingOccurrences(of: "Mira and Theo share an apple.",
                                                                    with: "Mira and Theo share an apple.\n\n**Characters:** The Stranger")
        try Data(edited.utf8).write(to: book.url("agree.md"))
        let report = try await book.run(["agree.md"], provider: FakeImageProvider())
        #expect(report.counts[.failed] == 1)
        let markdown = try book.text("agree.md")
        #expect(!markdown.contains("images/p00-02.png"))
        #expect(markdown.contains("**Mood:** cheerful\n\n### Panel 3"), "\(markdown)")
        let entry = try #require(try manifest(book).entry("agree/p00-02"))
        #expect(entry.status == "stale")
        #expect(entry.reason?.contains("failed") == true)
        // A rerun changes nothing more.
        try await book.run(["agree.md"], provider: FakeImageProvider())
        #expect(try book.text("agree.md") == markdown)
    }

    @Test("A forced image is marked forced in the manifest and carries a corner tag in the sketch")
    func forcedImage() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let text = Self.chapter.replacingOccurrences(of: "Grandma Ada counts coins.", with: "Grandma Ada counts coins.\n\n**Characters:** The Stranger")
        try Data(text.utf8).write(to: book.url("agree.md"))
        let provider = FakeImageProvider()
        try await book.run(["agree.md"], provider: provider) { $0.force = true }
        let entries = try manifest(book).entries
        #expect(entries.map(\.forced) == [false, false, true])
        #expect(try book.text("generated/agree/manifest.json").contains("\"forced\": true"))
        let layout = PanelLayout(panelID: "agree/p00-03", title: nil, shot: nil, characters: ["Grandma Ada"], bubbles: [])
        var forced = layout
        forced.forced = true
        let size = ImageSize(width: 384, height: 256)
        let plain = try SketchRenderer.render(layout, size: size).png
        let tagged = try SketchRenderer.render(forced, size: size).png
        #expect(plain != tagged)
        #expect(try SketchRenderer.render(forced, size: size).png == tagged)
    }

    @Test("The closing beat follows each panel's mood (the tone only where there is none); the image prompt never contradicts it")
    func moodBeats() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try Data(Self.chapter.utf8).write(to: book.url("agree.md"))
        let report = try await book.run(["agree.md"], provider: FakeImageProvider())
        let results = report.chapters[0].panels.map { $0.text?.results }
        let rewrites = results.map { $0?.rewrite?.text ?? "" }
        let prompts = results.map { $0?.imagePrompt?.prompt ?? "" }
        #expect(!rewrites[0].lowercased().contains("warm and safe"), "\(rewrites[0])")
        #expect(!prompts[0].lowercased().contains("warm and safe"), "\(prompts[0])")
        #expect(rewrites[0].contains("Fear grips the moment"), "\(rewrites[0])")
        #expect(rewrites[1].contains("bright and cheerful"), "\(rewrites[1])")
        #expect(!rewrites[1].contains("Fear"))
        #expect(rewrites[2].contains("warm and safe"), "\(rewrites[2])")  // no mood: the chapter's tone
        // A mood the engine has no beat for gets none, never the tone's.
        let unknown = OfflineRewrite.answer(.object([("scene", .string("Mira waits.")), ("tone", .string("warm")),
                                                     ("mood", .string("wistful"))]))
        #expect(unknown["text"]?.string == "Mira waits.")
    }

    @Test("An empty panel gets no invented scene: its rewrite says it is empty")
    func emptyPanel() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try Data("---\ntitle: Agree\ntone: warm\n---\n\n### Panel 1\n\n**Mood:** calm\n".utf8).write(to: book.url("agree.md"))
        let report = try await book.run(["agree.md"], provider: FakeImageProvider())
        let rewrite = try #require(report.chapters[0].panels[0].text?.results.rewrite?.text)
        #expect(rewrite.contains("This panel is empty"), "\(rewrite)")
        #expect(!rewrite.contains("quiet, wordless"))
        #expect(report.chapters[0].diagnostics.contains { $0.message.contains("no scene text, dialogue or caption") })
    }

    @Test("A generated/<slug>/ folder that belongs to another Markdown file is refused, naming both; --take-over adopts it")
    func folderOwner() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try Data(Self.chapter.utf8).write(to: book.url("agree.md"))
        try await book.run(["agree.md"], provider: FakeImageProvider())
        #expect(try manifest(book).source == "../../agree.md")
        try Data(Self.chapter.utf8).write(to: book.url("agree-draft.md"))
        var settings = RunSettings()
        let pipeline = Pipeline(settings: settings, imageProvider: FakeImageProvider())
        let prepared = try pipeline.prepare(files: [book.url("agree-draft.md")])
        let error = try #require(pipeline.parsePhase.outputCollision(prepared))
        #expect(error.file.hasSuffix("agree-draft.md"))
        #expect(error.message.contains(book.url("agree.md").path), "\(error)")
        #expect(error.hint?.contains("--output-dir") == true)
        #expect(error.hint?.contains("--take-over") == true)
        #expect(error.hint?.contains("`title`") == true)
        settings.takeOver = true
        #expect(ParsePhase(settings: settings).outputCollision(prepared) == nil)
        // The owner itself, and a manifest without an owner, are not collisions.
        #expect(pipeline.parsePhase.outputCollision(try pipeline.prepare(files: [book.url("agree.md")])) == nil)
        var old = try manifest(book)
        old.source = nil
        try Data(old.json.serialized().utf8).write(to: book.url("generated/agree/manifest.json"))
        #expect(pipeline.parsePhase.outputCollision(prepared) == nil)
    }
}
