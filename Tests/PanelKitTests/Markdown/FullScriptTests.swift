import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// The full-script fixture: four page headers (one a spread), nine panels, 22 lettering lines.
func parseFullScript() throws -> Chapter {
    let url = RepoPaths.fixture("fullscript/the-clipped-coin.md")
    return try ChapterParser().parse(SourceText(bytes: try RepoPaths.bytes(url)), file: "the-clipped-coin.md",
                                     fileName: "the-clipped-coin.md")
}

@Suite("Full script: the fixture reads as a comic writer wrote it")
struct FullScriptFixtureTests {
    @Test("Pages, a spread and panels are found; ids follow the page numbers")
    func structure() throws {
        let chapter = try parseFullScript()
        #expect(chapter.panels.map(\.localID) == ["p01-01", "p01-02", "p01-03", "p02-01", "p02-02",
                                                  "p03-01", "p03-02", "p03-03", "p05-01"])
        #expect(chapter.pages.map(\.header) == ["PAGE ONE", "PAGE TWO", "PAGES THREE–FOUR", "PAGE 5"])
        // A spread is one page entry covering both numbers.
        #expect(chapter.pages[2].number == 3)
        #expect(chapter.pages[2].lastNumber == 4)
        #expect(chapter.pages[2].panelIDs.count == 3)
        #expect(chapter.pages.map(\.declaredPanels) == [5, 2, nil, nil])
    }

    @Test("Exactly two warnings: the declared-count mismatch and the balloon-numbering gap, at their lines")
    func exactlyTwoWarnings() throws {
        let chapter = try parseFullScript()
        #expect(chapter.diagnostics.map(\.description) == [
            "the-clipped-coin.md:9:1: warning: PAGE ONE declares five panels; found 3",
            "the-clipped-coin.md:75:1: warning: balloon numbering on PAGES THREE–FOUR skips from 3 to 5 (4 is missing)",
        ])
    }

    @Test("Every lettering line is read, with its number, kind, speaker and modifiers")
    func everyLetteringLine() throws {
        let chapter = try parseFullScript()
        let lettering = chapter.panels.map(\.lettering)
        #expect(lettering.map(\.count) == [3, 2, 2, 2, 3, 2, 1, 2, 5])
        #expect(lettering.flatMap { $0 }.count == 22)
        #expect(lettering.map { $0.map(\.number) } == [[1, 2, 3], [4, 5], [6, 7], [1, 2], [3, 4, 5], [1, 2], [3], [5, 6],
                                                       [1, 2, 3, 4, 5]])
        #expect(lettering[0].map(\.kind) == [.caption, .title, .credits])
        #expect(lettering[0][1].text == "THE CLIPPED COIN")
        #expect(lettering[2].map(\.kind) == [.dialogue, .sfx])
        // `CAPTION (MIRA):` is Mira's narration.
        #expect(lettering[3][1].kind == .caption)
        #expect(lettering[3][1].speaker == "MIRA")
        #expect(lettering[4].map(\.speaker) == ["GRANDMA ADA", "GRANDMA ADA", "THEO"])
        #expect(lettering[4].map(\.modifiers) == [[.shout], [.continued], [.weak]])
        #expect(lettering[5].map(\.modifiers) == [[.electronic], []])
        #expect(lettering[6][0].modifiers == [.offPanel])
        #expect(lettering[8].map(\.modifiers) == [[.electronic], [.shout], [.offPanel], [.whisper], [.electronic]])
        // A modifier panelproc does not know stays the manner only.
        #expect(lettering[1][1].manner == "SMILING")
        #expect(lettering[1][1].modifiers.isEmpty)
        #expect(lettering[2][0].modifiers == [.thought])
        #expect(lettering[3][0].modifiers == [.whisper])
        #expect(lettering[7][1].modifiers == [.burst])
    }

    @Test("Lettering never reaches the scene text; notes to the letterer are notes, not lettering")
    func sceneIsOnlyDescription() throws {
        let chapter = try parseFullScript()
        let scenes = chapter.panels.map(\.sceneDescriptionOriginal)
        #expect(scenes[0] == "Wide establishing shot. A night market under strings of paper lanterns; Mira weaves between the stalls.")
        #expect(scenes[1] == "Medium shot. Mira stops at Theo's apple stall and holds out a coin.")
        #expect(scenes[6] == "Insert: the coin on the counter, a fresh notch in its rim.")
        for (panel, scene) in zip(chapter.panels, scenes) {
            for line in panel.lettering { #expect(!scene.contains(line.text), "\(panel.id): \(line.text)") }
            for word in ["CAPTION", "SFX", "NOTE", "LETTERER", "TITLE", "CREDITS"] { #expect(!scene.contains(word + ":")) }
        }
        #expect(chapter.panels[0].field(.notes) == "Keep the title small; the lanterns matter more.")
        #expect(chapter.panels[6].field(.notes) == "Keep the coin clear of balloons.")
        #expect(chapter.panels.allSatisfy { $0.lettering.allSatisfy { !$0.text.contains("balloons") && !$0.text.contains("lanterns") } })
    }

    @Test("Shot types come from the description's first sentence")
    func shotTypesFromProse() throws {
        let chapter = try parseFullScript()
        #expect(chapter.panels.map(\.shotType) == [.establishing, .medium, .closeUp, .extremeCloseUp, .overTheShoulder,
                                                   .birdsEye, .insert, .lowAngle, .medium])
    }
}

