import Foundation
import Testing
import TestSupport

/// Issue 9: the README points only at files in the repository, and documents what a writer sees.
@Suite("Documentation")
struct DocumentationTests {
    func readme() throws -> String { String(decoding: try RepoPaths.bytes(RepoPaths.root.appendingPathComponent("README.md")), as: UTF8.self) }

    @Test("Every relative link and spec path in the README names a file in the repository; the chapter format is docs/chapter-format.md")
    func links() throws {
        let text = try readme()
        #expect(text.contains("[`docs/chapter-format.md`](docs/chapter-format.md)"))
        let links = try NSRegularExpression(pattern: #"\]\(([^)#:<]+)\)"#)
        let range = NSRange(text.startIndex..., in: text)
        for match in links.matches(in: text, range: range) {
            let path = String(text[Range(match.range(at: 1), in: text)!])
            #expect(FileManager.default.fileExists(atPath: RepoPaths.root.appendingPathComponent(path).path), "README links \(path)")
        }
        #expect(!text.contains("spec/"))
        #expect(!text.lowercased().contains("the specification"))
    }

    @Test("The README documents the warnings and the deleted, failed and forced panel behaviour")
    func documentsBehaviour() throws {
        let text = try readme()
        for phrase in ["looks like a panel marker but is not", "never closes", "no panels found", "no scene text, dialogue or caption",
                       "no character database found", "--take-over", "orphans/", "`stale`", "\"forced\": true", "trace --failed"] {
            #expect(text.contains(phrase), "README lacks \(phrase)")
        }
    }
}
