import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Gallery: candidates and pins")
struct GalleryControlTests {
    func card(candidates: [String] = [], picked: Int = 1, pin: String? = nil) -> GalleryCard {
        var card = GalleryCard(id: "p01-03", title: nil, status: .passed, reasons: [], image: "images/p01-03.png", bubbles: [], theme: nil,
                               prompt: nil, negativePrompt: nil, costUSD: 0, source: "c.md:3")
        card.candidates = candidates
        card.picked = picked
        card.pin = pin
        return card
    }

    @Test("A strip of candidate thumbnails, the one in use outlined, with the pick command")
    func strip() {
        let html = GalleryHTML.card(card(candidates: ["images/p01-03.c1.png", "images/p01-03.c2.png"], picked: 2))
        #expect(html.contains(#"<img src="images/p01-03.c1.png" alt="candidate 1" style="width:64px;border:1px solid #ccc">"#))
        #expect(html.contains(#"title="candidate 2 (in use)""#))
        #expect(html.contains("candidate 2 in use; <code>panelproc pick p01-03 N</code>"))
        #expect(!GalleryHTML.card(card(candidates: ["images/p01-03.c1.png"])).contains("candidates"))
    }

    @Test("A pinned badge with the original file name, escaped")
    func pinBadge() {
        let html = GalleryHTML.card(card(pin: "<art>&.png"))
        #expect(html.contains(">pinned</span> <code>&lt;art&gt;&amp;.png</code>"))
        #expect(!GalleryHTML.card(card()).contains("pinned"))
    }

    @Test("A run's gallery shows the candidates and the pin")
    func fromRun() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1]).write(to: book.url("mine.png"))
        _ = try ImageControl.pin(try book.target("p01-03", in: "01-paper-and-promises.md"), image: book.url("mine.png").path, maxBytes: 1 << 20)
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        let html = try book.text("generated/01-paper-and-promises/index.html")
        #expect(html.contains(#"<img src="images/p01-01.c2.png" alt="candidate 2""#))
        #expect(html.contains("<code>mine.png</code>"))
    }

    @Test("A deleted panel's candidates move to orphans/ with its image")
    func orphanCandidates() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        let text = try book.text("01-paper-and-promises.md")
        let start = try #require(text.range(of: "### Panel 3"))
        let end = try #require(text.range(of: "## Page 2"))
        try book.write(String(text[..<start.lowerBound]) + String(text[end.lowerBound...]), to: "01-paper-and-promises.md")
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        for name in ["p01-03.png", "p01-03.c1.png", "p01-03.c2.png"] {
            #expect(book.exists("generated/01-paper-and-promises/orphans/\(name)"), "\(name)")
            #expect(!book.exists("generated/01-paper-and-promises/images/\(name)"), "\(name)")
        }
    }
}
