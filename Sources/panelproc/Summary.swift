import Foundation
import PanelKit

/// The one line a run prints to stderr when it ends.
enum Summary {
    /// Failed-panel lines printed without `--verbose`.
    static let failuresShown = 20

    /// `1 image`, `2 images`.
    static func count(_ number: Int, _ noun: String) -> String { "\(number) \(noun)\(number == 1 ? "" : "s")" }

    static func line(for report: RunReport, elapsed: TimeInterval) -> String {
        let panels = report.chapters.reduce(0) { $0 + $1.chapter.panels.count }
        let chapters = report.chapters.count
        var parts = ["panelproc: \(count(chapters, "chapter")), \(count(panels, "panel"))"]
        if panels > 0 {
            let statuses = PanelStatus.allCases.compactMap { status -> String? in
                let count = report.counts[status] ?? 0
                return count > 0 || status == .passed || status == .failed ? "\(count) \(status.rawValue)" : nil
            }
            parts.append(statuses.joined(separator: ", "))
            parts.append("\(count(report.callsMade, "call")) made, \(report.callsCached) cached")
        }
        if report.imagesMade + report.imagesCurrent + report.imagesFailed + report.imagesSkippedForCost > 0 {
            var images = "\(count(report.imagesMade, "image")) made, \(report.imagesCurrent) current"
            if report.imagesFailed > 0 { images += ", \(report.imagesFailed) refused" }
            if report.imagesSkippedForCost > 0 { images += ", \(report.imagesSkippedForCost) left for the cost cap" }
            parts.append(images)
        }
        if report.costUSD > 0 || report.costCapReached {
            parts.append(String(format: "cost $%.4f", report.costUSD) + (report.costCapReached ? " (cap reached: no new work was scheduled)" : ""))
        }
        let themes = report.chapters.flatMap { $0.outcomes.compactMap { $0?.results.theme?.theme } }
        if !themes.isEmpty {
            let counts = Dictionary(themes.map { ($0, 1) }, uniquingKeysWith: +).sorted { ($0.value, $1.key) > ($1.value, $0.key) }
            parts.append("themes " + counts.prefix(4).map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        }
        let written = report.chapters.flatMap(\.files)
        if !written.isEmpty { parts.append("wrote " + written.map(short).joined(separator: ", ")) }
        if let trace = report.tracePath, let runID = report.runID { parts.append("trace \(short(trace)) run \(runID)") }
        if !report.proposedRoles.isEmpty { parts.append("proposed \(report.proposedRoles.joined(separator: ", "))") }
        parts.append(String(format: "%.2fs", elapsed))
        var line = parts.joined(separator: "; ")
        if !report.imageControlNotes.isEmpty { line += "\nimages: " + report.imageControlNotes.joined(separator: "; ") }
        if let next = nextStep(report) { line += "\n" + next }
        return line
    }

    /// `time: setup 0.02s, cache 0.41s, text 5.90s, …, outputs 0.95s (pages 0.84s, chapter.json 0.30s), trace 0.12s`:
    /// printed after the summary with `--verbose`. Outputs that took under 5 ms are left out.
    static func timings(_ timings: RunTimings) -> String {
        let formatted = { (part: RunTimings.Part) in "\(part.name) " + String(format: "%.2fs", part.seconds) }
        let outputs = timings.outputs.filter { $0.seconds >= 0.005 }.map(formatted)
        let phases = timings.phases.map { phase in
            phase.name == "outputs" && !outputs.isEmpty ? formatted(phase) + " (" + outputs.joined(separator: ", ") + ")" : formatted(phase)
        }
        return "time: " + phases.joined(separator: ", ")
    }

    /// A path under the working folder, relative to it.
    static func short(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    /// What to do when something failed: the summary's last line.
    static func nextStep(_ report: RunReport) -> String? {
        let failed = report.counts[.failed] ?? 0
        guard failed > 0 else { return nil }
        let trace = report.tracePath.map { " --db \(short($0))" } ?? ""
        return "next: `panelproc trace --failed\(trace)` says why \(failed == 1 ? "it" : "they") failed; "
            + "fix the Markdown or the character database and run again, or add --force to let \(failed == 1 ? "it" : "them") through"
    }
}
