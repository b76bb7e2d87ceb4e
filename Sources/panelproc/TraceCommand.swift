import ArgumentParser
import Foundation
import PanelKit

/// `panelproc trace`: reads the SQLite trace, for people.
struct TraceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Show runs, one panel's model calls, or the panels that failed.",
        discussion: """
            Reads .panelproc/trace.sqlite in the working folder or the nearest parent that has one.
            The same data is plain SQLite: sqlite3 .panelproc/trace.sqlite 'select stage, status from calls'.

            Examples:
              panelproc trace                                  the latest runs
              panelproc trace --panel 01-paper-and-promises/p02-02
              panelproc trace --failed                         failed panels and why
              panelproc trace --failed --run 3
              panelproc trace prune --keep-runs 5             drop older runs' rows
            """,
        subcommands: [TracePruneCommand.self])

    @Option(help: ArgumentHelp("One panel's calls, by full id (`<chapter-slug>/p01-02`).", valueName: "id"))
    var panel: String?

    @Flag(help: "List failed panels with their blocker reasons.")
    var failed = false

    @Option(help: ArgumentHelp("Only this run (default: all runs for --panel, the latest state for --failed).", valueName: "id"))
    var run: Int64?

    @Option(help: ArgumentHelp("How many runs to list (default 10).", valueName: "n"))
    var limit = 10

    @Flag(help: "Print prompts and responses in full instead of shortened.")
    var full = false

    @OptionGroup var file: TraceFileOption

    func validate() throws {
        if panel != nil && failed { throw ValidationError("use either --panel or --failed, not both.") }
        if limit < 1 { throw ValidationError("--limit must be at least 1.") }
    }

    func run() async throws {
        let path = try Self.existingTrace(file.db)
        do {
            let store = try TraceStore(path: path)
            if let panel {
                try await printCalls(store, panel: panel)
            } else if failed {
                try await printFailed(store)
            } else {
                try await printRuns(store)
            }
        } catch let error as TraceError {
            Console.error(error.description)
            throw ExitStatus.runFailed.exitCode
        }
    }

    /// `--db`, or the trace found from the working folder up; exit 2 when there is none.
    static func existingTrace(_ db: String?) throws -> String {
        guard let path = db ?? Self.findTrace() else {
            Console.error("error: no trace found: .panelproc/trace.sqlite is not in this folder or any parent (run panelproc on a chapter first, or pass --db)")
            throw ExitStatus.badInput.exitCode
        }
        guard FileManager.default.fileExists(atPath: path) else {
            Console.error("\(path): error: no such trace file")
            throw ExitStatus.badInput.exitCode
        }
        return path
    }

    static func findTrace() -> String? {
        var folder = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL
        while true {
            let candidate = folder.appendingPathComponent(".panelproc/trace.sqlite").path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = folder.deletingLastPathComponent()
            if parent.path == folder.path { return nil }
            folder = parent
        }
    }

    private func printRuns(_ store: TraceStore) async throws {
        let runs = try await store.runs(limit: limit)
        if runs.isEmpty { print("no runs recorded yet"); return }
        print("run  started               status    passed failed forced skipped  calls made/cached  command")
        for run in runs {
            print(String(format: "%-4lld %@  %-9@ %6d %6d %6d %7d  %10d/%-6d  %@", run.id, Self.format(run.startedAt) as NSString,
                         run.status as NSString, run.passed, run.failed, run.forced, run.skipped, run.callsMade, run.callsCached,
                         run.command as NSString))
        }
    }

    private func printCalls(_ store: TraceStore, panel: String) async throws {
        let calls = try await store.calls(panelID: panel, runID: run)
        if calls.isEmpty {
            let hint = panel.contains("/") ? "" : " (use the full id, <chapter-slug>/\(panel))"
            print("no calls recorded for panel \(panel)\(hint)")
            return
        }
        for call in calls {
            let record = call.record
            var header = "#\(call.id) run \(record.runID) \(record.stage) [\(record.promptName) v\(record.promptVersion)] \(record.status.rawValue)"
            if let from = call.cachedFrom { header += " from #\(from)" }
            if let latency = record.latencyMS { header += String(format: " %.1f ms", latency) }
            header += " \(record.provider)/\(record.model)"
            if let tokensIn = record.tokensIn, let tokensOut = record.tokensOut { header += " tokens \(tokensIn)+\(tokensOut)" }
            print(header)
            if record.status == .cached, let from = call.cachedFrom, record.request.isEmpty {
                print("  (the same request and answer as #\(from))")
                continue
            }
            let request = (try? JSONValue.parse(record.request)).flatMap { $0["user"]?.string } ?? record.request
            print("  prompt:   " + shorten(request).replacingOccurrences(of: "\n", with: "\n            "))
            if let response = record.response { print("  response: " + shorten(response)) }
            if let error = record.error { print("  error:    " + error) }
        }
    }

    private func printFailed(_ store: TraceStore) async throws {
        let panels = try await store.failedPanels(runID: run)
        if panels.isEmpty { print("no failed panels"); return }
        for state in panels {
            print("\(state.panelID) (run \(state.runID)): \(state.status)")
            for reason in state.reasons { print("  - \(reason)") }
        }
    }

    private func shorten(_ text: String) -> String {
        guard !full, text.count > 400 else { return text }
        return String(text.prefix(400)) + "… (\(text.count) characters; --full shows all)"
    }

    static func format(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}

/// `--db`, shared by `trace` and `trace prune` (given before or after `prune`).
struct TraceFileOption: ParsableArguments {
    @Option(help: ArgumentHelp("The trace file (default: found from the working folder up).", valueName: "file"))
    var db: String?
}
