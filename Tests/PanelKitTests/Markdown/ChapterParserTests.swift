import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Parses Markdown text the way the command line does.
func parse(_ text: String, file: String = "test.md", fileName: String? = nil) throws -> Chapter {
    try ChapterParser().parse(SourceText(text), file: file, fileName: fileName)
}

func parseSample(_ name: String) throws -> Chapter { try parseFixture("samples", name) }

/// Parses `Fixtures/<folder>/<name>`, named by its file name.
func parseFixture(_ folder: String, _ name: String) throws -> Chapter {
    let url = RepoPaths.fixture("\(folder)/\(name)")
    return try ChapterParser().parse(SourceText(bytes: try RepoPaths.bytes(url)), file: name, fileName: name)
}

@Suite("Chapter parser: the shared samples")
struct SampleParsingTests {
    @Test("Sample 1: pages, panels, titles, fields, dialogue and shot types")
    func paperAndPromises() throws {
        let chapter = try parseSample("01-paper-and-promises.md")
        #expect(chapter.slug == "01-paper-and-promises")
        #expect(chapter.title == "Paper and Promises")
        #expect(chapter.settings.tone == "playful, curious")
        #expect(chapter.settings.palette == ["teal", "warm orange", "cream"])
        #expect(chapter.settings.commonExample == "paying for apples with a banknote")
        #expect(chapter.panels.map(\.localID) == ["p01-01", "p01-02", "p01-03", "p02-01", "p02-02"])

        let first = chapter.panels[0]
        #expect(first.title == "Market morning")
        #expect(first.markerText == "Panel 1: Market morning")
        #expect(first.shotType == .wide)
        #expect(first.sceneDescriptionOriginal.hasPrefix("A busy farmers' market at sunrise. Mira stands"))
        #expect(first.sceneDescriptionOriginal.hasSuffix("Crates of red and green apples fill the frame."))
        #expect(first.field(.teachingPoint) == "money is a shared promise that everyone accepts.")
        #expect(first.dialogue.map(\.speaker) == ["Mira", "Theo"])
        #expect(first.dialogue[1].manner == "smiling")
        #expect(first.dialogue[1].text == "That'll be one note, young lady.")
        #expect(first.lines == 18...26)

        #expect(chapter.panels[1].shotType == .closeUp)
        #expect(chapter.panels[1].field(.caption) == "How does Theo know the note is real?")
        #expect(chapter.panels[2].title == "The other side of the stall")
        #expect(chapter.panels[2].dialogue.first?.speaker == "Grandma Ada")
        #expect(chapter.panels[3].shotType == nil)
        #expect(chapter.panels[3].page == 2)

        let clerk = chapter.panels[4]
        #expect(clerk.requiredRoles == ["Officer Bly", "Mira", "The Stranger"])
        #expect(clerk.dialogue.map(\.speaker) == ["Officer Bly", "The Stranger"])
        #expect(clerk.dialogue[1].text == "I'd like to change this… rather large note.")
        // The trailing table belongs to the last panel's body but is not scene text.
        #expect(clerk.lines.upperBound == 61)
        #expect(!clerk.sceneDescriptionOriginal.contains("copper"))
    }

    @Test("Sample 2: CRLF, no pages, number words, quoted fields, list dialogue, existing image line")
    func doubleSpend() throws {
        let chapter = try parseSample("02-the-double-spend.md")
        #expect(chapter.slug == "02-the-double-spend")
        #expect(chapter.title == "Chapter 2: The Double Spend")
        #expect(chapter.panels.map(\.id) == ["02-the-double-spend/p00-01", "02-the-double-spend/p00-02", "02-the-double-spend/p00-03"])
        let one = chapter.panels[0]
        #expect(one.markerText == "PANEL ONE")
        #expect(one.page == nil)
        #expect(one.field(.commonExample) == "paying for apples with a banknote")
        #expect(one.field(.teachingPoint) == "a digital note could be copied; a ledger stops that.")
        #expect(one.dialogue.map(\.speaker) == ["Mira", "Theo"])
        #expect(one.dialogue[0].text == "Can I use it twice?")
        #expect(!one.sceneDescriptionOriginal.contains("\r"))

        let ledger = chapter.panels[1]
        #expect(ledger.shotType == .establishing)
        #expect(ledger.dialogue.first?.speaker == "THEO")
        #expect(ledger.dialogue.first?.text == "Every note gets a line. No line, no apples.")
        let existing = try #require(ledger.imageSite.existing)
        #expect(existing.image.url == "generated/02-the-double-spend/images/p00-02.png")
        #expect(existing.image.alt == "Panel 2: The ledger")
        #expect(existing.line == 21)

        #expect(chapter.panels[2].field(.sfx) == "SCRIBBLE SCRIBBLE")
        #expect(chapter.panels[2].sceneDescriptionOriginal == "Theo writes Mira's name in the ledger.")
    }

