import ArgumentParser
import Foundation
import PanelKit

/// `panelproc batch collect`: the answers of finished batches into the trace.
struct BatchCollectCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "collect",
        abstract: "Store the answers of finished batches in the trace (at the batch price); errors and expired requests stay uncached.",
        discussion: "Idempotent: run it as often as you like; a killed collect loses nothing.")

    @Argument(help: ArgumentHelp("A chapter file, to find its trace and settings (optional).", valueName: "file"))
    var files: [String] = []

    @OptionGroup var options: BatchTraceOptions
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.resolveSettings(near: files.first, flags: options.flags)
        let job = try BatchCommands.job(settings)
        let report: BatchJob.CollectReport
        do throws(BatchFailure) {
            report = try await job.collect(tracePath: options.tracePath(near: files.first))
        } catch {
            throw BatchCommands.fail(error)
        }
        try BatchCommands.output(report.text)
    }
}
