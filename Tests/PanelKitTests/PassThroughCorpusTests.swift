import Foundation
import PanelKit
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
    func passesThrough(name: String) throws {
        let bytes = try RepoPaths.bytes(RepoPaths.fixture("passthrough/\(name)"))
        let input = InputDocument(path: name, source: SourceText(bytes: bytes))
        let job = ChapterJob(configuration: Configuration(), options: ChapterJob.Options())
        let chapter = try job.parse(input)
        #expect(chapter.panels.isEmpty, "\(chapter.panels.map(\.markerText))")
        let result = try job.run(input, chapter: chapter)
        #expect(result.markdown == bytes)
        #expect(!result.markdownChanged)
    }
}
