import ArgumentParser
import Foundation
import PanelKit

/// `panelproc continuity FILE…`: the continuity checker over one or several chapters.
struct ContinuityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "continuity",
        abstract: "Check chapters for continuity errors: colours, times of day, places, exits.",
        discussion: """
            Runs the rules (visual, timeline, location, presence) over the chapters in chapter \
            order, carrying each character's state forward; with continuity.model: true in \
            panelproc.yml the text provider also reads each chapter. Alerts are printed on \
            stderr as file:line:col warnings; alerts listed in continuity.yml beside the \
            chapters are silenced. Every run of panelproc also writes \
            generated/<chapter>/continuity.json.

            Examples:
              panelproc continuity ch1.md ch2.md ch3.md       all three, in chapter order
              panelproc continuity --all chapter.md           also the silenced alerts
              panelproc continuity --json chapter.md          the alerts as JSON on stdout
              panelproc continuity chapter.md --accept 3f9c0a1b2c4d --note "on purpose"
              panelproc continuity --strict-continuity *.md   exit 1 on a high alert
              panelproc continuity --model-pass --provider openai ch.md   ask a model too

            Exit status: 0 (also with alerts), 1 with --strict-continuity and an open alert \
            of severity high or critical, 2 bad input, 3 a file or the model failed.
            """)

    @Argument(help: ArgumentHelp("Chapter Markdown files.", valueName: "file"))
    var files: [String]

    @Flag(help: "Also show the alerts silenced in continuity.yml.")
    var all = false

    @Flag(help: "Print the reports as JSON (one object, or an array for several files).")
    var json = false

    @Option(help: ArgumentHelp("Record this alert as intentional in continuity.yml.", valueName: "id"))
    var accept: String?

    @Option(help: ArgumentHelp("Record this alert as dismissed in continuity.yml.", valueName: "id"))
    var dismiss: String?

    @Option(help: ArgumentHelp("The note recorded with --accept or --dismiss.", valueName: "text"))
    var note: String?

    @Flag(name: .customLong("strict-continuity"), help: "Exit 1 on any open alert of severity high or above.")
    var strictContinuity = false

    @Flag(name: .customLong("model-pass"), help: "Also ask the text provider (as continuity.model: true does).")
    var modelPass = false

    @Option(name: .customLong("provider"), help: ArgumentHelp("Text provider for the model pass: offline (default) or openai.", valueName: "name"))
    var textProvider: RunSettings.TextProviderKind?

    @Option(name: .customLong("model"), help: ArgumentHelp("Text model for the openai provider.", valueName: "name"))
    var model: String?

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if files.isEmpty { throw ValidationError("name at least one chapter file.") }
        if accept != nil && dismiss != nil { throw ValidationError("give --accept or --dismiss, not both.") }
        if note != nil && accept == nil && dismiss == nil { throw ValidationError("--note goes with --accept ID or --dismiss ID.") }
        try common.validate()
    }

    func run() async throws {
        var flags = FlagSettings()
        flags.strictContinuity = strictContinuity
        flags.textProvider = textProvider
        flags.model = model
        flags.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        var settings = try common.resolveSettings(near: files.first, flags: flags)
        if modelPass { settings.continuity.model = true }
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }
        let parse = ParsePhase(settings: settings)
        var inputs: [ContinuityPass.Input] = []
        var databases: [String: CharacterDatabase] = [:]
        var failed = false
        for path in files {
            do {
                let prepared = try parse.prepare(try InputDocument.read(path), databases: &databases)
                for diagnostic in prepared.chapter.diagnostics { Console.report(diagnostic, verbose: common.verbose) }
                inputs.append(ContinuityPass.Input(chapter: prepared.chapter, database: prepared.characters,
                                                   decisions: ContinuityDecisions.path(besideChapter: path)))
            } catch {
                Console.report(error)
                failed = true
            }
        }
        if failed { throw ExitStatus.badInput.exitCode }

        let folder = (FileIO.absolute(files[0]) as NSString).deletingLastPathComponent
        let trace = settings.trace ?? (folder as NSString).appendingPathComponent(".panelproc/trace.sqlite")
        let reports: [ContinuityReport]
        do throws(RunFailure) {
            reports = try await ContinuityPass(settings: settings).run(inputs, tracePath: trace, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.error("error: \(error)")
            if case .input = error { throw ExitStatus.badInput.exitCode }
            throw ExitStatus.runFailed.exitCode
        }

        if let id = accept ?? dismiss {
            try record(id, list: accept != nil ? "intentional" : "dismissed", reports: reports, inputs: inputs)
            return
        }
        ContinuityConsole.print(reports, all: all, verbose: common.verbose)
        if json {
            let output = (reports.count == 1 ? reports[0].json : .array(reports.map(\.json))).serialized()
            do {
                try FileHandle.standardOutput.write(contentsOf: Data(output.utf8))
            } catch {
                Console.error("error: cannot write to standard output: \(error.localizedDescription)")
                throw ExitStatus.runFailed.exitCode
            }
        }
        if settings.continuity.strict, reports.contains(where: { !$0.blockingAlerts.isEmpty }) { throw ExitStatus.panelsFailed.exitCode }
    }

    /// Adds the alert `id` (or a unique prefix of it) to the continuity.yml beside its chapter.
    func record(_ id: String, list: String, reports: [ContinuityReport], inputs: [ContinuityPass.Input]) throws {
        let wanted = id.lowercased()
        var matches: [(alert: ContinuityAlert, chapter: Int)] = []
        for (index, report) in reports.enumerated() {
            for alert in report.alerts where alert.id.hasPrefix(wanted) && wanted.count >= 6 { matches.append((alert, index)) }
        }
        guard matches.count == 1, let (alert, chapter) = matches.first, let path = inputs[chapter].decisions else {
            let why = matches.isEmpty ? "no alert of these chapters has the id \(id)" : "\(id) matches \(matches.count) alerts; give more digits"
            Console.error("error: \(why) (panelproc continuity --all \(files.joined(separator: " ")) lists them)")
            throw ExitStatus.badInput.exitCode
        }
        if alert.status != .open {
            Console.write("continuity: \(alert.id) is already \(alert.status.rawValue) in \(path)")
            return
        }
        do {
            try ContinuityDecisions.record(alert.id, note: note, list: list, path: path)
            // What was written must read back: a broken file would silence nothing.
            _ = try ContinuityDecisions.load(path: path)
        } catch {
            Console.error("error: \(error)")
            throw ExitStatus.runFailed.exitCode
        }
        Console.write("continuity: recorded \(alert.id) as \(list) in \(path)")
    }
}

/// Alerts compiler-style on stderr, then one summary line.
enum ContinuityConsole {
    static func print(_ reports: [ContinuityReport], all: Bool, verbose: Bool) {
        var open = 0, decided = 0
        for report in reports {
            for alert in report.alerts {
                if alert.isOpen { open += 1 } else { decided += 1 }
                if alert.isOpen || all { Console.report(alert.diagnostic, verbose: true) }
            }
        }
        let chapters = reports.count == 1 ? "1 chapter" : "\(reports.count) chapters"
        var line = "continuity: \(open) open alert\(open == 1 ? "" : "s") in \(chapters)"
        if decided > 0 { line += "; \(decided) decided in continuity.yml" + (all ? "" : " (--all shows them)") }
        Console.write(line)
    }
}
