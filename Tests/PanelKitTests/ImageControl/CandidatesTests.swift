import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Image candidates and pick")
struct CandidatesTests {
    let slug = "01-paper-and-promises"

    @Test("--candidates 3 with the sketch: c1…c3 differ, the panel's image is candidate 1, the manifest lists them")
    func sketchCandidates() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let report = try await book.run(["01-paper-and-promises.md"], with: SketchImageProvider()) { $0.imageControl.candidates = 3 }
        #expect(report.imagesMade == 4)
        let images = "generated/\(slug)/images/"
        // p01-03 has two figures: every candidate places them differently.
        let c1 = try book.bytes(images + "p01-03.c1.png"), c2 = try book.bytes(images + "p01-03.c2.png")
        #expect(c1 != c2)
        #expect(try book.bytes(images + "p01-03.png") == c1)
        #expect(ImageBytes.mimeType(of: c2) == "image/png")
        let entry = try #require(try book.manifest(slug).entry("\(slug)/p01-03"))
        #expect(entry.candidates == (1...3).map { "generated/\(slug)/images/p01-03.c\($0).png" })
        #expect(entry.picked == nil)
    }

    @Test("The sketch's placement shuffle is seeded: the same candidate is byte-identical, candidate 1 is the usual picture")
    func seededShuffle() throws {
        let names = ["Ada", "Mira", "Theo"]
        let seed = Array(SHA256.hex("x#c2").utf8)
        #expect(SketchRenderer.shuffled(names, seed: seed, variant: 2) == SketchRenderer.shuffled(names, seed: seed, variant: 2))
        // Speakers keep their reading order; a silent figure moves among them.
        for variant in 2...8 {
            let variantSeed = Array(SHA256.hex("x#c\(variant)").utf8)
            let order = SketchRenderer.shuffled(names, seed: variantSeed, variant: variant, speakers: ["Ada", "Theo"])
            #expect(Set(order) == Set(names))
            #expect(try #require(order.firstIndex(of: "Ada")) < #require(order.firstIndex(of: "Theo")))
        }
        #expect(SketchRenderer.shuffled(names, seed: seed, variant: 1) == names)
        var layout = PanelLayout(panelID: "c/p01-01", title: nil, shot: .medium, characters: ["Ada", "Mira"], bubbles: [])
        let plain = try SketchImageProvider().render(ImageRequest(prompt: "", negativePrompt: "", size: ImageSize(width: 300, height: 200),
                                                                   references: [], layout: layout))
        layout.variant = 1
        let first = try SketchImageProvider().render(ImageRequest(prompt: "", negativePrompt: "", size: ImageSize(width: 300, height: 200),
                                                                   references: [], layout: layout))
        #expect(plain.bytes == first.bytes)
        layout.variant = 2
        let second = try SketchImageProvider().render(ImageRequest(prompt: "", negativePrompt: "", size: ImageSize(width: 300, height: 200),
                                                                    references: [], layout: layout))
        let secondAgain = try SketchImageProvider().render(ImageRequest(prompt: "", negativePrompt: "", size: ImageSize(width: 300, height: 200),
                                                                         references: [], layout: layout))
        #expect(second.bytes != first.bytes)
        #expect(second.bytes == secondAgain.bytes)
    }

    @Test("Cost and the dry run's estimate multiply by N")
    func costTimesN() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let prices = Prices(byModel: ["recording-1": Prices.Price(perImage: 0.04)])
        let plan = try await book.plan(["01-paper-and-promises.md"], with: RecordingImageProvider()) {
            $0.imageControl.candidates = 3
            $0.prices = prices
        }
        let single = try await book.plan(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.prices = prices }
        #expect(plan.imagesToMake == single.imagesToMake)
        let imageShare = plan.estimatedCostUSD - single.estimatedCostUSD
        #expect(abs(imageShare - Double(single.imagesToMake) * 0.04 * 2) < 1e-9)
        #expect(plan.text.contains("× 3 candidates"))
        let provider = RecordingImageProvider()
        let report = try await book.run(["01-paper-and-promises.md"], with: provider) {
            $0.imageControl.candidates = 3
            $0.prices = prices
        }
        #expect(provider.requests.count == 12)  // 4 panels × 3 candidates (one call each)
        #expect(Set(provider.requests.map(\.layout.variant)) == [1, 2, 3])
        let entry = try #require(try book.manifest(slug).entry("\(slug)/p01-01"))
        #expect(abs(entry.costUSD - 0.12) < 1e-9)
        #expect(report.costUSD >= 0.48 - 1e-9)
    }

    @Test("pick copies the candidate, records it in the manifest and chapter.json, leaves the Markdown; it survives a rerun; a content change clears it and says so")
    func pickLifecycle() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let provider = RecordingImageProvider()
        try await book.run(["01-paper-and-promises.md"], with: provider) { $0.imageControl.candidates = 3 }
        let markdown = try book.bytes("01-paper-and-promises.md")
        let message = try ImageControl.pick(try book.target("p01-02", in: "01-paper-and-promises.md"), candidate: 2)
        #expect(message.contains("candidate 2 of 3"))
        let images = "generated/\(slug)/images/"
        #expect(try book.bytes(images + "p01-02.png") == book.bytes(images + "p01-02.c2.png"))
        #expect(try book.manifest(slug).entry("\(slug)/p01-02")?.picked == 2)
        #expect(try book.bytes("01-paper-and-promises.md") == markdown)
        let json = JSONValue(try LocatedJSON.parse(try book.bytes("generated/\(slug)/chapter.json"), file: "chapter.json"))
        let panel = try #require(json["panels"]?.array?.first { $0["id"]?.string == "\(slug)/p01-02" })
        #expect(panel["image"]?["picked"]?.integer == 2)
        #expect(panel["image"]?["candidates"]?.array?.count == 3)

        // A rerun keeps the pick and calls nothing; the dry run says so.
        let calls = provider.requests.count
        let rerun = try await book.run(["01-paper-and-promises.md"], with: provider) { $0.imageControl.candidates = 3 }
        #expect(provider.requests.count == calls)
        #expect(rerun.imageControlNotes.isEmpty)
        #expect(try book.bytes(images + "p01-02.png") == book.bytes(images + "p01-02.c2.png"))
        let plan = try await book.plan(["01-paper-and-promises.md"], with: provider) { $0.imageControl.candidates = 3 }
        #expect(plan.panels.first { $0.panelID.hasSuffix("p01-02") }?.image == "cached (picked c2)")

        // The writer edits the panel: new candidates, the pick cleared, the summary says so.
        try book.replace("squints at the watermark", with: "squints hard at the watermark", in: "01-paper-and-promises.md")
        let changed = try await book.run(["01-paper-and-promises.md"], with: provider) { $0.imageControl.candidates = 3 }
        #expect(changed.imageControlNotes == ["p01-02: pick of candidate 2 cleared (the panel changed; new candidates made)"])
        #expect(try book.manifest(slug).entry("\(slug)/p01-02")?.picked == nil)
        #expect(try book.bytes(images + "p01-02.png") == book.bytes(images + "p01-02.c1.png"))
    }

    @Test("pick refuses an unknown panel (naming the nearest ids), a number out of range and a panel without candidates; nothing changes")
    func pickBadInput() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) { $0.imageControl.candidates = 2 }
        let manifest = try book.bytes("generated/\(slug)/manifest.json")
        let unknown = inputError { () throws(RunFailure) in
            try ImageControl.pick(try PanelTarget.locate("p01-2", file: book.url("01-paper-and-promises.md").path, settings: RunSettings()),
                                  candidate: 1)
        }
        #expect(unknown?.message == "no panel p01-2 in \(book.url("01-paper-and-promises.md").path)")
        #expect(unknown?.hint?.contains("p01-02") == true)
        let range = inputError { () throws(RunFailure) in
            try ImageControl.pick(try book.target("p01-02", in: "01-paper-and-promises.md"), candidate: 3)
        }
        #expect(range?.message == "p01-02 has 2 candidates; there is no candidate 3")
        let failed = inputError { () throws(RunFailure) in
            try ImageControl.pick(try book.target("p02-02", in: "01-paper-and-promises.md"), candidate: 1)
        }
        #expect(failed?.message == "p02-02 has no image yet")
        #expect(try book.bytes("generated/\(slug)/manifest.json") == manifest)
        // One image per panel: nothing to pick from.
        try await book.run(["01-paper-and-promises.md"], with: RecordingImageProvider()) {
            $0.imageControl.candidates = 1
            $0.forceImages = true
        }
        let single = inputError { () throws(RunFailure) in
            try ImageControl.pick(try book.target("p01-01", in: "01-paper-and-promises.md"), candidate: 1)
        }
        #expect(single?.message == "p01-01 has no candidates")
    }
}
