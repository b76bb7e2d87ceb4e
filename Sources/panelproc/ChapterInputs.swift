import PanelKit

/// Every input read, parsed and its database loaded before anything is written: each bad input is
/// reported at its file:line:col, then the command stops with exit 2, nothing written anywhere.
enum ChapterInputs {
    /// `nil` is stdin.
    static func prepare(_ paths: [String?], with parse: ParsePhase) throws -> [PreparedChapter] {
        var prepared: [PreparedChapter] = []
        var databases: [String: CharacterDatabase] = [:]
        var failed = false
        for path in paths {
            do {
                prepared.append(try parse.prepare(try InputDocument.read(path), databases: &databases))
            } catch {
                Console.report(error)
                failed = true
            }
        }
        if failed { throw ExitStatus.badInput.exitCode }
        return prepared
    }
}
