import ArgumentParser
import Foundation
import PanelKit

/// `panelproc inspect FILE`: the parsed panels as JSON on stdout, for scripts.
struct InspectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print a chapter's parsed panels as JSON.",
        discussion: """
            Nothing is written to disk and no provider is called.

            Examples:
              panelproc inspect chapter.md | python3 -m json.tool
              cat chapter.md | panelproc inspect -
            """)

    @Argument(help: ArgumentHelp("The chapter to read; `-` or nothing reads standard input.", valueName: "file"))
    var file: String?

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let path = file == "-" ? nil : file
        if path == nil && isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: name a chapter file, or pipe one in.")
        }
        let parse = ParsePhase(settings: try common.resolveSettings(near: path))
        let input: InputDocument
        let chapter: Chapter
        do {
            input = try InputDocument.read(path)
            chapter = try parse.parse(input)
        } catch {
            Console.report(error)
            throw ExitStatus.badInput.exitCode
        }
        for diagnostic in chapter.diagnostics { Console.report(diagnostic, verbose: common.verbose) }
        let json = ChapterInspection.json(for: chapter, input: input)
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(json.serialized().utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