    @Test("A document without panels has none, and its slug comes from the H1")
    func noPanels() throws {
        let chapter = try parseSample("no-panels.md")
        #expect(chapter.panels.isEmpty)
        #expect(chapter.slug == "release-notes")
    }

    @Test("Every sample in ../shared/samples parses, when that folder is present")
    func sharedSamples() throws {
        for url in RepoPaths.files(in: RepoPaths.sharedSamples, withExtension: "md") {
            let bytes = try RepoPaths.bytes(url)
            let chapter = try ChapterParser().parse(SourceText(bytes: bytes), file: url.lastPathComponent)
            #expect(Splicer.splice(chapter, links: [:]) == bytes, "\(url.lastPathComponent) changed with no links")
        }
    }
}

@Suite("Chapter parser: edge cases")
struct ParserEdgeCaseTests {
    @Test("Restarted numbering gets -b and -c suffixes and a warning naming both lines")
    func duplicateIDs() throws {
        let chapter = try parse("# T\n\n### Panel 1\n\nA.\n\n### Panel 1\n\nB.\n\n### Panel 1\n\nC.\n")
        #expect(chapter.panels.map(\.localID) == ["p00-01", "p00-01-b", "p00-01-c"])
        #expect(chapter.diagnostics.count == 2)
        #expect(chapter.diagnostics[0].location?.line == 7)
        #expect(chapter.diagnostics[0].message.contains("line 3"))
        #expect(chapter.diagnostics[0].severity == .warning)
    }

    @Test("Numbers in words up to thirty, in any case, with titles after any separator",
          arguments: [
              ("### PANEL THREE", 3, nil), ("### Panel twenty-one: Dusk", 21, "Dusk"),
              ("### panel Thirty", 30, nil), ("### Panel 12 — Night market", 12, "Night market"),
              ("### Panel 4 - The vault", 4, "The vault"), ("### Panel 7 – Dawn", 7, "Dawn"),
              ("### Panel twenty two", 22, nil), ("### Panel 2 (continued)", 2, nil),
          ] as [(String, Int, String?)])
    func numberWords(heading: String, number: Int, title: String?) throws {
        let chapter = try parse("\(heading)\n\nText.\n")
        let panel = try #require(chapter.panels.first)
        #expect(panel.number == number)
        #expect(panel.title == title)
    }

    @Test("Text that only looks like a marker is not one",
          arguments: ["### Panelling tips", "### Panel discussion", "## Pages of history", "### Panel 3b",
                      "### Panel 3-b", "### Panel thirty-one", "### Panel", "## Paging the doctor",
                      "### ![Panel 3](thumbs/p01-03.png)", "#### [![Panel 4](t.png)](full.png)",
                      "#### ![Panel 5](a.png)![](b.png)", "##### ![Panel 6](t.png)", "## [Panel 3](https://x.y/p3)",
                      "## `Panel 3`", "## ~~Panel 3~~", "### Panel 2:30 pm start", "### \u{A0}Panel 3",
                      "Panel\n3\n===", "`Panel 3`"])
    func notMarkers(heading: String) throws {
        #expect(try parse("\(heading)\n\nText.\n").panels.isEmpty)
    }

    @Test("Markers inside code fences, indented code, HTML, block quotes and lists are not markers")
    func markersInsideBlocks() throws {
        let text = """
            # Guide

            ```markdown
            ### Panel 1
            ```

                ### Panel 2

            <div>
            ### Panel 3
            </div>

            > ### Panel 4
            > Panel 5

            - Panel 6
            - ### Panel 7

            """
        #expect(try parse(text).panels.isEmpty)
    }

