import Foundation
@testable import PanelKit
import TestSupport

/// Chapters written inline, checked against the sample character database (Mira: yellow
/// raincoat; Theo: green apron; Ada; Officer Bly).
enum ContinuityFixture {
    static let database: CharacterDatabase = try! CharacterDatabase.load(path: RepoPaths.fixture("samples/character_base_list.json").path)

    /// A chapter from its panels' bodies: each string is one panel under `### Panel n`.
    static func chapter(_ panels: [String], slug: String = "test", number: Int = 1) -> Chapter {
        var text = "---\nchapter: \(number)\n---\n\n## Page 1\n\n"
        for (index, body) in panels.enumerated() { text += "### Panel \(index + 1)\n\n\(body)\n\n" }
        return parse(text, file: "\(slug).md")
    }

    static func parse(_ text: String, file: String) -> Chapter {
        try! ChapterParser().parse(SourceText(bytes: Array(text.utf8)), file: file, fileName: file)
    }

    static func fixture(_ name: String) -> Chapter {
        let url = RepoPaths.fixture("continuity/\(name)")
        return parse(String(decoding: try! RepoPaths.bytes(url), as: UTF8.self), file: name)
    }

    static func alerts(_ panels: [String]) -> [ContinuityAlert] {
        ContinuityChecker().check([(chapter(panels), database)]).flatMap(\.alerts)
    }

    static func check(_ chapters: [Chapter]) -> [ContinuityReport] {
        ContinuityChecker().check(chapters.map { ($0, database) })
    }
}
