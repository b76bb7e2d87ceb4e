import ArgumentParser
import Foundation
import PanelKit

/// `panelproc batch submit|status|collect`: the text calls of whole books through a provider's
/// Batch API, at the batch price.
struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Send a book's text calls through the provider's Batch API (half price; call_mode: fused sends a whole book in one round), then collect the answers.",
        discussion: """
            submit plans like --dry-run and sends every text request that is neither cached nor \
            already in a pending batch; status shows each batch's state; collect stores the answers \
            in the trace, so that `panelproc` then runs from the cache. Provider, model, call mode \
            and prices come from the same settings as a run (panelproc.yml, environment, flags).

            Examples:
              panelproc batch submit book/*.md       one round (fused mode: the whole book)
              panelproc batch status                 validating, in_progress, completed, expired, …
              panelproc batch collect                answers into .panelproc/trace.sqlite
              panelproc -i book/*.md                 served from the cache: 0 calls

            Exit status: 0 success; 2 bad input or settings (a provider other than openai); 3 the \
            provider or the trace failed.
            """,
        subcommands: [BatchSubmitCommand.self, BatchStatusCommand.self, BatchCollectCommand.self])
}

/// Where the batch subcommands find the trace: `--trace`, else `.panelproc/trace.sqlite` beside
/// the first file named, else in the current folder.
struct BatchTraceOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The SQLite trace (default .panelproc/trace.sqlite beside the first chapter, or here).", valueName: "file"))
    var trace: String?

    @Option(name: .customLong("provider"), help: ArgumentHelp("Text provider (batches need openai).", valueName: "name"))
    var textProvider: RunSettings.TextProviderKind?

    @Option(name: .customLong("model"), help: ArgumentHelp("Text model (default gpt-4o-mini).", valueName: "name"))
    var model: String?

    var flags: FlagSettings {
        var flags = FlagSettings()
        flags.trace = trace
        flags.textProvider = textProvider
        flags.model = model
        flags.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return flags
    }

    func tracePath(near file: String?) -> String {
        if let trace { return FileIO.absolute(trace, from: FileManager.default.currentDirectoryPath) }
        let cwd = FileManager.default.currentDirectoryPath
        let folder = file.map { (FileIO.absolute($0, from: cwd) as NSString).deletingLastPathComponent } ?? cwd
        return (folder as NSString).appendingPathComponent(".panelproc/trace.sqlite")
    }
}

enum BatchCommands {
    /// The job for these settings; exit 2 when the settings cannot make one.
    static func job(_ settings: RunSettings) throws -> BatchJob {
        do {
            return try BatchJob(settings: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.report(error)
            throw ExitStatus.badInput.exitCode
        }
    }

    static func fail(_ error: BatchFailure) -> ExitCode {
        Console.error("error: \(error)")
        if case .input = error { return ExitStatus.badInput.exitCode }
        return ExitStatus.runFailed.exitCode
    }

    static func output(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
