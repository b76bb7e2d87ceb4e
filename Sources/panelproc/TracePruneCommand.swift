import ArgumentParser
import Foundation
import PanelKit

/// `panelproc trace prune`: drops old runs' rows, keeping every answer the cache still needs.
struct TracePruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove old runs from the trace without losing an answer the cache still needs.",
        discussion: """
            Keeps the newest runs whole, and from older runs every answer that the panels' latest
            results point at, so a rerun over unchanged chapters still makes no call. Then compacts
            the file.

            Examples:
              panelproc trace prune                 keep the last 10 runs
              panelproc trace prune --keep-runs 1   keep only the latest run
            """)

    @Option(name: .customLong("keep-runs"), help: ArgumentHelp("Runs to keep whole (default 10).", valueName: "n"))
    var keepRuns = 10

    @OptionGroup var file: TraceFileOption

    func validate() throws {
        if keepRuns < 1 { throw ValidationError("--keep-runs must be at least 1, got \(keepRuns).") }
    }

    func run() async throws {
        let path = try TraceCommand.existingTrace(file.db)
        do {
            let report = try await TraceStore(path: path).prune(keepRuns: keepRuns)
            Console.write("panelproc: trace prune: removed \(report.runsRemoved) run\(report.runsRemoved == 1 ? "" : "s"), "
                          + "\(report.callsRemoved) call\(report.callsRemoved == 1 ? "" : "s") and \(report.panelResultsRemoved) stored panel result"
                          + "\(report.panelResultsRemoved == 1 ? "" : "s"); \(report.bytesBefore / 1024) KiB → \(report.bytesAfter / 1024) KiB")
        } catch {
            // TraceStore throws only TraceError (typed throws).
            Console.error(error.description)
            throw ExitStatus.runFailed.exitCode
        }
    }
}
