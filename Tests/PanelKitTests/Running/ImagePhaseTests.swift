import Foundation
@testable import PanelKit
import Testing
import TestSupport

/// A scratch book: the three sample chapters (or given text) with the sample database.
struct ImageBook {
    let folder: URL
    init() throws {
        folder = try makeTemporaryFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("characters"), withIntermediateDirectories: true)
        try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/character_base_list.json")))
            .write(to: folder.appendingPathComponent("characters/character_base_list.json"))
        for name in ["01-paper-and-promises.md", "02-the-double-spend.md"] {
            try Data(try RepoPaths.bytes(RepoPaths.fixture("samples/\(name)"))).write(to: folder.appendingPathComponent(name))
        }
    }

    func url(_ name: String) -> URL { folder.appendingPathComponent(name) }
    func text(_ name: String) throws -> String { String(decoding: try RepoPaths.bytes(url(name)), as: UTF8.self) }
    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Runs like `panelproc -i --json` and writes the Markdown back.
    @discardableResult
    func run(_ names: [String], provider: FakeImageProvider, configure: (inout RunSettings) -> Void = { _ in },
             prices: Prices = Prices()) async throws -> RunReport
    {
        var settings = RunSettings()
        settings.writeJSON = true
        settings.inPlace = true
        settings.prices = prices
        configure(&settings)
        let pipeline = Pipeline(settings: settings, imageProvider: provider)
        return try await pipeline.run(try pipeline.prepare(files: names.map(url)))
    }
}

@Suite("Images: persistence, staleness, cost, H4 links")
struct ImageStepTests {
    @Test("Every passing panel gets an image, a manifest entry and an H4 line; a rerun changes nothing and calls nothing")
    func roundTrip() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider()
        let first = try await book.run(["01-paper-and-promises.md"], provider: provider)
        #expect(first.imagesMade == 4)
        #expect(provider.calls == 4)
        let markdown = try book.text("01-paper-and-promises.md")
        #expect(markdown.contains("#### ![Panel 1: Market morning](generated/01-paper-and-promises/images/p01-01.png)"))
        #expect(!markdown.contains("images/p02-02.png"))  // the panel that failed the gate
        for id in ["p01-01", "p01-02", "p01-03", "p02-01"] {
            #expect(FileManager.default.fileExists(atPath: book.url("generated/01-paper-and-promises/images/\(id).png").path))
        }
        let manifest = try ImageManifest.load(path: book.url("generated/01-paper-and-promises/manifest.json").path, chapterSlug: "x")
        #expect(manifest.entries.map(\.panelID) == ["01-paper-and-promises/p01-01", "01-paper-and-promises/p01-02",
                                                   "01-paper-and-promises/p01-03", "01-paper-and-promises/p02-01"])
        #expect(manifest.runs.count == 1)
        let json = try book.text("generated/01-paper-and-promises/chapter.json")
        #expect(json.contains("\"path\": \"generated/01-paper-and-promises/images/p01-01.png\""))

        let manifestBytes = try book.text("generated/01-paper-and-promises/manifest.json")
        let second = try await book.run(["01-paper-and-promises.md"], provider: provider)
        #expect(provider.calls == 4)
        #expect(second.imagesMade == 0)
        #expect(second.imagesCurrent == 4)
        #expect(second.callsMade == 0)
        #expect(try book.text("01-paper-and-promises.md") == markdown)
        #expect(try book.text("generated/01-paper-and-promises/manifest.json") == manifestBytes)
        #expect(try book.text("generated/01-paper-and-promises/chapter.json") == json)
    }

    @Test("Editing one panel's text regenerates only that panel's image")
    func editedPanel() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider()
        try await book.run(["02-the-double-spend.md"], provider: provider)
        #expect(provider.calls == 3)
        let edited = try book.text("02-the-double-spend.md").replacingOccurrences(of: "opens a thick leather ledger", with: "opens a thin blue ledger")
        try Data(edited.utf8).write(to: book.url("02-the-double-spend.md"))
        let report = try await book.run(["02-the-double-spend.md"], provider: provider)
        #expect(provider.calls == 4)
        #expect(provider.panels.filter { $0 == "02-the-double-spend/p00-02" }.count == 2)
        #expect(report.imagesMade == 1)
        #expect(report.imagesCurrent == 2)
        // The existing H4 line was updated in place, not duplicated.
        #expect(try book.text("02-the-double-spend.md").components(separatedBy: "images/p00-02.png").count == 2)
    }

    @Test("A deleted image file is made again")
    func deletedImage() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider()
        try await book.run(["02-the-double-spend.md"], provider: provider)
        try FileManager.default.removeItem(at: book.url("generated/02-the-double-spend/images/p00-03.png"))
        let report = try await book.run(["02-the-double-spend.md"], provider: provider)
        #expect(report.imagesMade == 1)
        #expect(provider.panels.filter { $0.hasSuffix("p00-03") }.count == 2)
        #expect(FileManager.default.fileExists(atPath: book.url("generated/02-the-double-spend/images/p00-03.png").path))
    }

    @Test("The cost cap stops scheduling; what was made is kept and the rest waits for the next run")
    func costCap() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider()
        let prices = Prices(byModel: ["fake-image-1": .init(perImage: 0.04)])
        let capped = try await book.run(["01-paper-and-promises.md"], provider: provider, configure: {
            $0.maxCostUSD = 0.10
            $0.concurrency = 1
        }, prices: prices)
        #expect(provider.calls == 2)
        #expect(capped.imagesMade == 2)
        #expect(capped.imagesSkippedForCost == 2)
        #expect(capped.costCapReached)
        #expect(abs(capped.costUSD - 0.08) < 1e-9)
        #expect(try book.text("01-paper-and-promises.md").components(separatedBy: "#### ![").count == 3)
        let rest = try await book.run(["01-paper-and-promises.md"], provider: provider, prices: prices)
        #expect(rest.imagesMade == 2)
        #expect(provider.calls == 4)
    }

    @Test("A refusal fails that panel with the provider's reason; the others go on")
    func refusal() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider(refuse: ["02-the-double-spend/p00-01"])
        let report = try await book.run(["02-the-double-spend.md"], provider: provider)
        #expect(report.imagesMade == 2)
        #expect(report.imagesFailed == 1)
        #expect(report.counts[.failed] == 1)
        let failed = try #require(report.chapters.first?.outcomes.first ?? nil)
        #expect(failed.reasons.last == "image: content policy: the request was rejected by the safety system")
        #expect(!(try book.text("02-the-double-spend.md")).contains("images/p00-01.png"))
    }

    @Test("--force-images makes every image again; --panel limits new images to that panel")
    func forceAndPanel() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = FakeImageProvider()
        try await book.run(["02-the-double-spend.md"], provider: provider)
        try await book.run(["02-the-double-spend.md"], provider: provider, configure: { $0.forceImages = true })
        #expect(provider.calls == 6)
        try await book.run(["02-the-double-spend.md"], provider: provider, configure: {
            $0.forceImages = true
            $0.onlyPanels = ["p00-03"]
        })
        #expect(provider.calls == 7)
        #expect(provider.panels.last == "02-the-double-spend/p00-03" || provider.panels.contains("02-the-double-spend/p00-03"))
        // The other panels keep their current images and lines.
        #expect(try book.text("02-the-double-spend.md").components(separatedBy: "#### ![").count == 4)
    }

    @Test("Relative image paths from the Markdown folder, also for an output folder elsewhere")
    func relativePaths() {
        #expect(ImagePhase.relativePath("/a/b/generated/x/images/p.png", from: "/a/b") == "generated/x/images/p.png")
        #expect(ImagePhase.relativePath("/a/out/x/images/p.png", from: "/a/b") == "../out/x/images/p.png")
    }
}

