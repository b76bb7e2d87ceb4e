import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Runs the whole chain over the first panel of `markdown` with `provider`.
func runPanel(_ markdown: String, provider: any TextProvider = OfflineTextProvider(), force: Bool = false) async throws -> PanelOutcome {
    await PanelChain.standard.run(try context(markdown, force: force), model: try caller(provider))
}

func failedRules(_ outcome: PanelOutcome) -> [String] {
    (outcome.results.checklist?.failedBlockers ?? []).map(\.id)
}

@Suite("The checklist gate blocks seeded defects")
struct GateTests {
    static let cleanPanel = """
        ---
        tone: warm
        common_example: paying for apples with a banknote
        ---
        ### Panel 1

        WIDE SHOT: Theo weighs apples on a brass scale while Mira counts coins.

        **Teaching point:** a price is an agreement.

        **Mira:** Is that enough?
        """

    @Test("The clean panel passes")
    func cleanPasses() async throws {
        let outcome = try await runPanel(Self.cleanPanel)
        #expect(outcome.status == .passed, "\(outcome.reasons)")
        #expect(outcome.reasons.isEmpty)
    }

    @Test("An image prompt that copies the common example")
    func copiedExample() async throws {
        let provider = DefectProvider(prompt: "image_prompt") { value in
            .object([("prompt", .string("A child paying for apples with a banknote at a stall.")),
                     ("negative_prompt", value["negative_prompt"] ?? .string(""))])
        }
        let outcome = try await runPanel(Self.cleanPanel, provider: provider)
        #expect(outcome.status == .failed)
        #expect(failedRules(outcome) == ["common_example_not_copied"])
    }

    @Test("An unknown role, with the three nearest names as suggestions")
    func unknownRole() async throws {
        let outcome = try await runPanel(Self.cleanPanel.replacingOccurrences(of: "**Mira:**", with: "**Characters:** Theo, Mera\n\n**Mira:**"))
        #expect(outcome.status == .failed)
        #expect(failedRules(outcome) == ["roles_resolved"])
        #expect(outcome.reasons.first?.contains("unknown role \"Mera\" in panel chapter/p00-01; did you mean Mira Okafor") == true,
                "\(outcome.reasons)")
        // Nothing downstream of the failed validation ran: no image prompt, no bubbles.
        #expect(outcome.results.imagePrompt == nil)
        #expect(outcome.stageStates[.imagePrompt] == .skipped("unresolved roles: Mera"))
    }

    @Test("Five bubbles against a limit of three")
    func tooManyBubbles() async throws {
        let lines = (1...5).map { "**Mira:** Line \($0)." }.joined(separator: "\n")
        let outcome = try await runPanel(Self.cleanPanel.replacingOccurrences(of: "**Mira:** Is that enough?", with: lines))
        #expect(outcome.status == .failed)
        #expect(failedRules(outcome) == ["bubble_count"])
        #expect(outcome.results.bubbles?.bubbles.count == 5)
    }

    @Test("A bubble over the word limit")
    func longBubble() async throws {
        let long = Array(repeating: "word", count: 30).joined(separator: " ")
        let outcome = try await runPanel(Self.cleanPanel.replacingOccurrences(of: "Is that enough?", with: long))
        #expect(failedRules(outcome) == ["bubble_words"])
    }

    @Test("An image prompt that asks for written text", arguments: [
        "A shop sign that reads \"OPEN\" hangs above Theo.", "Theo holds a banner with the words PAY HERE.",
        "Bold lettering across the top.", "A ledger page labeled 'Debts'.",
    ])
    func textInImage(prompt: String) async throws {
        let provider = DefectProvider(prompt: "image_prompt") { value in
            .object([("prompt", .string((value["prompt"]?.string ?? "") + " " + prompt)), ("negative_prompt", .string(""))])
        }
        let outcome = try await runPanel(Self.cleanPanel, provider: provider)
        #expect(failedRules(outcome) == ["no_text_in_image"])
    }

    @Test("A rewrite that drops a required role")
    func rewriteDropsRole() async throws {
        let provider = DefectProvider(prompt: "rewrite") { _ in .object([("text", .string("Mira Okafor counts coins at the stall."))]) }
        let outcome = try await runPanel(Self.cleanPanel, provider: provider)
        #expect(outcome.status == .failed)
        #expect(failedRules(outcome) == ["rewrite_keeps_roles"])
        #expect(outcome.reasons.first?.contains("drops Theo Brandt") == true)
    }

    @Test("A rewrite that invents a named character")
    func rewriteInventsRole() async throws {
        let provider = DefectProvider(prompt: "rewrite") { value in
            .object([("text", .string((value["text"]?.string ?? "") + " Captain Harlow watches from the door."))])
        }
        let outcome = try await runPanel(Self.cleanPanel, provider: provider)
        #expect(failedRules(outcome) == ["rewrite_invents_no_roles"])
    }

    @Test("A bubble set that loses the writer's dialogue (the model's own blocker)")
    func dialogueDropped() async throws {
        let provider = DefectProvider(prompt: "bubbles") { _ in .object([("bubbles", .array([]))]) }
        let outcome = try await runPanel(Self.cleanPanel, provider: provider)
        #expect(failedRules(outcome) == ["dialogue_kept"])
    }

    @Test("--force carries a failed panel through, marked forced, still without the unknown name in the prompt")
    func forced() async throws {
        let markdown = Self.cleanPanel.replacingOccurrences(of: "**Mira:**", with: "**Characters:** Theo, The Stranger\n\n**Mira:**")
        let outcome = try await runPanel(markdown, force: true)
        #expect(outcome.status == .forced)
        let prompt = try #require(outcome.results.imagePrompt?.prompt)
        #expect(!prompt.contains("Stranger"))
        #expect(outcome.results.bubbles != nil)
    }
}

