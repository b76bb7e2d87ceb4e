import Foundation

/// `generated/<slug>/pacing.json` and `pacing.svg` for every chapter with panels, on every run:
/// the numbers of `panelproc pacing` (from the chapter as written back) and the two bar charts.
struct PacingOutput: RunOutput {
    var name: String { "pacing" }
    var readsEarlierOutputs: Bool { false }

    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        var written: [WrittenFile] = []
        for (index, chapter) in run.chapters.enumerated() where !chapter.panels.isEmpty {
            let report = PacingReport(chapter.written, thresholds: settings.pacing)
            let json = (chapter.directory as NSString).appendingPathComponent("pacing.json")
            let svg = (chapter.directory as NSString).appendingPathComponent("pacing.svg")
            written += try writeFile(Array(report.json.serialized().utf8), to: json, chapter: index)
            written += try writeFile(Array(PacingChart(report: report, thresholds: settings.pacing).svg.utf8), to: svg, chapter: index)
        }
        return written
    }
}