/// The offline engine, charging a fixed price per answer.
struct PricedProvider: TextProvider {
    let name = "priced"
    let model = "priced-1"
    let isLocal = true
    var price: Double

    func complete(_ request: TextRequest) async throws(ProviderError) -> TextCompletion {
        var completion = try await OfflineTextProvider().complete(request)
        completion.costUSD = price
        return completion
    }
}

@Suite("Cost per call, per panel, per chapter")
struct CostTests {
    @Test("chapter.json carries each panel's cost and the chapter's; a rerun from the cache reports the same")
    func costsInJSON() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        var settings = RunSettings()
        settings.writeJSON = true
        let pipeline = Pipeline(settings: settings, textProvider: PricedProvider(price: 0.001), imageProvider: FakeImageProvider(cost: 0.04))
        func run() async throws -> (RunReport, String) {
            let report = try await pipeline.run(try pipeline.prepare(files: [book.url("02-the-double-spend.md")]))
            return (report, try book.text("generated/02-the-double-spend/chapter.json"))
        }
        let (first, json) = try await run()
        #expect(abs(first.costUSD - (18 * 0.001 + 3 * 0.04)) < 1e-9)
        let value = try JSONValue.parse(json)
        #expect(value["chapter"]?["cost_usd"]?.number == 0.138)
        #expect(value["panels"]?.array?.first?["cost_usd"]?.number == 0.046)
        let (second, again) = try await run()
        #expect(second.costUSD == 0)
        #expect(again == json)
    }

    @Test("The cost cap also stops text calls: panels past it are skipped, and the summary says so")
    func textCap() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        var settings = RunSettings()
        settings.maxCostUSD = 0.01
        settings.concurrency = 1
        settings.prices = Prices(byModel: ["priced-1": .init(per1kInput: 0.001, per1kOutput: 0.001)])
        let pipeline = Pipeline(settings: settings, textProvider: PricedProvider(price: 0.002))
        let report = try await pipeline.run(try pipeline.prepare(files: [book.url("01-paper-and-promises.md")]))
        #expect(report.costCapReached)
        // What is in flight finishes: with one call at a time, at most one call past the cap.
        #expect(report.costUSD <= 0.01 + 0.002 + 1e-9)
        #expect((report.counts[.skipped] ?? 0) > 0)
    }
}