@Suite("Full script: each accepted form")
struct FullScriptFormTests {
    @Test("Page headers as headings or paragraphs, with a declared count or a spread",
          arguments: [
              ("PAGE ONE", 1, nil, nil), ("PAGE 1", 1, nil, nil), ("PAGE ONE (FIVE PANELS)", 1, nil, 5),
              ("Page 2 (1 panel)", 2, nil, 1), ("PAGES TWO–THREE", 2, 3, nil), ("Pages 4-5", 4, 5, nil),
              ("PAGES SIX AND SEVEN", 6, 7, nil),
          ] as [(String, Int, Int?, Int?)])
    func pageHeaders(header: String, number: Int, last: Int?, declared: Int?) throws {
        for text in ["\(header)\n\nPANEL 1\n\nMira waits.\n", "## \(header)\n\nPANEL 1\n\nMira waits.\n"] {
            let chapter = try parse(text)
            let page = try #require(chapter.pages.first, "\(text)")
            #expect(page.number == number)
            #expect(page.lastNumber == last)
            #expect(page.declaredPanels == declared)
            #expect(chapter.panels.map(\.page) == [number])
        }
    }

    @Test("Panel headers with the description on the same line or the next",
          arguments: ["PANEL 1\nMira waits by the door.", "PANEL ONE\n\nMira waits by the door.",
                      "Panel 1.\nMira waits by the door.", "PANEL 1:\nMira waits by the door.",
                      "Panel 1. Mira waits by the door.", "PANEL 1: Mira waits by the door.",
                      "**PANEL 1**\nMira waits by the door."])
    func panelHeaders(text: String) throws {
        let chapter = try parse("PAGE ONE\n\n\(text)\n\n1 MIRA: Anyone home?\n")
        let panel = try #require(chapter.panels.first)
        #expect(chapter.panels.count == 1)
        #expect(panel.localID == "p01-01")
        #expect(panel.title == nil)
        #expect(panel.sceneDescriptionOriginal == "Mira waits by the door.")
        #expect(panel.lettering.map(\.number) == [1])
    }

    @Test("Dense scripts: page and panel headers on consecutive lines of one paragraph")
    func denseHeaders() throws {
        for text in ["PAGE ONE\nPANEL 1\nMira waits.\n\n1 MIRA: Hello?\n", "PAGE ONE\nPANEL 1\n\nMira waits.\n\n1 MIRA: Hello?\n"] {
            let chapter = try parse(text)
            #expect(chapter.pages.map(\.header) == ["PAGE ONE"])
            #expect(chapter.panels.map(\.localID) == ["p01-01"])
            #expect(chapter.panels.first?.sceneDescriptionOriginal == "Mira waits.")
            #expect(chapter.panels.first?.lettering.map(\.number) == [1])
        }
    }

    @Test("Numbered lettering lines: `1 MIRA:`, `1. MIRA:` (an ordered list), `(1) MIRA:`, `1) MIRA:`",
          arguments: ["1 MIRA: Hello.", "1. MIRA: Hello.", "(1) MIRA: Hello.", "1) MIRA: Hello.", "7. MIRA: Hello."])
    func numberedLines(line: String) throws {
        let chapter = try parse("PANEL 1\n\nMira waves.\n\n\(line)\n")
        let dialogue = try #require(chapter.panels.first?.dialogue.first)
        #expect(dialogue.speaker == "MIRA")
        #expect(dialogue.text == "Hello.")
        #expect(dialogue.number == Int(line.filter(\.isNumber)))
        #expect(chapter.panels[0].sceneDescriptionOriginal == "Mira waves.")
    }

