import Foundation
import PanelKit

/// The one line a run prints to stderr when it is not on a terminal.
enum Summary {
    static func line(for result: ChapterResult, elapsed: TimeInterval) -> String {
        let panels = result.chapter.panels.count
        var parts = ["panelproc: \(result.input.displayName): \(result.chapter.slug), \(panels) panel\(panels == 1 ? "" : "s")"]
        if !result.written.isEmpty {
            let cwd = FileManager.default.currentDirectoryPath + "/"
            parts.append("wrote " + result.written.map { $0.hasPrefix(cwd) ? String($0.dropFirst(cwd.count)) : $0 }.joined(separator: ", "))
        }
        parts.append(String(format: "%.2fs", elapsed))
        return parts.joined(separator: "; ")
    }
}
