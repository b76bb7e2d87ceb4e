import Foundation
@testable import PanelKit
import TestSupport

extension Pipeline {
    /// Reads and prepares chapters as the command does (parse phase), from files or from text.
    func prepare(_ inputs: [InputDocument]) throws -> [PreparedChapter] {
        var databases: [String: CharacterDatabase] = [:]
        return try inputs.map { try parsePhase.prepare($0, databases: &databases) }
    }

    func prepare(files urls: [URL]) throws -> [PreparedChapter] {
        try prepare(urls.map { InputDocument(path: $0.path, source: SourceText(bytes: try RepoPaths.bytes($0))) })
    }
}

extension PreparedChapter {
    /// An already parsed chapter, ready for the text phase.
    init(_ chapter: Chapter, characters: CharacterDatabase?) {
        self.init(input: InputDocument(path: chapter.file, source: chapter.source), chapter: chapter, characters: characters,
                  charactersSearched: [])
    }
}
