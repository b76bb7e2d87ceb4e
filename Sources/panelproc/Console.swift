import Foundation
import PanelKit

/// Everything meant for people goes to stderr; stdout carries only the document.
enum Console {
    static let stderrIsTerminal = isatty(STDERR_FILENO) == 1
    static let useColor = stderrIsTerminal && ProcessInfo.processInfo.environment["NO_COLOR"].map(\.isEmpty) ?? true

    static func write(_ text: String) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
    }

    static func error(_ text: String) {
        write(colored(text, marker: "error:", code: "31"))
    }

    static func report(_ error: InputError) { self.error(error.description) }

    static func report(_ diagnostic: Diagnostic, verbose: Bool) {
        if diagnostic.severity == .note && !verbose { return }
        let marker = "\(diagnostic.severity.rawValue):"
        let code = switch diagnostic.severity {
        case .error: "31"
        case .warning: "33"
        case .note: "36"
        }
        write(colored(diagnostic.description, marker: marker, code: code))
    }

    private static func colored(_ text: String, marker: String, code: String) -> String {
        guard useColor, let range = text.range(of: marker) else { return text }
        return text.replacingCharacters(in: range, with: "\u{1B}[\(code);1m\(marker)\u{1B}[0m")
    }
}
