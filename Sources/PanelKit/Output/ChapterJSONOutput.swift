import Foundation

/// `generated/<slug>/chapter.json` (`--json`): the chapter as written back, every panel's results,
/// verdict, image and cost.
struct ChapterJSONOutput: RunOutput {
    var name: String { "chapter.json" }
    var readsEarlierOutputs: Bool { false }

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.writeJSON else { return [] }
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() {
            let path = (chapter.directory as NSString).appendingPathComponent("chapter.json")
            let json = ChapterExport.json(for: chapter.written, sourcePath: chapter.input.fileName, outcomes: chapter.outcomes,
                                          images: chapter.panels.map(\.currentImage), costs: chapter.panels.map(\.costUSD))
            written += try writeFile(Array(json.serialized().utf8), to: path, chapter: index)
        }
        return written
    }
}