    @Test("Several parentheses after a name: all are the manner, the known ones are modifiers")
    func severalModifiers() throws {
        let chapter = try parse("PANEL 1\n\nDark.\n\n1 MIRA (OFF) (WHISPERING, scared): Theo?\n2 THEO (O.S.)(CONT’D): Here.\n")
        let lines = try #require(chapter.panels.first?.lettering)
        #expect(lines[0].manner == "OFF, WHISPERING, scared")
        #expect(lines[0].modifiers == [.offPanel, .whisper])
        #expect(lines[1].modifiers == [.offPanel, .continued])
    }

    @Test("A repeated balloon number, a restart within a page, and a page that starts late are warnings; each page starts at 1")
    func numberingWarnings() throws {
        let text = """
            PAGE ONE

            PANEL 1

            1 MIRA: One.
            2 THEO: Two.

            PANEL 2

            2 MIRA: Two again.
            1 THEO: Back to one.

            PAGE TWO

            PANEL 1

            1 MIRA: A new page starts at one.

            PAGE THREE

            PANEL 1

            2 THEO: Where is one?

            """
        let chapter = try parse(text)
        #expect(chapter.diagnostics.map(\.description) == [
            "test.md:10:1: warning: balloon 2 on PAGE ONE is numbered twice; letterers place balloons by these numbers",
            "test.md:11:1: warning: balloon numbering on PAGE ONE goes back from 2 to 1; it should run on through the page",
            "test.md:23:1: warning: balloon numbering on PAGE THREE starts at 2 (1 is missing)",
        ])
    }

    @Test("A page header whose count matches, or that declares none, gives no warning")
    func matchingCount() throws {
        let chapter = try parse("PAGE ONE (TWO PANELS)\n\nPANEL 1\n\nA.\n\nPANEL 2\n\nB.\n\nPAGE TWO\n\nPANEL 1\n\nC.\n")
        #expect(chapter.diagnostics.isEmpty)
        let mismatch = try parse("## Page 3 (one panel)\n\n### Panel 1\n\nA.\n\n### Panel 2\n\nB.\n")
        #expect(mismatch.diagnostics.map(\.description) == ["test.md:1:1: warning: Page 3 declares one panel; found 2"])
    }

    @Test("Shot types from the first sentence of the description",
          arguments: [
              ("Wide establishing shot. The market.", ShotType.establishing), ("Medium shot. Theo waits.", .medium),
              ("Close on Mira, who grins.", .closeUp), ("Extreme close-up of the watermark.", .extremeCloseUp),
              ("Bird's-eye view of the square.", .birdsEye), ("Over Theo's shoulder, we see Mira.", .overTheShoulder),
              ("Insert: the ledger's last line.", .insert), ("A wide shot of the harbour.", .wide),
              ("Low angle. The bank looms.", .lowAngle),
          ])
    func shotFromProse(description: String, shot: ShotType) throws {
        let chapter = try parse("PANEL 1\n\n\(description)\n")
        #expect(chapter.panels.first?.shotType == shot)
    }

    @Test("A description that only mentions framing words names no shot",
          arguments: ["Theo holds the note close to the lamp.", "Mira looks over the wall.", "The view from the bridge.",
                      "Wide awake, Mira sits up.", "Shot glasses line the bar."])
    func noShotFromProse(description: String) throws {
        #expect(try parse("PANEL 1\n\n\(description)\n").panels.first?.shotType == nil)
    }

    @Test("Captions, SFX, titles and credits, numbered or not; `Title:` in prose stays scene text")
    func letteringFields() throws {
        let chapter = try parse("""
            PANEL 1

            The square.

            CAPTION: Dawn.
            3 SFX: DONG
            TITLE: THE VAULT
            Credits: Written by Ada
            LETTERER: Leave room for the bell.
            Title: a working title for this page.

            """)
        let panel = try #require(chapter.panels.first)
        #expect(panel.lettering.map(\.kind) == [.caption, .sfx, .title, .credits])
        #expect(panel.lettering.map(\.number) == [nil, 3, nil, nil])
        #expect(panel.field(.notes) == "Leave room for the bell.")
        #expect(panel.sceneDescriptionOriginal == "The square.\n\nTitle: a working title for this page.")
    }
}

