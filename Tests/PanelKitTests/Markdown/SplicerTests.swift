import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// The links the image stage writes: `generated/<slug>/images/<panel>.png`, alt = the marker.
func standardLinks(_ chapter: Chapter) -> [String: ImageLink] {
    Dictionary(uniqueKeysWithValues: chapter.panels.map { panel in
        (panel.id, ImageLink(alt: panel.markerText, path: "generated/\(chapter.slug)/images/\(panel.localID).png"))
    })
}

func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

@Suite("Splicer: image lines go in by byte offset, nothing else changes")
struct SplicerTests {
    @Test("A line goes after each panel's last line, followed by a blank line")
    func insertsAfterPanels() throws {
        let chapter = try parse("### Panel 1\n\nA.\n\n### Panel 2: End\nB.\n### Panel 3\n\nC.")
        let output = text(Splicer.splice(chapter, links: standardLinks(chapter)))
        #expect(output == """
            ### Panel 1

            A.

            #### ![Panel 1](generated/chapter/images/p00-01.png)

            ### Panel 2: End
            B.

            #### ![Panel 2: End](generated/chapter/images/p00-02.png)

            ### Panel 3

            C.

            #### ![Panel 3](generated/chapter/images/p00-03.png)

            """)
    }

    @Test("CRLF documents get CRLF lines; every other byte is kept")
    func crlf() throws {
        let chapter = try parseSample("02-the-double-spend.md")
        let input = chapter.source.bytes
        let output = Splicer.splice(chapter, links: standardLinks(chapter))
        let inserted = "\r\n#### ![PANEL ONE](generated/02-the-double-spend/images/p00-01.png)\r\n"
        #expect(text(output).contains("- Theo: \"Not if I write it down first.\"\r\n" + inserted + "\r\n### Panel 2"))
        #expect(!text(output).replacingOccurrences(of: "\r\n", with: "").contains("\n"))
        // Removing what was inserted gives the input back.
        var stripped = text(output).replacingOccurrences(of: inserted, with: "")
        stripped = stripped.replacingOccurrences(of: "\r\n#### ![Panel 3](generated/02-the-double-spend/images/p00-03.png)\r\n", with: "")
        #expect(Array(stripped.utf8) == input)
    }

    @Test("An existing line that already says the same is left byte for byte")
    func existingSame() throws {
        let chapter = try parseSample("02-the-double-spend.md")
        let panel = chapter.panels[1]
        let output = Splicer.splice(chapter, links: [panel.id: ImageLink(alt: "Panel 2: The ledger", path: "generated/02-the-double-spend/images/p00-02.png")])
        #expect(output == chapter.source.bytes)
    }

    @Test("An existing line is updated in place, never duplicated")
    func existingUpdated() throws {
        let chapter = try parseSample("02-the-double-spend.md")
        let panel = chapter.panels[1]
        let output = text(Splicer.splice(chapter, links: [panel.id: ImageLink(alt: "Panel 2: The ledger", path: "img/new.png")]))
        #expect(output.components(separatedBy: "#### ![").count == 2)
        #expect(output == text(chapter.source.bytes).replacingOccurrences(
            of: "generated/02-the-double-spend/images/p00-02.png", with: "img/new.png"))
    }

    @Test("A last line without a newline gets one before the image line")
    func noFinalNewline() throws {
        let chapter = try parse("### Panel 1\n\nA.")
        #expect(text(Splicer.splice(chapter, links: standardLinks(chapter))) == "### Panel 1\n\nA.\n\n#### ![Panel 1](generated/chapter/images/p00-01.png)\n")
    }

    @Test("Brackets in alt text and spaces in paths survive a round trip")
    func escaping() throws {
        let chapter = try parse("### Panel 1\n\nA.\n")
        let link = ImageLink(alt: "Panel [1] \\ x", path: "my images/p (1).png")
        let spliced = Splicer.splice(chapter, links: [chapter.panels[0].id: link])
        let again = try ChapterParser().parse(SourceText(bytes: spliced), file: "t.md")
        #expect(again.panels[0].imageSite.existing?.image == InlineImage(alt: "Panel [1] \\ x", url: "my images/p (1).png"))
        #expect(Splicer.splice(again, links: [again.panels[0].id: link]) == spliced)
    }

    @Test("Splicing is a fixed point on every sample")
    func fixedPoint() throws {
        for name in ["01-paper-and-promises.md", "02-the-double-spend.md", "no-panels.md"] {
            let chapter = try parseSample(name)
            let once = Splicer.splice(chapter, links: standardLinks(chapter))
            let reparsed = try ChapterParser().parse(SourceText(bytes: once), file: name, fileName: name)
            #expect(Splicer.splice(reparsed, links: standardLinks(reparsed)) == once, "\(name)")
            #expect(reparsed.panels.map(\.contentHash) == chapter.panels.map(\.contentHash), "\(name)")
        }
    }

    @Test("A panel ending inside an unclosed code fence is reported as unplaced")
    func unplaced() throws {
        let chapter = try parse("### Panel 1\n\n```\ncode that never closes\n")
        let links = standardLinks(chapter)
        let spliced = Splicer.splice(chapter, links: links)
        #expect(Splicer.unplacedPanels(in: spliced, of: chapter, links: links, parser: ChapterParser()) == [chapter.panels[0].id])
    }
}

@Suite("Golden files: spliced Markdown and chapter JSON")
struct GoldenTests {
    @Test("Spliced Markdown of each sample", arguments: ["01-paper-and-promises.md", "02-the-double-spend.md"])
    func splicedMarkdown(name: String) throws {
        let chapter = try parseSample(name)
        let output = Splicer.splice(chapter, links: standardLinks(chapter))
        if let diff = try goldenMismatch(output, snapshot: "spliced/\(name)") { Issue.record(Comment(rawValue: diff)) }
    }

    @Test("chapter.json of each sample after a full offline run",
          arguments: ["01-paper-and-promises.md", "02-the-double-spend.md", "no-panels.md"])
    func chapterJSON(name: String) async throws {
        let folder = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let written = try await runOffline(RepoPaths.fixture("samples/\(name)"), in: folder)
        let json = try RepoPaths.bytes(URL(fileURLWithPath: written))
        if let diff = try goldenMismatch(json, snapshot: "json/\(name.replacingOccurrences(of: ".md", with: ".json"))") {
            Issue.record(Comment(rawValue: diff))
        }
    }
}
