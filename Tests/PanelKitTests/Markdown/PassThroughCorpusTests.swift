import Foundation
@testable import PanelKit
import Testing
import TestSupport

@Suite("Pass-through corpus: panel-free documents come out byte-identical")
struct PassThroughCorpusTests {
    static let documents = RepoPaths.files(in: RepoPaths.fixture("passthrough"), withExtension: "md")

    @Test("The corpus holds at least 40 documents")
    func corpusSize() {
        #expect(Self.documents.count >= 40)
    }

    @Test("Each document has no panels and passes through the chapter job unchanged",
          arguments: documents.map(\.lastPathComponent))
    func passesThrough(name: String) async throws {
        let bytes = try RepoPaths.bytes(RepoPaths.fixture("passthrough/\(name)"))
        let input = InputDocument(path: name, source: SourceText(bytes: bytes))
        let job = Pipeline(settings: RunSettings())
        let prepared = try job.prepare([input])[0]
        #expect(prepared.chapter.panels.isEmpty, "\(prepared.chapter.panels.map(\.markerText))")
        let report = try await job.run([prepared])
        #expect(report.chapters[0].markdown == bytes)
        #expect(!report.chapters[0].markdownChanged)
        // A document without panels opens no trace and calls nothing.
        #expect(report.tracePath == nil)
        #expect(report.callsMade == 0)
    }
}