@Suite("Full script: existing chapters and mixed documents")
struct FullScriptCompatibilityTests {
    @Test("A document mixing the Markdown convention and the full-script convention")
    func mixedConventions() throws {
        let chapter = try parse("""
            # Chapter 4: Mixed

            ## Page 1

            ### Panel 1: Market morning

            WIDE SHOT: Theo sets out apples.

            **Mira:** Good morning!
            Caption: Saturday.

            PAGE TWO (ONE PANEL)

            PANEL 1
            Close on Theo.

            1 THEO (WHISPER): Here she comes.
            2 SFX: CREAK

            """)
        #expect(chapter.panels.map(\.localID) == ["p01-01", "p02-01"])
        #expect(chapter.panels[0].title == "Market morning")
        #expect(chapter.panels[0].shotType == .wide)
        #expect(chapter.panels[0].lettering.map(\.kind) == [.dialogue, .caption])
        #expect(chapter.panels[0].lettering.map(\.number) == [nil, nil])
        #expect(chapter.panels[1].shotType == .closeUp)
        #expect(chapter.panels[1].lettering.map(\.number) == [1, 2])
        #expect(chapter.diagnostics.isEmpty)
    }

    @Test("Marker-like lines that go on in lower case, or carry a title over several lines, are not markers",
          arguments: ["Page 2\nof the contract was never signed.", "Panel 3\nwith two lines is still a paragraph.",
                      "Page 12: The vault\nis where the money went.", "Panel 4: Dusk\nMira waits."])
    func notMarkers(text: String) throws {
        let chapter = try parse("### Panel 1\n\nA.\n\n\(text)\n")
        #expect(chapter.panels.count == 1)
        #expect(chapter.pages.isEmpty)
    }

    @Test("The shared samples parse as before: no lettering numbers, no new warnings, shot types unchanged")
    func samplesUnchanged() throws {
        let first = try parseSample("01-paper-and-promises.md")
        #expect(first.diagnostics.isEmpty)
        #expect(first.panels.flatMap(\.lettering).allSatisfy { $0.number == nil })
        let second = try parseSample("02-the-double-spend.md")
        #expect(second.pages.isEmpty)
        #expect(second.panels.map(\.shotType) == [nil, .establishing, nil])
    }
}

@Suite("Full script: downstream of the parser")
struct FullScriptPipelineTests {
    /// Runs the offline chain over every panel of the fixture.
    static func outcomes() async throws -> [PanelOutcome] {
        let chapter = try parseFullScript()
        let characters = try sampleCharacters()
        let model = try caller()
        var outcomes: [PanelOutcome] = []
        for panel in chapter.panels {
            let context = StageContext(panel: panel, settings: chapter.settings, characters: characters, charactersSearched: [])
            outcomes.append(await PanelChain.standard.run(context, model: model))
        }
        return outcomes
    }

    @Test("Every panel passes; bubbles carry the writer's numbers, kinds, canonical speakers and narrators")
    func bubbles() async throws {
        let outcomes = try await Self.outcomes()
        #expect(outcomes.map(\.status) == Array(repeating: .passed, count: 9), "\(outcomes.map(\.reasons))")
        let bubbles = outcomes.map { $0.results.bubbles?.bubbles ?? [] }
        #expect(bubbles.map(\.count) == [3, 2, 2, 2, 3, 2, 1, 2, 5])
        #expect(bubbles[0].map(\.kind) == [.caption, .title, .credits])
        #expect(bubbles[2].map(\.kind) == [.thought, .sfx])
        #expect(bubbles[3].map(\.kind) == [.whisper, .caption])
        #expect(bubbles[3][1].speaker == "Mira Okafor")
        #expect(bubbles[4].map(\.kind) == [.burst, .speech, .weak])
        #expect(bubbles[4].map(\.speaker) == ["Grandma Ada", "Grandma Ada", "Theo Brandt"])
        #expect(bubbles[4][1].continued)
        #expect(bubbles[5].map(\.kind) == [.electronic, .sfx])
        #expect(bubbles[6][0].offPanel)
        #expect(bubbles[7].map(\.kind) == [.speech, .burst])
        #expect(bubbles[8].map(\.kind) == [.electronic, .burst, .speech, .whisper, .electronic])
        #expect(bubbles[8].map(\.number) == [1, 2, 3, 4, 5])
        #expect(bubbles[8][2].offPanel)
    }

