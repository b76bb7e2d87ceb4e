import ArgumentParser
import Foundation
import PanelKit

/// `panelproc draft "a premise" -o ch.md`: grows a premise into a chapter through a resumable
/// step DAG (lore, cast, narrative, scenes, pages), saved step by step in `ch.draft/`.
struct DraftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "draft",
        abstract: "Draft a chapter from a premise: lore, cast, narrative, scenes, pages, each step saved and resumable.",
        discussion: """
            Writes the chapter (front matter, ## Page, ### Panel, fields, dialogue) and proposes \
            its new characters in proposed.json beside the character database (existing entries \
            are never changed; a character the database already knows is reused by name or \
            alias). Each step is saved in <chapter>.draft/ as it finishes: run the same command \
            again to continue after a failure or a kill. Without --provider the built-in offline \
            engine writes an honest scaffold: beats stated, dialogue marked TODO.

            Steps: lore (3 options) → cast → narrative (3 options) → scenes → pages.

            Examples:
              panelproc draft "Mira must save the lighthouse" --pages 4 -o ch.md
              panelproc draft -o ch.md                    continue the draft
              panelproc draft --choose narrative 2 ch.md  scenes, pages stale
              panelproc draft --dry-run -o ch.md          states and calls
              panelproc draft "…" -o ch.md --provider openai --model local
                  --base-url http://127.0.0.1:8080/v1    (e.g. llama-server)

            Exit statuses: 0 written; 1 written, but panelproc would warn about it; 2 bad input; \
            3 a step or a write failed (the steps before it are saved).
            """)

    @Argument(help: ArgumentHelp("The premise (omit it to continue the saved draft). With --choose: the option number, then the chapter file.",
                                 valueName: "premise"))
    var arguments: [String] = []

    @Option(name: [.short, .customLong("output")], help: ArgumentHelp("The chapter Markdown to write; the state goes in <name>.draft/ beside it.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("The chapter's title (default: from the file name).", valueName: "title"))
    var title: String?

    @Option(help: ArgumentHelp("How many pages (1-30, default 4).", valueName: "n"))
    var pages: Int?

    @Option(help: ArgumentHelp("Who the chapter is for (front matter `audience`).", valueName: "text"))
    var audience: String?

    @Option(help: ArgumentHelp("The chapter's tone (front matter `tone`).", valueName: "text"))
    var tone: String?

    @Option(name: .customLong("teaching-point"), help: ArgumentHelp("What the chapter should teach, if anything.", valueName: "text"))
    var teachingPoint: String?

    @Option(help: ArgumentHelp("Pick option N of STEP (lore or narrative): `--choose narrative 2 ch.md`. The steps that read it become stale.",
                               valueName: "step"))
    var choose: String?

    @Flag(name: .customLong("dry-run"), help: "List the steps, their state (done, stale, to do) and the calls a run would make; nothing is called or written.")
    var dryRun = false

    @Option(name: .customLong("provider"), help: ArgumentHelp("Text provider: offline (default) or openai (any OpenAI-compatible server).", valueName: "provider"))
    var provider: RunSettings.TextProviderKind?

    @Option(name: .customLong("model"), help: ArgumentHelp("Text model for the openai provider.", valueName: "name"))
    var model: String?

    @Option(name: .customLong("base-url"), help: ArgumentHelp("The server's /v1 URL for --provider openai (default: OPENAI_BASE_URL, openai_base_url, or the OpenAI API).", valueName: "url"))
    var baseURL: String?

    @Option(help: ArgumentHelp("The SQLite trace and cache (default .panelproc/trace.sqlite beside the chapter).", valueName: "file"))
    var trace: String?

    @Flag(help: "Replace the chapter even when it was edited since the draft wrote it.")
    var overwrite = false

    @Flag(name: .customLong("no-cache"), help: "Ask the provider even when the trace already holds the answer.")
    var noCache = false

    @OptionGroup var common: CommonOptions

    var chapterFile: String? { choose != nil ? (arguments.count >= 2 ? arguments[1] : output) : output }

    func validate() throws {
        if let pages, !DraftRequest.pageRange.contains(pages) { throw ValidationError("--pages must be from 1 to 30, got \(pages).") }
        if choose != nil {
            guard let number = arguments.first, Int(number) != nil else {
                throw ValidationError("--choose takes a step and an option number: panelproc draft --choose narrative 2 ch.md")
            }
            if arguments.count > 2 { throw ValidationError("--choose takes a step, an option number and the chapter file; found \(arguments.count) arguments.") }
        } else if arguments.count > 1 {
            throw ValidationError("give the premise as one argument, in quotes: panelproc draft \"a premise\" -o ch.md")
        }
        if chapterFile == nil { throw ValidationError("name the chapter to write: -o ch.md") }
        try common.validate()
    }

    func run() async throws {
        let path = chapterFile!
        var flags = FlagSettings()
        flags.textProvider = provider
        flags.model = model
        flags.noCache = noCache
        flags.trace = trace
        flags.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var settings = try common.resolveSettings(near: path, flags: flags)
        if let baseURL { settings.openAIBaseURL = baseURL }
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }
        let runner = DraftRunner(settings: settings, chapterPath: path, overwrite: overwrite)
        let environment = ProcessInfo.processInfo.environment

        if let choose {
            let (stale, after) = try Self.attempt { () throws(RunFailure) in try runner.choose(step: choose, option: Int(arguments[0])!) }
            Console.write("panelproc draft: \(choose) now takes option \(arguments[0]); "
                          + (stale.isEmpty ? "no step became stale" : "stale: \(stale.joined(separator: ", "))")
                          + ". Run `panelproc draft -o \(path)` to redo them.")
            try emit(Self.table(after, folder: runner.stateFolder))
            return
        }
        let request = try Self.attempt { () throws(RunFailure) in try makeRequest(runner) }
        if dryRun {
            let statuses = try await Self.attempt { () async throws(RunFailure) in try await runner.plan(request, environment: environment) }
            try emit(Self.table(statuses, folder: runner.stateFolder))
            let calls = statuses.reduce(0) { $0 + ($1.calls ?? 0) - $1.cachedCalls }, cached = statuses.reduce(0) { $0 + $1.cachedCalls }
            Console.write("panelproc draft: dry run: \(calls) call\(calls == 1 ? "" : "s") to make, \(cached) answered from the cache; nothing was called or written")
            return
        }
        let result = try await Self.attempt { () async throws(RunFailure) in
            try await runner.run(request, environment: environment) { line in Console.write("draft: " + line) }
        }
        for note in result.notes { Console.write("note: " + note) }
        for warning in result.warnings { Console.write(warning) }
        var summary = "panelproc draft: wrote \(result.chapterPath) (\(result.pages) page\(result.pages == 1 ? "" : "s"), \(result.panels) panel\(result.panels == 1 ? "" : "s")); "
        summary += "\(result.stepsRun.count) step\(result.stepsRun.count == 1 ? "" : "s") run, \(result.callsMade) call\(result.callsMade == 1 ? "" : "s") made, \(result.callsCached) cached"
        if !result.reused.isEmpty { summary += "; reused: \(result.reused.joined(separator: ", "))" }
        if let proposed = result.proposedPath {
            summary += "; proposed characters in \(proposed)"
            summary += result.proposedAdded.isEmpty ? " (already there)" : " (added: \(result.proposedAdded.joined(separator: ", ")))"
        }
        Console.write(summary)
        if !result.warnings.isEmpty { throw ExitStatus.panelsFailed.exitCode }
    }

    /// Runs `body`, mapping a failure to its message and exit status (2 input, 3 run or write).
    private static func attempt<T>(_ body: () async throws(RunFailure) -> T) async throws -> T {
        do throws(RunFailure) {
            return try await body()
        } catch {
            Console.error(error.description.contains("error:") ? error.description : "error: \(error)")
            if case .input = error { throw ExitStatus.badInput.exitCode }
            throw ExitStatus.runFailed.exitCode
        }
    }

    private static func attempt<T>(_ body: () throws(RunFailure) -> T) throws -> T {
        do throws(RunFailure) {
            return try body()
        } catch {
            Console.error(error.description.contains("error:") ? error.description : "error: \(error)")
            if case .input = error { throw ExitStatus.badInput.exitCode }
            throw ExitStatus.runFailed.exitCode
        }
    }

    /// The saved request with the flags given applied; a premise starts a new one.
    private func makeRequest(_ runner: DraftRunner) throws(RunFailure) -> DraftRequest {
        // Without a premise the saved request is the draft (its absence is the error to report).
        let saved = arguments.isEmpty ? try runner.request(nil) : try? runner.request(nil)
        let premise = arguments.first ?? saved?.premise ?? ""
        let stem = ((runner.chapterPath as NSString).lastPathComponent as NSString).deletingPathExtension
        let fallbackTitle = stem.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " }).map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
        return DraftRequest(premise: premise, title: title ?? saved?.title ?? fallbackTitle, pages: pages ?? saved?.pages ?? 4,
                            audience: audience ?? saved?.audience ?? "", tone: tone ?? saved?.tone ?? "",
                            teachingPoint: teachingPoint ?? saved?.teachingPoint ?? "")
    }

    /// One line per step: id, state, the choice, the call.
    static func table(_ statuses: [DraftRunner.StepStatus], folder: String) -> String {
        var out = "state: \(folder)\n"
        for status in statuses {
            var line = status.step.id.padding(toLength: 11, withPad: " ", startingAt: 0) + status.state.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0)
            if let choice = status.choice, let count = status.optionCount { line += "  option \(choice) of \(count)" }
            if status.state != .done, let calls = status.calls {
                let toMake = calls - status.cachedCalls
                line += "  \(toMake) call\(toMake == 1 ? "" : "s")"
                if status.cachedCalls > 0 { line += ", \(status.cachedCalls) from the cache" }
                line += " (\(status.step.promptName))"
            }
            out += line + "\n"
            for (index, label) in status.optionLabels.enumerated() {
                out += "             \(index + 1 == status.choice ? "*" : " ") \(index + 1). \(label)\n"
            }
        }
        return out
    }

    private func emit(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            Console.error("error: cannot write to standard output: \(error.localizedDescription)")
            throw ExitStatus.runFailed.exitCode
        }
    }
}
