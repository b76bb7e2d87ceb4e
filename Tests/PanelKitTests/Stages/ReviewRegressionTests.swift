import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Defects found in review, each pinned by the input that showed it.
@Suite("Review regressions")
struct ReviewRegressionTests {
    @Test("A sentence that starts with a word before a name invents nobody",
          arguments: ["At Theo's stall the apples shine.", "In Mira's hand a coin glints.", "Then Theo holds the banknote up to the light."])
    func sentenceStartBeforeName(scene: String) async throws {
        let outcome = try await runPanel("---\ntone: warm\n---\n### Panel 1\n\n\(scene)\n")
        #expect(outcome.status == .passed, "\(outcome.reasons)")
        #expect(outcome.results.roleValidation?.invented == [])
        #expect(outcome.results.imagePrompt?.prompt.contains("a figure") == false)
    }

    @Test("Ordinary sentences about writing are not requests to draw text", arguments: [
        "**Teaching point:** a banknote is just a promise written on paper.", "Grandma Ada spells out why a promise matters.",
        "Mira struggles with the words of her apology.", "Officer Bly checks the names written in the ledger.",
    ])
    func writingIsNotLettering(line: String) async throws {
        let outcome = try await runPanel("### Panel 1\n\nMira waits.\n\n\(line)\n")
        #expect(!failedRules(outcome).contains("no_text_in_image"), "\(outcome.reasons)")
    }

    @Test("Script labels are fields, shots or scene text, never speakers")
    func scriptLabels() throws {
        let panel = try #require(try parse("""
            ### Panel 1

            Mira waits.

            EXTREME WIDE SHOT: The market.

            Caption (Mira): I was late.
            SFX (door): KNOCK
            Note: keep it quiet.
            Flashback: Grandma as a girl.

            **Characters:** none
            """).panels.first)
        #expect(panel.dialogue.isEmpty, "\(panel.dialogue)")
        #expect(panel.field(.caption) == "I was late.")
        #expect(panel.field(.sfx) == "KNOCK")
        #expect(panel.field(.notes) == "keep it quiet.")
        #expect(panel.requiredRoles.isEmpty)
        #expect(panel.sceneDescriptionOriginal.contains("Flashback: Grandma as a girl."))
        #expect(panel.sceneDescriptionOriginal.contains("The market."))
    }

    @Test("A short common example is a topic, not a sentence to copy")
    func shortCommonExample() async throws {
        let outcome = try await runPanel("---\ncommon_example: gold coins\n---\n### Panel 1\n\nOfficer Bly counts the gold coins twice.\n\n**Setting:** a bank vault stacked with gold coins\n")
        #expect(outcome.status == .passed, "\(outcome.reasons)")
        #expect(outcome.results.imagePrompt?.prompt.contains("counts the gold coins twice") == true)
    }

    @Test("The cache key covers every variable: a changed keyword list or new dialogue asks again")
    func cacheCoversVariables() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        func run(_ text: String, taxonomy: ThemeTaxonomy) async throws -> RunReport {
            var settings = RunSettings()
            settings.characters = RepoPaths.fixture("samples/character_base_list.json").path
            settings.taxonomy = taxonomy
            settings.trace = folder.appendingPathComponent("trace.sqlite").path
            // Every run writes pacing.json and pacing.svg: into the scratch folder, not the working one.
            settings.outputDirectory = folder.appendingPathComponent("generated").path
            let pipeline = Pipeline(settings: settings)
            return try await pipeline.run(try pipeline.prepare([InputDocument(path: "c.md", source: SourceText(text))]))
        }
        let weather = ThemeTaxonomy(themes: [.init(name: "weather", description: "weather", keywords: ["rain"]),
                                            .init(name: "everyday", description: "other", keywords: [])])
        let text = "### Panel 1\n\nMira watches the drizzle.\n"
        let first = try await run(text, taxonomy: weather)
        #expect(first.chapters[0].outcomes[0]?.results.theme?.theme == "everyday")
        let wider = ThemeTaxonomy(themes: [.init(name: "weather", description: "weather", keywords: ["rain", "drizzle"]),
                                           .init(name: "everyday", description: "other", keywords: [])])
        let second = try await run(text, taxonomy: wider)
        #expect(second.chapters[0].outcomes[0]?.results.theme?.theme == "weather")
    }

    @Test("Two inputs with the same slug are refused before anything is written")
    func slugCollision() throws {
        let pipeline = Pipeline(settings: RunSettings())
        let text = "---\nchapter: 1\ntitle: Money\n---\n### Panel 1\n\nA.\n"
        let prepared = try pipeline.prepare(["/book/draft.md", "/book/final.md"].map { InputDocument(path: $0, source: SourceText(text)) })
        let collision = try #require(pipeline.parsePhase.outputCollision(prepared))
        #expect(collision.description.contains("/book/final.md: error: this chapter's slug is 01-money"))
        #expect(collision.description.contains("would also be written by /book/draft.md"))
    }

    @Test("A prompt folder missing a stage's template is a configuration error, found before the run")
    func missingTemplate() throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bundled = try #require(PromptFiles.folderForTests)
        for name in ["roles", "rewrite", "image_prompt", "bubbles", "checklist"] {
            try FileManager.default.copyItem(atPath: bundled + "/\(name).yml", toPath: folder.appendingPathComponent("\(name).yml").path)
        }
        var settings = RunSettings()
        settings.promptsDirectory = folder.path
        let parse = ParsePhase(settings: settings)
        #expect(throws: InputError.self) { try parse.loadPrompts() }
        do { _ = try parse.loadPrompts() } catch { #expect(error.message == "no prompt template for theme") }
    }
}

enum PromptFiles {
    static var folderForTests: String? { PanelPromptsFolder.path }
}

@Suite("Review regressions: names the database does not know")
struct UnlistedNameTests {
    @Test("A name the writer used that is not in the database is a warning; places and days are not")
    func unlistedName() async throws {
        let outcome = try await runPanel("### Panel 1\n\nMira hands a coin to Zed, the baker, outside the Bank of England on Tuesday.\n")
        #expect(outcome.status == .passed)
        #expect(outcome.results.roleValidation?.unlisted == ["Zed"])
        let warning = try #require(outcome.results.checklist?.items.first { $0.id == "names_in_database" })
        #expect(!warning.blocker)
        #expect(warning.note.hasPrefix("Zed is not in the character database"))
    }
}
