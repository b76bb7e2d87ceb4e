import ArgumentParser
import Foundation
import PanelKit

/// `panelproc batch submit FILE…`: every uncached text request of these chapters into batches.
struct BatchSubmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "submit",
        abstract: "Send every text request not cached and not already pending as a batch; print the batch ids.",
        discussion: """
            In stage mode only requests whose inputs are known can go: the first stage level, then \
            the next on a later submit (after collect). In fused mode (call_mode: fused) a whole \
            book goes in one round. Files are split at 50,000 requests or 200 MB, one model each.
            """)

    @Argument(help: ArgumentHelp("Chapter files.", valueName: "file"))
    var files: [String]

    @Option(name: .customLong("max-requests"), help: ArgumentHelp("Most requests per batch file (1-50000; default 50000).", valueName: "n"))
    var maxRequests = 50_000

    @OptionGroup var options: BatchTraceOptions
    @OptionGroup var common: CommonOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name the chapter files to submit.") }
        if !(1...50_000).contains(maxRequests) { throw ValidationError("--max-requests must be from 1 to 50000, got \(maxRequests).") }
        try common.validate()
    }

    func run() async throws {
        let settings = try common.resolveSettings(near: files.first, flags: options.flags)
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }
        let parse = ParsePhase(settings: settings)
        let prepared = try ChapterInputs.prepare(files, with: parse)
        let job = try BatchCommands.job(settings)
        let report: BatchJob.SubmitReport
        do throws(BatchFailure) {
            report = try await job.submit(prepared, maxRequests: maxRequests)
        } catch {
            throw BatchCommands.fail(error)
        }
        Console.write(report.text.trimmingCharacters(in: .newlines))
        try BatchCommands.output(report.batches.map { $0.id + "\n" }.joined())
    }
}