    @Test("Captions and SFX never reach the rewrite; an off-panel speaker is not a role in the picture")
    func rewriteAndRoles() async throws {
        let outcomes = try await Self.outcomes()
        for outcome in outcomes {
            let rewrite = outcome.results.rewrite?.text ?? ""
            for word in ["night market opens", "CLINK", "KRRZZT", "CLIPPED COIN", "Two apples", "frown"] {
                #expect(!rewrite.contains(word), "\(rewrite)")
            }
        }
        // p05-01: Theo is heard (O.S.), not seen.
        let roles = outcomes[8].results.roles?.roles.map(\.name) ?? []
        #expect(roles == ["OFFICER BLY", "MIRA"])
        #expect(outcomes[8].results.imagePrompt?.prompt.contains("Theo") == false)
    }

    @Test("The bubble cap counts full-script lettering lines")
    func bubbleCap() async throws {
        let outcome = try await runPanel("""
            ---
            max_bubbles: 2
            ---
            PANEL 1
            Medium shot. Mira and Theo at the stall.

            1 MIRA: One.
            2 THEO: Two.
            3 SFX: THREE

            """)
        #expect(outcome.status == .failed)
        #expect(failedRules(outcome) == ["bubble_count"])
    }

    @Test("chapter.json of the full-script fixture validates against the schema")
    func schema() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let exported = try await runOffline(RepoPaths.fixture("fullscript/the-clipped-coin.md"), in: folder)
        let text = try String(contentsOfFile: exported, encoding: .utf8)
        #expect(text.contains("\"kind\": \"burst\""))
        #expect(text.contains("\"shot_type\": \"insert\""))
        let result = try await validateWithJSONSchema([exported])
        #expect(result.status == 0, "\(result.stdoutText)\(result.stderr)")
    }

    @Test("inspect shows each lettering line's number, kind, speaker and modifiers, and the page headers")
    func inspect() throws {
        let chapter = try parseFullScript()
        let input = InputDocument(path: "the-clipped-coin.md", source: chapter.source)
        let json = ChapterInspection.json(for: chapter, input: input).serialized()
        #expect(json.contains("""
            "number": 3,
                      "kind": "dialogue",
                      "speaker": "MIRA",
                      "modifiers": [
                        "off-panel"
                      ],
                      "manner": "OFF",
                      "text": "Grandma, look at this!",
            """))
        #expect(json.contains("\"header\": \"PAGES THREE–FOUR\""))
        #expect(json.contains("\"last_number\": 4"))
    }
}

@Suite("Full script: the sketch's lettering")
struct FullScriptSketchTests {
    let provider = SketchImageProvider()

    func png(characters: [String], bubbles: [Bubble]) throws -> [UInt8] {
        let layout = PanelLayout(panelID: "p03-02", title: nil, shot: .medium, characters: characters, bubbles: bubbles)
        return try provider.render(sketchRequest(layout)).bytes
    }

    @Test("An off-panel speaker gets no figure: the panel draws as if they were not in it")
    func offPanelHasNoFigure() throws {
        let offPanel = Bubble(kind: .speech, speaker: "Mira", text: "Grandma, look at this!", offPanel: true)
        let heard = try png(characters: ["Mira", "Ada"], bubbles: [offPanel])
        #expect(heard == (try png(characters: ["Ada"], bubbles: [offPanel])))
        // Seen, she is drawn, and her balloon points at her.
        var onPanel = offPanel
        onPanel.offPanel = false
        #expect(heard != (try png(characters: ["Mira", "Ada"], bubbles: [onPanel])))
    }

    @Test("A continued balloon hangs off the same speaker's previous one instead of having its own tail")
    func continuedBalloon() throws {
        func pair(_ continued: Bool, second speaker: String) throws -> [UInt8] {
            try png(characters: ["Ada", "Theo"], bubbles: [
                Bubble(kind: .burst, speaker: "Ada", text: "Theo Brandt!"),
                Bubble(kind: .speech, speaker: speaker, text: "Shame on you.", continued: continued),
            ])
        }
        #expect(try pair(true, second: "Ada") != (try pair(false, second: "Ada")))
        // `(CONT'D)` after someone else's balloon joins nothing.
        #expect(try pair(true, second: "Theo") == (try pair(false, second: "Theo")))
    }

    @Test("Each modifier's balloon is drawn differently from plain speech",
          arguments: [Bubble.Kind.burst, .whisper, .electronic, .weak, .title, .credits])
    func shapes(kind: Bubble.Kind) throws {
        let speech = try png(characters: ["Mira"], bubbles: [Bubble(kind: .speech, speaker: "Mira", text: "Look at this!")])
        let other = try png(characters: ["Mira"], bubbles: [Bubble(kind: kind, speaker: "Mira", text: "Look at this!")])
        #expect(speech != other)
    }
}

@Suite("Full script: the documented examples")
struct FullScriptDocumentationTests {
    /// The fenced Markdown blocks of a document that hold a full-script page header.
    static func fullScriptExamples(_ path: String) throws -> [String] {
        let text = try String(contentsOf: RepoPaths.root.appendingPathComponent(path), encoding: .utf8)
        return text.components(separatedBy: "```markdown\n").dropFirst().compactMap { block in
            let body = block.components(separatedBy: "```").first ?? ""
            return body.contains("PAGE ONE") ? body : nil
        }
    }

    @Test("The README's and docs/chapter-format.md's full-script examples parse without warnings, every line lettered",
          arguments: ["README.md", "docs/chapter-format.md"])
    func examplesParse(path: String) throws {
        let examples = try Self.fullScriptExamples(path)
        #expect(examples.count == 1)
        for example in examples {
            let chapter = try parse(example)
            #expect(chapter.diagnostics.isEmpty, "\(chapter.diagnostics)")
            #expect(chapter.panels.count >= 2)
            let lettering = chapter.panels.flatMap(\.lettering)
            #expect(lettering.count >= 5)
            #expect(lettering.allSatisfy { $0.number != nil })
            #expect(chapter.panels.allSatisfy { $0.shotType != nil })
            for panel in chapter.panels {
                #expect(!panel.sceneDescriptionOriginal.contains(":") || panel.sceneDescriptionOriginal.hasPrefix("Insert"),
                        "\(panel.sceneDescriptionOriginal)")
            }
        }
    }
}

@Suite("Full script: written back like any chapter")
struct FullScriptWriteBackTests {
    /// The Markdown a run writes back.
    func run(_ bytes: [UInt8], in folder: URL) async throws -> [UInt8] {
        // The fixture names its database as `../samples/character_base_list.json`.
        let chapters = folder.appendingPathComponent("chapters"), samples = folder.appendingPathComponent("samples")
        for made in [chapters, samples] { try FileManager.default.createDirectory(at: made, withIntermediateDirectories: true) }
        let database = samples.appendingPathComponent("character_base_list.json")
        if !FileManager.default.fileExists(atPath: database.path) {
            try FileManager.default.copyItem(at: RepoPaths.fixture("samples/character_base_list.json"), to: database)
        }
        var settings = RunSettings()
        settings.outputDirectory = chapters.appendingPathComponent("generated").path
        settings.trace = folder.appendingPathComponent("trace.sqlite").path
        let input = InputDocument(path: chapters.appendingPathComponent("the-clipped-coin.md").path, source: SourceText(bytes: bytes))
        let pipeline = Pipeline(settings: settings, imageProvider: SketchImageProvider())
        let report = try await pipeline.run(try pipeline.prepare([input]))
        return try #require(report.chapters.first).markdown
    }

    @Test("One image line after each panel's last line; a second run changes nothing")
    func imageLines() async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try RepoPaths.bytes(RepoPaths.fixture("fullscript/the-clipped-coin.md"))
        let first = try await run(original, in: folder)
        let text = String(decoding: first, as: UTF8.self)
        let imageLines = text.split(separator: "\n").filter { $0.hasPrefix("#### ![") }
        try #require(imageLines.count == 9)
        #expect(imageLines[3] == "#### ![Panel 1](generated/the-clipped-coin/images/p02-01.png)")
        // Every other line is the original's, in order (only image lines and blank lines were added).
        let written = text.components(separatedBy: "\n").filter { !$0.hasPrefix("#### ![") && !$0.isEmpty }
        #expect(written == String(decoding: original, as: UTF8.self).components(separatedBy: "\n").filter { !$0.isEmpty })
        #expect(try await run(first, in: folder) == first)
    }
}
