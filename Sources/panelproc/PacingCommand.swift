import ArgumentParser
import Foundation
import PanelKit

/// `panelproc pacing FILE…`: words, panels and balloons per page, warnings and a score.
struct PacingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pacing",
        abstract: "Show each page's words, panels and balloons, with warnings and a score.",
        discussion: """
            Counts from the chapter as written; nothing is written and, unless pacing.model is \
            true in panelproc.yml, no model is asked. Every run of panelproc also writes \
            generated/<chapter>/pacing.json and pacing.svg.

            Examples:
              panelproc pacing chapter.md            a table of pages, totals and insights
              panelproc pacing --json chapter.md     the numbers, as in pacing.json
              panelproc pacing chapters/*.md         several chapters, one after another

            Thresholds: the pacing: keys of panelproc.yml (see the README).
            """)

    @Argument(help: ArgumentHelp("Chapter Markdown files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Print the numbers as JSON (one object, or an array for several files).")
    var json = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one chapter file.") }
        try common.validate()
    }

    func run() async throws {
        var settings = try common.resolveSettings(near: files.first)
        settings.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }
        let parse = ParsePhase(settings: settings)
        var reports: [PacingReport] = []
        var failed = false
        for path in files {
            do {
                let chapter = try parse.parse(try InputDocument.read(path))
                for diagnostic in chapter.diagnostics { Console.report(diagnostic, verbose: common.verbose) }
                reports.append(PacingReport(chapter, thresholds: settings.pacing))
            } catch {
                Console.report(error)
                failed = true
            }
        }
        if failed { throw ExitStatus.badInput.exitCode }
        if settings.pacing.model {
            let folder = (FileIO.absolute(files[0]) as NSString).deletingLastPathComponent
            let trace = settings.trace ?? (folder as NSString).appendingPathComponent(".panelproc/trace.sqlite")
            do throws(RunFailure) {
                reports = try await PacingPass(settings: settings).run(reports, tracePath: trace, environment: ProcessInfo.processInfo.environment)
            } catch {
                Console.error("error: \(error)")
                if case .input = error { throw ExitStatus.badInput.exitCode }
                throw ExitStatus.runFailed.exitCode
            }
        }
        let output: String
        if json {
            output = (reports.count == 1 ? reports[0].json : .array(reports.map(\.json))).serialized()
        } else {
            output = reports.map(\.text).joined(separator: "\n")
        }
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(output.utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