@Suite("Sample chapters through the whole offline chain")
struct SampleChainTests {
    func outcomes(_ name: String, force: Bool = false) async throws -> [(String, PanelOutcome)] {
        let chapter = try parseSample(name)
        let runner = TextPhase(model: try caller(), force: force)
        let results = await runner.run([PreparedChapter(chapter, characters: try sampleCharacters())])
        return zip(chapter.panels.map(\.localID), results[0].map { $0! }).map { ($0, $1) }
    }

    @Test("Sample 1 fails exactly its panel with The Stranger, with suggestions")
    func sampleOne() async throws {
        let results = try await outcomes("01-paper-and-promises.md")
        #expect(results.filter { $0.1.status == .failed }.map(\.0) == ["p02-02"])
        let failed = try #require(results.first { $0.0 == "p02-02" }?.1)
        #expect(failed.reasons == ["roles_resolved: unknown role \"The Stranger\" in panel 01-paper-and-promises/p02-02; did you mean "
            + "Theo Brandt, Grandma Ada, Mira Okafor? Add it to characters/character_base_list.json or fix the name."])
        #expect(results.filter { $0.1.status == .passed }.count == 4)
    }

    @Test("With --force the same panel comes through as forced")
    func sampleOneForced() async throws {
        let results = try await outcomes("01-paper-and-promises.md", force: true)
        #expect(results.map(\.1.status) == [.passed, .passed, .passed, .passed, .forced])
    }

    @Test("Sample 2 and the bundled examples pass entirely")
    func cleanChapters() async throws {
        for name in ["02-the-double-spend.md"] {
            let results = try await outcomes(name)
            #expect(results.allSatisfy { $0.1.status == .passed }, "\(results.map { ($0.0, $0.1.reasons) })")
        }
        let example = RepoPaths.examples.appendingPathComponent("03-the-ledger-keepers.md")
        let chapter = try ChapterParser().parse(SourceText(bytes: try RepoPaths.bytes(example)), file: "03.md")
        let results = await TextPhase(model: try caller()).run([PreparedChapter(chapter, characters: try sampleCharacters())])
        #expect(results[0].allSatisfy { $0?.status == .passed }, "\(results[0].map { $0?.reasons ?? [] })")
    }
}