    @Test("Setext headings: a page marker as `Page 1` over `---`, and a setext H1 title")
    func setextHeadings() throws {
        let chapter = try parse("The Vault\n=========\n\nPage 1\n------\n\n### Panel 1\n\nMira waits.\n")
        #expect(chapter.title == "The Vault")
        #expect(chapter.slug == "the-vault")
        #expect(chapter.panels.map(\.localID) == ["p01-01"])
        #expect(chapter.panels[0].sceneDescriptionOriginal == "Mira waits.")
    }

    @Test("Pages at H1 and panels at H2 work; an H3 inside such a panel belongs to its body")
    func shiftedLevels() throws {
        let chapter = try parse("# Page 1\n\n## Panel 1\n\nA.\n\n### Notes\n\nB.\n\n## Panel 2\n\nC.\n")
        #expect(chapter.panels.map(\.localID) == ["p01-01", "p01-02"])
        #expect(chapter.panels[0].sceneDescriptionOriginal == "A.\n\nB.")
    }

    @Test("Full-script style: markers as paragraphs of their own")
    func paragraphMarkers() throws {
        let text = "PAGE ONE\n\nPanel 1\n\nWIDE SHOT: The market.\n\nMIRA: Hello!\n\nPage 2 (four panels)\n\nPanel 1\n\nCLOSE-UP: The note.\n"
        let chapter = try parse(text)
        #expect(chapter.panels.map(\.localID) == ["p01-01", "p02-01"])
        #expect(chapter.panels[0].shotType == .wide)
        #expect(chapter.panels[0].dialogue.first?.speaker == "MIRA")
        #expect(chapter.panels[1].shotType == .closeUp)
    }

    @Test("An H2 scene heading ends a panel but keeps the page")
    func sceneHeading() throws {
        let chapter = try parse("## Page 3\n\n### Panel 1\n\nA.\n\n## The vault\n\nNot in a panel.\n\n### Panel 2\n\nB.\n")
        #expect(chapter.panels.map(\.localID) == ["p03-01", "p03-02"])
        #expect(chapter.panels[0].sceneDescriptionOriginal == "A.")
        #expect(chapter.panels[0].lines == 3...5)
    }

    @Test("Nested block quotes still give fields and dialogue")
    func nestedQuotes() throws {
        let chapter = try parse("### Panel 1\n\nA room.\n\n> **Mood:** tense\n>\n> > Setting: the vault\n> > **Bly (whispering):** Quiet.\n")
        let panel = try #require(chapter.panels.first)
        #expect(panel.field(.mood) == "tense")
        #expect(panel.field(.setting) == "the vault")
        #expect(panel.dialogue.first?.speaker == "Bly")
        #expect(panel.dialogue.first?.manner == "whispering")
        #expect(panel.sceneDescriptionOriginal == "A room.")
    }

    @Test("Lists of dialogue, fields in lists, and plain list items as scene")
    func listsOfDialogue() throws {
        let text = "### Panel 1\n\n- Mira: \"One?\"\n- **Theo:** “Two.”\n- Caption: Later that day.\n- the crates are empty\n  * MIRA (sighing): Oh.\n"
        let panel = try #require(try parse(text).panels.first)
        #expect(panel.dialogue.map(\.speaker) == ["Mira", "Theo", "MIRA"])
        #expect(panel.dialogue.map(\.text) == ["One?", "Two.", "Oh."])
        #expect(panel.field(.caption) == "Later that day.")
        #expect(panel.sceneDescriptionOriginal == "the crates are empty")
    }

    @Test("Several dialogue lines in one paragraph, with a continuation line")
    func paragraphOfDialogue() throws {
        let panel = try #require(try parse("### Panel 1\n\nMira: Wait,\nwait for me!\nTheo: No.\n").panels.first)
        #expect(panel.dialogue.map(\.text) == ["Wait, wait for me!", "No."])
    }

    @Test("Scene lines that happen to contain a colon are not dialogue")
    func colonInScene() throws {
        let panel = try #require(try parse("### Panel 1\n\nthe sign reads: closed\n\nAt 10:30 the bell rings.\n").panels.first)
        #expect(panel.dialogue.isEmpty)
        #expect(panel.sceneDescriptionOriginal == "the sign reads: closed\n\nAt 10:30 the bell rings.")
    }

