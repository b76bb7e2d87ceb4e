import Foundation
import Synchronization

/// A one-line progress bar on stderr, only when stderr is a terminal.
final class ProgressBar: Sendable {
    private let state = Mutex<(lastDrawn: Int, width: Int)>((-1, 30))

    static func forStandardError() -> ProgressBar? {
        Console.stderrIsTerminal ? ProgressBar() : nil
    }

    func update(_ done: Int, _ total: Int) {
        guard total > 0 else { return }
        let filled = done * 30 / total
        let shouldDraw = state.withLock { state -> Bool in
            // Redraw only when a cell fills (or at the end), not for every one of 10,000 panels.
            guard filled != state.lastDrawn || done == total else { return false }
            state.lastDrawn = filled
            return true
        }
        guard shouldDraw else { return }
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
        let colored = Console.useColor ? "\u{1B}[36m\(bar)\u{1B}[0m" : bar
        FileHandle.standardError.write(Data("\r\(colored) \(done)/\(total) panels".utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
