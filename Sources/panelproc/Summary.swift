import Foundation
import PanelKit

/// The one line a run prints to stderr when it ends.
enum Summary {
    static func line(for report: RunReport, elapsed: TimeInterval) -> String {
        let panels = report.chapters.reduce(0) { $0 + $1.chapter.panels.count }
        let chapters = report.chapters.count
        var parts = ["panelproc: \(chapters) chapter\(chapters == 1 ? "" : "s"), \(panels) panel\(panels == 1 ? "" : "s")"]
        if panels > 0 {
            let statuses = PanelStatus.allCases.compactMap { status -> String? in
                let count = report.counts[status] ?? 0
                return count > 0 || status == .passed || status == .failed ? "\(count) \(status.rawValue)" : nil
            }
            parts.append(statuses.joined(separator: ", "))
            parts.append("\(report.callsMade) call\(report.callsMade == 1 ? "" : "s") made, \(report.callsCached) cached")
        }
        if report.imagesMade + report.imagesCurrent + report.imagesFailed + report.imagesSkippedForCost > 0 {
            var images = "\(report.imagesMade) image\(report.imagesMade == 1 ? "" : "s") made, \(report.imagesCurrent) current"
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
        let cwd = FileManager.default.currentDirectoryPath + "/"
        func short(_ path: String) -> String { path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path }
        if !written.isEmpty { parts.append("wrote " + written.map(short).joined(separator: ", ")) }
        if let trace = report.tracePath, let runID = report.runID { parts.append("trace \(short(trace)) run \(runID)") }
        if !report.proposedRoles.isEmpty { parts.append("proposed \(report.proposedRoles.joined(separator: ", "))") }
        parts.append(String(format: "%.2fs", elapsed))
        return parts.joined(separator: "; ")
    }
}
