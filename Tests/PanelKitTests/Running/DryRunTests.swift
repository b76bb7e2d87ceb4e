import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Dry run and the HTTP image provider, against a loopback server that counts requests")
struct DryRunTests {
    func pipeline(_ book: ImageBook, api: FakeImageAPI, forceImages: Bool = false) -> Pipeline {
        var settings = RunSettings()
        settings.imageProvider = .openai
        settings.openAIBaseURL = api.openAIBaseURL.absoluteString
        settings.prices = Prices(byModel: ["gpt-image-1": .init(perImage: 0.04)])
        settings.writeJSON = true
        settings.forceImages = forceImages
        let provider = try! ImageProviders.make(settings, environment: ["OPENAI_API_KEY": "sk-test-key"])!
        return Pipeline(settings: settings, imageProvider: provider)
    }

    func prepare(_ pipeline: Pipeline, _ book: ImageBook) throws -> [PreparedChapter] {
        try pipeline.prepare(files: [book.url("02-the-double-spend.md")])
    }

    @Test("--dry-run plans every panel and image without one request; the real run then makes them")
    func dryRunMakesNoCalls() async throws {
        let book = try ImageBook()
        defer { book.remove() }
        let api = try await FakeImageAPI.start()
        let job = pipeline(book, api: api)
        let before = try book.text("02-the-double-spend.md")

        let plan = try await job.plan(try prepare(job, book))
        #expect(try await api.requestCount() == 0)
        #expect(plan.panels.map(\.state) == ["new", "new", "new"])
        #expect(plan.textCallsToMake == 18)
        #expect(plan.imagesToMake == 3)
        #expect(abs(plan.estimatedCostUSD - 0.12) < 1e-9)
        #expect(plan.text.contains("would make 18 text calls"))
        // Nothing was written: no trace, no outputs, the chapter untouched.
        #expect(!FileManager.default.fileExists(atPath: book.url(".panelproc").path))
        #expect(!FileManager.default.fileExists(atPath: book.url("generated").path))
        #expect(try book.text("02-the-double-spend.md") == before)

        let report = try await job.run(try prepare(job, book))
        #expect(report.imagesMade == 3)
        #expect(try await api.requestCount() == 3)
        #expect(abs(report.costUSD - 0.12) < 1e-9)

        // After the run the plan sees everything cached, still without a request.
        let again = try await job.plan(try prepare(job, book))
        #expect(again.panels.map(\.state) == ["cached", "cached", "cached"])
        #expect(again.panels.map(\.image) == ["cached", "cached", "cached"])
        #expect(again.textCallsToMake == 0)
        #expect(try await api.requestCount() == 3)
        _ = await api.stop()
    }
}
