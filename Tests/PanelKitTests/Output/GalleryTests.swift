import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// Every `href="…"` and `src="…"` value of a page, in order.
private func links(_ html: String) -> [String] {
    var found: [String] = []
    for attribute in ["href=\"", "src=\""] {
        var rest = html[...]
        while let start = rest.range(of: attribute) {
            let value = rest[start.upperBound...].prefix { $0 != "\"" }
            found.append(String(value))
            rest = rest[start.upperBound...]
        }
    }
    return found
}

private func isRelative(_ link: String) -> Bool {
    !link.hasPrefix("/") && !link.contains(":") && !link.hasPrefix("//")
}

private let hostile = "<img src=x onerror=alert(1)>"

@Suite("Gallery: the HTML model and its escaping")
struct GalleryHTMLTests {
    static func hostileChapter() -> GalleryChapter {
        let card = GalleryCard(
            id: "p01-01", title: hostile, status: .failed, reasons: ["unknown role \"\(hostile)\""], image: nil,
            bubbles: [.init(kind: "speech", speaker: "Eve \"><script>alert(2)</script>", text: "<b>hi</b> & 'bye'"),
                      .init(kind: "caption", speaker: nil, text: "</p><script>alert(3)</script>")],
            theme: "<i>trade</i>", prompt: "a <prompt>", negativePrompt: "no \"text\"", costUSD: 0,
            source: "<evil>.md:3")
        let passed = GalleryCard(id: "p01-02", title: nil, status: .passed, reasons: [], image: "images/p01-02.png", bubbles: [],
                                 theme: nil, prompt: nil, negativePrompt: nil, costUSD: 0.04, source: "<evil>.md:9")
        return GalleryChapter(slug: "x", title: hostile, sourceFile: "<evil>'\".md",
                              counts: [(.passed, 1), (.failed, 1)], themes: [("<i>trade</i>", 1)], costUSD: 0.04,
                              pages: [GalleryPage(label: "Page 1", pageImage: "pages/page-01.png", cards: [card, passed])],
                              downloads: [GalleryLink(text: "<pdf>", href: "thumbnails.pdf")],
                              sections: [GallerySection(id: "pacing", heading: "<h>", content: .text(hostile))])
    }

    @Test("A hostile title, character name, caption and file name appear as text, never as markup")
    func escaping() {
        let html = GalleryHTML.chapter(Self.hostileChapter())
        #expect(!html.contains(hostile))
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(!html.contains("<script>alert"))
        #expect(html.contains("Eve &quot;&gt;&lt;script&gt;alert(2)&lt;/script&gt;"))
        #expect(html.contains("&lt;/p&gt;&lt;script&gt;alert(3)&lt;/script&gt;"))
        #expect(html.contains("&lt;evil&gt;&#39;&quot;.md"))
        #expect(!html.contains("<b>hi</b>") && !html.contains("<i>trade</i>") && !html.contains("<evil>"))
        // Only the gallery's own script and the JSON summary, nothing else opens a script.
        #expect(html.components(separatedBy: "<script").count - 1 == 2)
        #expect(GalleryHTML.escape("a&b<c>d\"e'f") == "a&amp;b&lt;c&gt;d&quot;e&#39;f")
    }

    @Test("Links are relative and percent-encoded: no scheme, no absolute path survives")
    func relativeLinks() {
        let html = GalleryHTML.chapter(Self.hostileChapter())
        let found = links(html)
        #expect(found.contains("../index.html") && found.contains("images/p01-02.png") && found.contains("pages/page-01.png"))
        #expect(found.allSatisfy(isRelative))
        #expect(GalleryHTML.href("javascript:alert(1)") == "javascript%3Aalert%281%29")
        #expect(GalleryHTML.href("a b/\"c\".png") == "a%20b/%22c%22.png")
        #expect(isRelative(GalleryHTML.href("/etc/passwd")) == false)  // a path is never made absolute by us
    }

    @Test("A failed panel shows a placeholder with its reasons and no image; the CSP admits only the gallery's script")
    func placeholders() {
        let html = GalleryHTML.chapter(Self.hostileChapter())
        let failedCard = html.components(separatedBy: "<article").dropFirst().first ?? ""
        #expect(failedCard.contains("class=\"placeholder\"") && !failedCard.contains("<img"))
        #expect(failedCard.contains("unknown role &quot;&lt;img"))
        #expect(html.contains("script-src 'sha256-\(GalleryHTML.scriptHash)'") && html.contains("default-src 'none'"))
        #expect(html.contains("prefers-color-scheme: dark"))
    }

