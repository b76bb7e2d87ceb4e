import ArgumentParser
import Foundation
import PanelKit

/// `panelproc batch status`: each batch's state and request counts, from the provider.
struct BatchStatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show each batch's state (validating, in_progress, finalizing, completed, failed, expired, cancelling, cancelled) and counts.")

    @Argument(help: ArgumentHelp("A chapter file, to find its trace and settings (optional).", valueName: "file"))
    var files: [String] = []

    @Flag(help: "Also list batches already collected (marked *).")
    var all = false

    @OptionGroup var options: BatchTraceOptions
    @OptionGroup var common: CommonOptions

    func run() async throws {
        let settings = try common.resolveSettings(near: files.first, flags: options.flags)
        let job = try BatchCommands.job(settings)
        let batches: [BatchRecord]
        do throws(BatchFailure) {
            batches = try await job.status(tracePath: options.tracePath(near: files.first), all: all)
        } catch {
            throw BatchCommands.fail(error)
        }
        try BatchCommands.output(BatchJob.statusText(batches))
    }
}
