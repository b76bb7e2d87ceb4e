import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Property: random links spliced into random chapters")
struct SplicePropertyTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["PANELPROC_SEED"] ?? "") ?? 20_261_121

    /// The samples plus chapters that stress the splice points.
    static func corpus() throws -> [(String, [UInt8])] {
        var documents = try ["01-paper-and-promises.md", "02-the-double-spend.md"].map {
            ($0, try RepoPaths.bytes(RepoPaths.fixture("samples/\($0)")))
        }
        documents.append(("adjacent", Array("# T\n### Panel 1\nA.\n### Panel 2\n### Panel 3\n\n\n\nC.\n   \n\t\n".utf8)))
        documents.append(("cr-only", Array("## Page 1\r\r### Panel 1\rA.\r\r| a | b |\r|---|---|\r| 1 | 2 |\r".utf8)))
        documents.append(("script", Array("\u{FEFF}PAGE ONE\n\nPanel 1\n\nMIRA: Hi.\n\n<div>\nhtml\n</div>\n\nPanel 2\n\n[ref]: https://x\n".utf8)))
        documents.append(("quotes", Array("### Panel 1\n\n> Mood: calm\n> > Bly: Next!\n\n- Theo: Yes\n\n    indented code\n".utf8)))
        return documents
    }

    static func randomText(_ rng: inout SplitMix64, alphabet: String, length: ClosedRange<Int>) -> String {
        let characters = Array(alphabet)
        return String((0..<Int.random(in: length, using: &rng)).map { _ in characters.randomElement(using: &rng)! })
    }

    @Test("Reparsing gives the same panels with the new links; splicing twice equals once")
    func randomLinks() throws {
        var rng = SplitMix64(seed: Self.seed)
        let corpus = try Self.corpus()
        for round in 0..<300 {
            let (name, bytes) = corpus.randomElement(using: &rng)!
            let chapter = try ChapterParser().parse(SourceText(bytes: bytes), file: name)
            var links: [String: ImageLink] = [:]
            for panel in chapter.panels where Bool.random(using: &rng) {
                let alt = Self.randomText(&rng, alphabet: "abc XYZ—é[]\\!_*1`<>&~#", length: 0...12)
                let path = Self.randomText(&rng, alphabet: "abc/-_. ()é", length: 1...16).trimmingCharacters(in: .whitespaces) + ".png"
                links[panel.id] = ImageLink(alt: alt.trimmingCharacters(in: .whitespaces), path: path)
            }
            let context = "round \(round), seed \(Self.seed), \(name), links \(links)"
            let once = Splicer.splice(chapter, links: links)
            let again = try ChapterParser().parse(SourceText(bytes: once), file: name)
            #expect(again.panels.map(\.id) == chapter.panels.map(\.id), "\(context)")
            #expect(again.panels.map(\.contentHash) == chapter.panels.map(\.contentHash), "\(context)")
            #expect(again.panels.map(\.sceneDescriptionOriginal) == chapter.panels.map(\.sceneDescriptionOriginal), "\(context)")
            #expect(again.panels.map(\.dialogue) == chapter.panels.map(\.dialogue).enumerated().map { index, lines in
                lines.map { line in
                    var moved = line
                    moved.line = again.panels[index].dialogue.first { $0.text == line.text }?.line ?? line.line
                    return moved
                }
            }, "\(context)")
            for (before, after) in zip(chapter.panels, again.panels) {
                if let link = links[before.id] {
                    #expect(after.imageSite.existing?.image == InlineImage(alt: link.alt, url: link.path), "\(context)")
                } else {
                    #expect(after.imageSite.existing?.image == before.imageSite.existing?.image, "\(context)")
                }
            }
            #expect(Splicer.splice(again, links: links) == once, "\(context)")
            if links.isEmpty { #expect(once == bytes, "\(context)") }
        }
    }
}