    @Test("The chapter summary is read back for generated/index.html, escaped there too")
    func indexSummary() throws {
        let chapter = Self.hostileChapter()
        let entry = try #require(GalleryHTML.readSummary(GalleryHTML.chapter(chapter), href: "x/index.html"))
        #expect(entry.title == hostile && entry.panels == 2 && entry.counts[.failed] == 1 && entry.sourceFile == "<evil>'\".md")
        let index = GalleryHTML.index(GalleryIndex(entries: [entry]))
        #expect(!index.contains(hostile) && index.contains("href=\"x/index.html\""))
        #expect(links(index).allSatisfy(isRelative))
    }
}

extension ImageBook {
    /// Runs the named chapters with the offline sketch renderer.
    @discardableResult
    func runSketch(_ names: [String], configure: (inout RunSettings) -> Void = { _ in }) async throws -> RunReport {
        var settings = RunSettings()
        configure(&settings)
        let pipeline = Pipeline(settings: settings, imageProvider: SketchImageProvider())
        return try await pipeline.run(try pipeline.prepare(files: names.map(url)))
    }
}

@Suite("Gallery, page PNGs and thumbnails.pdf from a real run")
struct GalleryRunTests {
    @Test("One card per panel in reading order; a failed panel never shows an old image; a rerun writes the same bytes")
    func fromARun() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        // An old picture of the panel that fails the gate: it must not be shown as if current.
        let old = book.url("generated/01-paper-and-promises/images/p02-02.png")
        try FileManager.default.createDirectory(at: old.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data([1, 2, 3]).write(to: old)
        let report = try await book.runSketch(["01-paper-and-promises.md"]) { $0.inPlace = true }
        let chapterFolder = book.url("generated/01-paper-and-promises")
        let html = try book.text("generated/01-paper-and-promises/index.html")
        let ids = html.components(separatedBy: "<article class=\"card ").dropFirst().map { $0.components(separatedBy: "id=\"")[1].prefix { $0 != "\"" } }
        #expect(ids == ["p01-01", "p01-02", "p01-03", "p02-01", "p02-02"])
        #expect(report.chapters[0].panels.map(\.sheet.localID) == ids.map(String.init))
        let failed = html.components(separatedBy: "id=\"p02-02\"")[1].components(separatedBy: "</article>")[0]
        #expect(failed.contains("placeholder") && !failed.contains("<img") && !failed.contains("images/p02-02.png"))
        #expect(links(html).allSatisfy(isRelative))
        for link in links(html) where link != "../index.html" {
            #expect(FileManager.default.fileExists(atPath: chapterFolder.appendingPathComponent(link).path), "\(link)")
        }
        let index = try book.text("generated/index.html")
        #expect(index.contains("href=\"01-paper-and-promises/index.html\"") && index.contains("Paper and Promises"))

        let files = ["index.html", "pages/page-01.png", "pages/page-02.png", "thumbnails.pdf"].map { chapterFolder.appendingPathComponent($0) }
            + [book.url("generated/index.html")]
        let before = try files.map { try RepoPaths.bytes($0) }
        func modified(_ url: URL) throws -> Date? { try FileManager.default.attributesOfItem(atPath: url.path)[.modificationDate] as? Date }
        let pageDates = try files[1...3].map(modified)
        try await book.runSketch(["01-paper-and-promises.md"]) { $0.inPlace = true }
        #expect(try files.map { try RepoPaths.bytes($0) } == before)
        // Unchanged pages and an unchanged PDF are not drawn or written again (pages/fingerprints.txt).
        #expect(try files[1...3].map(modified) == pageDates)
    }

