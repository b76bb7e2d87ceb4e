import ArgumentParser
import Foundation
import PanelKit

/// `panelproc status [PATH…]`: production status of every chapter, with velocity and projections.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show every chapter's pages, panel states, images, cost and due-date outlook.",
        discussion: """
            Finds the chapters (Markdown files with at least one panel) in the files and folders \
            given, recursively, in chapter order. Reads the trace and the manifests; runs no stage \
            and calls nothing. Records today's numbers of each chapter in the trace (one row a \
            day), from which velocity and the projected completion date are computed.

            Examples:
              panelproc status                       every chapter under this folder
              panelproc status book/ extra.md        chapters in a folder and a file
              panelproc status --json | jq '.totals'
              panelproc status --today 2027-02-01    as if today were that day

            Front matter: due: 2027-02-15 and target_pages: 22. Exit status 0 even when \
            chapters are at risk; 2 for bad input (a bad due: date names its line and column).
            """)

    @Argument(help: ArgumentHelp("Chapter files or folders (default: the current folder).", valueName: "path"))
    var paths: [String] = []

    @Flag(help: "Print the status as JSON.")
    var json = false

    @Option(help: ArgumentHelp("The day to report on and record (YYYY-MM-DD; default: today, UTC).", valueName: "day"))
    var today: String?

    @Option(help: ArgumentHelp("The SQLite trace (default .panelproc/trace.sqlite beside each chapter).", valueName: "file"))
    var trace: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let today, CalendarDay(today) == nil { throw ValidationError("--today should be a date like 2027-02-15, got \(today).") }
        try common.validate()
    }

    func run() async throws {
        let paths = self.paths.isEmpty ? ["."] : self.paths
        var flags = FlagSettings()
        flags.trace = trace
        var settings = try common.resolveSettings(near: paths.first.map { ($0 as NSString).appendingPathComponent("x") }, flags: flags)
        settings.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }
        let day = today.flatMap(CalendarDay.init) ?? CalendarDay(Date())
        let status: ProductionStatus
        do throws(StatusFailure) {
            status = try await StatusRun(settings: settings, today: day).run(paths)
        } catch {
            switch error {
            case .input(let errors):
                for error in errors { Console.report(error) }
                throw ExitStatus.badInput.exitCode
            case .trace(let message):
                Console.error("error: \(message)")
                throw ExitStatus.runFailed.exitCode
            }
        }
        let colour = isatty(STDOUT_FILENO) == 1 && (ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty
        let output = json ? status.json.serialized() : status.text(colour: colour)
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(output.utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