    @Test("Roles split on commas, semicolons and `and`; repeats dropped")
    func rolesList() throws {
        let panel = try #require(try parse("### Panel 1\n\nRoles: Mira, Theo and Grandma Ada; Mira\n").panels.first)
        #expect(panel.requiredRoles == ["Mira", "Theo", "Grandma Ada"])
    }

    @Test("A `Shot:` field sets the shot type")
    func shotField() throws {
        let panel = try #require(try parse("### Panel 1\n\n**Shot:** extreme close-up on the watermark\n").panels.first)
        #expect(panel.shotType == .extremeCloseUp)
    }

    @Test("Panels before any page get p00; a page marker later sets the page")
    func noPageThenPage() throws {
        let chapter = try parse("### Panel 1\n\nA.\n\n## Page 2\n\n### Panel 1\n\nB.\n")
        #expect(chapter.panels.map(\.localID) == ["p00-01", "p02-01"])
    }

    @Test("The content hash ignores the image line and blank-line runs but sees text and settings")
    func contentHash() throws {
        let base = try parse("### Panel 1\n\nA.\n").panels[0].contentHash
        #expect(try parse("### Panel 1\n\nA.\n\n#### ![Panel 1](x.png)\n\n\n").panels[0].contentHash == base)
        #expect(try parse("### Panel 1\r\n\r\nA.\r\n").panels[0].contentHash == base)
        #expect(try parse("### Panel 1\n\nB.\n").panels[0].contentHash != base)
        #expect(try parse("---\ntone: grim\n---\n### Panel 1\n\nA.\n").panels[0].contentHash != base)
    }

    @Test("Slugs: front matter, then `Chapter N:` H1, then the file name; always a-z0-9-")
    func slugs() throws {
        #expect(try parse("---\nchapter: 3\ntitle: The Double Spend\n---\n").slug == "03-the-double-spend")
        #expect(try parse("# Chapter Twelve — Café Noir!\n").slug == "12-cafe-noir")
        #expect(try parse("# ../../etc/passwd\n").slug == "etc-passwd")
        #expect(try parse("Just text.\n", fileName: "My Lesson.md").slug == "my-lesson")
        #expect(try parse("Just text.\n").slug == "chapter")
        #expect(try parse("---\nchapter: 4\n---\nText\n").slug == "chapter-04")
    }

    @Test("Front matter: typed values, BOM before the fence, unknown keys as notes")
    func frontMatter() throws {
        let chapter = try parse("\u{FEFF}---\ntitle: Vault\nmax_bubbles: 2\npalette: teal, cream\nmood_board: x\n---\n# Ignored title\n")
        #expect(chapter.title == "Vault")
        #expect(chapter.settings.maxBubbles == 2)
        #expect(chapter.settings.palette == ["teal", "cream"])
        #expect(chapter.diagnostics.map(\.message) == ["front matter key `mood_board` is not used by panelproc; kept as written"])
        #expect(chapter.diagnostics.first?.location == SourceLocation(line: 5, column: 1))
    }

    @Test("An opening `---` that never closes is a thematic break, not front matter")
    func unclosedFrontMatter() throws {
        let chapter = try parse("---\n\n### Panel 1\n\nText.\n")
        #expect(chapter.frontMatter == nil)
        #expect(chapter.panels.count == 1)
    }

    @Test("A `---` rule whose block does not start with `key:` is a rule, not front matter",
          arguments: ["---\nA poem opens with a rule.\n\n...\n\nand trails off.\n",
                      "---\nIntro\n\n```yaml\n---\nkey: v\n```\n",
                      "---\n\nIntro paragraph.\n\n---\n\nMore text.\n", "---\n- a\n- b\n---\n"])
    func ruleNotFrontMatter(text: String) throws {
        let chapter = try parse(text)
        #expect(chapter.frontMatter == nil)
        #expect(Splicer.splice(chapter, links: [:]) == Array(text.utf8))
    }

    @Test("Bold markers count: `**PANEL 1**` as a paragraph, `## **Page 2**` as a heading")
    func boldMarkers() throws {
        let chapter = try parse("## **Page 2**\n\n**PANEL 1**\n\nText.\n")
        #expect(chapter.panels.map(\.localID) == ["p02-01"])
    }
}