    @Test("Pages draw sketches from their layouts, but a sketch whose file is gone is a hatched box")
    func missingSketchFile() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let report = try await book.runSketch(["01-paper-and-promises.md"])
        let before = ChapterSheets(report.chapters[0], size: ImageSize(width: 1200, height: 1800))
        #expect(before.pages[0].sheet.panels[0]?.sketch != nil)
        try FileManager.default.removeItem(at: book.url("generated/01-paper-and-promises/images/p01-01.png"))
        let after = ChapterSheets(report.chapters[0], size: ImageSize(width: 1200, height: 1800))
        #expect(after.pages[0].sheet.panels[0]?.sketch == nil && after.pages[0].sheet.panels[0]?.imagePath == nil)
        #expect(after.pages[0].sheet.panels[1]?.sketch != nil)
        #expect(after.pages[0].sheet.fingerprint != before.pages[0].sheet.fingerprint)
    }

    /// Sketches are laid out, and their text shaped, once per process, by whichever canvas draws
    /// one first: the panel's own image on a first run, its page or the PDF when the images are
    /// current.
    @Test("Pages and the PDF are the same bytes whether the run made the images or found them current")
    func pagesDoNotDependOnWhoLaidOut() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.runSketch(["01-paper-and-promises.md"])
        let chapter = book.url("generated/01-paper-and-promises")
        func drawn() throws -> [String: Data] {
            let pages = try FileManager.default.contentsOfDirectory(atPath: chapter.appendingPathComponent("pages").path)
                .filter { $0.hasSuffix(".png") }
            var files = try Dictionary(uniqueKeysWithValues: pages.map { ($0, try Data(contentsOf: chapter.appendingPathComponent("pages/\($0)"))) })
            files["thumbnails.pdf"] = try Data(contentsOf: chapter.appendingPathComponent("thumbnails.pdf"))
            return files
        }
        let first = try drawn()
        #expect(first.count > 2)
        SketchRenderer.forgetArrangements()
        SketchCanvas.forgetShapedTexts()
        try FileManager.default.removeItem(at: chapter.appendingPathComponent("pages"))
        try FileManager.default.removeItem(at: chapter.appendingPathComponent("thumbnails.pdf"))
        let report = try await book.runSketch(["01-paper-and-promises.md"])
        #expect(report.imagesMade == 0)
        #expect(try drawn() == first)
    }

    @Test("A book folder that moves keeps its pages: none is drawn again, and fingerprints.txt stays as it was")
    func movedBook() async throws {
        let book = try ImageBook()
        try await book.runSketch(["01-paper-and-promises.md"])
        let fingerprints = try book.text("generated/01-paper-and-promises/pages/fingerprints.txt")
        let moved = try makeTemporaryFolder().appendingPathComponent("moved book")
        defer { try? FileManager.default.removeItem(at: moved.deletingLastPathComponent()) }
        try FileManager.default.moveItem(at: book.folder, to: moved)
        let pipeline = Pipeline(settings: RunSettings(), imageProvider: SketchImageProvider())
        let report = try await pipeline.run(try pipeline.prepare(files: [moved.appendingPathComponent("01-paper-and-promises.md")]))
        #expect(report.imagesMade == 0)
        #expect(!report.chapters[0].files.contains { $0.hasSuffix("/pages/") || $0.hasSuffix("thumbnails.pdf") }, "\(report.chapters[0].files)")
        let after = try RepoPaths.bytes(moved.appendingPathComponent("generated/01-paper-and-promises/pages/fingerprints.txt"))
        #expect(String(decoding: after, as: UTF8.self) == fingerprints)
    }

    @Test("--no-gallery writes no gallery, pages or PDF")
    func noGallery() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.runSketch(["01-paper-and-promises.md"]) { $0.writeGallery = false }
        for path in ["generated/index.html", "generated/01-paper-and-promises/index.html", "generated/01-paper-and-promises/pages",
                     "generated/01-paper-and-promises/thumbnails.pdf"] {
            #expect(!FileManager.default.fileExists(atPath: book.url(path).path), "\(path)")
        }
        #expect(FileManager.default.fileExists(atPath: book.url("generated/01-paper-and-promises/images/p01-01.png").path))
    }

    @Test("pdftoppm renders thumbnails.pdf: one page per comic page plus the cover")
    func pdfRenders() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let report = try await book.runSketch(["01-paper-and-promises.md", "02-the-double-spend.md"])
        for chapter in report.chapters {
            let pdf = (chapter.directory as NSString).appendingPathComponent("thumbnails.pdf")
            let comicPages = ChapterPageGroups(pages: chapter.panels.map(\.sheet.page)).groups.count
            let info = try await runProcess("/usr/bin/pdfinfo", [pdf])
            #expect(info.status == 0)
            #expect(info.stdoutText.contains("Pages:           \(comicPages + 1)\n"), "\(info.stdoutText)")
            let prefix = (chapter.directory as NSString).appendingPathComponent("rendered")
            let render = try await runProcess("/usr/bin/pdftoppm", ["-png", "-r", "30", pdf, prefix])
            #expect(render.status == 0, "\(render.stderr)")
            let rendered = try FileManager.default.contentsOfDirectory(atPath: chapter.directory).filter { $0.hasPrefix("rendered") }
            #expect(rendered.count == comicPages + 1)
        }
    }
}
