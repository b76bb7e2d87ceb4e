@testable import PanelKit
import Testing
import TestSupport

/// Issue 9: what the parser warns about, each at the line and column of the file that was read.
@Suite("Chapter parser: warnings a writer needs")
struct WriterWarningTests {
    @Test("A near-miss marker at the start of a paragraph or heading is a warning naming the marker to write",
          arguments: [("PANEL3\n\nText.", "Panel 3"), ("Panel3", "Panel 3"), ("Pannel 2", "Panel 2"), ("Page 2 -\nthe market opens.", "Page 2"),
                      ("### Pannel 4", "Panel 4"), ("## Pagge 2", "Page 2"), ("**Pannel 5**", "Panel 5")] as [(String, String)])
    func nearMiss(text: String, marker: String) throws {
        let chapter = try parse("# T\n\n### Panel 1\n\nMira waves.\n\n\(text)\n\nMore.\n")
        let warning = try #require(chapter.diagnostics.first { $0.message.contains("looks like a") })
        #expect(warning.severity == .warning)
        #expect(warning.location == SourceLocation(line: 7, column: 1))
        #expect(warning.message.contains("but is not; write `\(marker)`"), "\(warning.message)")
    }

    @Test("Markers of either convention and prose that mentions a page or panel are not near misses",
          arguments: ["PANEL 3.", "Panel 1.", "PAGE ONE (FIVE PANELS)", "PANEL 1: Close on Mira.", "Page 2 (1 panel)", "Panel 2:30 pm start",
                      "Page 2\nof the contract was never signed.", "Panel 3 shows the market.", "Pages 4 and 5 are a spread.",
                      "### Panel 3-b", "Paper 2", "## Pages of history", "PAGES TWO–THREE", "Page 2 -", "Page 2 -\nThe market opens."])
    func notNearMiss(text: String) throws {
        let chapter = try parse("# T\n\n### Panel 1\n\nMira waves.\n\n\(text)\n\nMore.\n")
        #expect(!chapter.diagnostics.contains { $0.message.contains("looks like a") }, "\(chapter.diagnostics)")
    }

    @Test("The full-script fixture gives no near-miss warning")
    func fullScriptClean() throws {
        let chapter = try parseFixture("fullscript/the-clipped-coin.md")
        #expect(!chapter.diagnostics.contains { $0.message.contains("looks like a") }, "\(chapter.diagnostics)")
    }

    @Test("Front matter that opens with `---` and a `key:` line but never closes is a warning at line 1")
    func unclosedFrontMatter() throws {
        let chapter = try parse("---\ntitle: Lost\ntone: grim\n\n### Panel 1\n\nText.\n")
        #expect(chapter.frontMatter == nil)
        let warning = try #require(chapter.diagnostics.first)
        #expect(warning.location == SourceLocation(line: 1, column: 1))
        #expect(warning.message.contains("never closes"))
        #expect(warning.message.contains("tone"))
        // A rule that opens prose, and front matter that closes, stay silent.
        #expect(try parse("---\n\nIntro.\n\n### Panel 1\n\nText.\n").diagnostics.isEmpty)
        #expect(try parse("---\ntitle: Fine\n---\n\n### Panel 1\n\nText.\n").diagnostics.isEmpty)
    }

    @Test("A panel with no scene text, dialogue or caption is a warning at its marker")
    func emptyPanel() throws {
        let chapter = try parse("# T\n\n### Panel 1\n\n**Mood:** tense\n\n### Panel 2\n\nCaption: Later.\n\n### Panel 3\n\nMira waits.\n")
        let warnings = chapter.diagnostics.filter { $0.message.contains("no scene text, dialogue or caption") }
        #expect(warnings.count == 1)
        #expect(warnings.first?.location == SourceLocation(line: 3, column: 1))
        #expect(warnings.first?.message.contains("p00-01") == true)
        #expect(chapter.panels[0].isEmpty && !chapter.panels[1].isEmpty && !chapter.panels[2].isEmpty)
    }

    @Test("A panel knows where each name stands: a Characters entry, a speaker, a name in the scene")
    func nameLocations() throws {
        let chapter = try parse("# T\n\n### Panel 1\n\nMira meets Captain Harlow at the gate.\n\n**Characters:** Mira, The Stranger\n\n**Old Tom:** Halt!\n")
        let panel = try #require(chapter.panels.first)
        #expect(panel.location(ofName: "The Stranger") == SourceLocation(line: 7, column: 23))
        #expect(panel.location(ofName: "Old Tom") == SourceLocation(line: 9, column: 3))
        #expect(panel.location(ofName: "Captain Harlow") == SourceLocation(line: 5, column: 12))
        #expect(panel.location(ofName: "Nobody") == nil)
    }
}

func parseFixture(_ path: String) throws -> Chapter {
    let url = RepoPaths.fixture(path)
    return try ChapterParser().parse(SourceText(bytes: try RepoPaths.bytes(url)), file: path, fileName: url.lastPathComponent)
}
