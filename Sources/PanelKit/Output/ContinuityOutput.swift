import Foundation

/// `generated/<slug>/continuity.json` for every chapter with panels: the continuity checker's
/// alerts (decided ones with their status and note) and the facts the chapter establishes.
struct ContinuityOutput: RunOutput {
    var name: String { "continuity.json" }
    var readsEarlierOutputs: Bool { false }

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        let reports = try Self.reports(run, settings: settings)
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() where !chapter.panels.isEmpty {
            let path = (chapter.directory as NSString).appendingPathComponent("continuity.json")
            written += try writeFile(Array(reports[index].json.serialized().utf8), to: path, chapter: index)
        }
        return written
    }

    /// The run's reports; the rules' alone when the run did not check (a report built by hand).
    static func reports(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [ContinuityReport] {
        if run.continuity.count == run.chapters.count { return run.continuity }
        do { return try ContinuityPass(settings: settings).rules(run.chapters.map(\.continuityInput)) } catch { throw .input(error) }
    }
}

extension ChapterRecord {
    /// What the continuity checker reads: the chapter as read (its lines are the file's), its
    /// database and the `continuity.yml` beside it.
    var continuityInput: ContinuityPass.Input {
        ContinuityPass.Input(chapter: chapter, database: characters,
                             decisions: (input.folder as NSString).appendingPathComponent(ContinuityDecisions.fileName))
    }
}
