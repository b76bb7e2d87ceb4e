import ArgumentParser
import Foundation
import PanelKit

/// `panelproc [FILE…]`: the main job. Reads chapters, writes the processed Markdown.
struct PanelprocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Turn comic chapters written in Markdown into panels, images and a JSON export.",
        discussion: """
            Reads a chapter (a file, or standard input), finds its pages and panels, and writes the \
            Markdown back with an image line under each panel. Nothing else in the file changes.

            `run` is the default subcommand: `panelproc chapter.md` is `panelproc run chapter.md`.

            Examples:
              panelproc chapter.md > out.md          processed Markdown on stdout
              cat chapter.md | panelproc > out.md    filter: stdin to stdout
              panelproc -i one.md two.md             rewrite the files in place, atomically
              panelproc --json chapter.md            also generated/<chapter>/chapter.json
              panelproc --no-gallery chapter.md      no gallery, page PNGs or PDF
              panelproc --force chapter.md           failed panels continue, marked forced
              panelproc --no-cache chapter.md        ask the model again, even if answered
              panelproc --provider openai --model gpt-4o-mini chapter.md
                                                     an OpenAI-compatible server
                                                     (OPENAI_BASE_URL, OPENAI_API_KEY)
              panelproc inspect chapter.md           the parsed panels as JSON
              panelproc trace --failed               the last run's failed panels and why

            Every panel goes through the stages theme, roles, rewrite, role validation, image \
            prompt, bubbles and checklist, all panels at once. Without a model endpoint the built-in \
            offline engine answers. Every call is traced in .panelproc/trace.sqlite beside the \
            chapter, and a request answered before is served from there.

            Configuration: panelproc.yml beside the chapter or in a parent folder, then the \
            PANELPROC_OUTPUT_DIR, PANELPROC_MAX_BUBBLES and PANELPROC_CHARACTERS environment \
            variables, then flags.

            Exit status: 0 success; 1 some panels failed the checklist; 2 bad usage, input or \
            configuration (nothing is written); 3 a provider or I/O failure stopped the run.
            """,
        version: PanelKitVersion.string)

    @Argument(help: ArgumentHelp("Chapter Markdown files. Omit, or use `-`, to read standard input.", valueName: "file"))
    var files: [String] = []

    @Flag(name: [.customShort("i"), .customLong("in-place")],
          help: "Rewrite each file in place (temporary file, fsync, rename; permissions kept). Needed for several files.")
    var inPlace = false

    @Flag(help: "Also write generated/<chapter-slug>/chapter.json beside the Markdown file.")
    var json = false

    @Flag(help: "Let panels that fail the checklist continue downstream; they are marked forced.")
    var force = false

    @Flag(name: .customLong("no-cache"), help: "Ask the provider even when the trace already holds the answer.")
    var noCache = false

    @Option(help: ArgumentHelp("Most model calls in flight at once (default 8).", valueName: "n"))
    var concurrency: Int?

    @Option(help: ArgumentHelp("Most model calls a minute (default: no limit).", valueName: "n"))
    var rpm: Int?

    @Option(help: ArgumentHelp("The SQLite trace and cache (default .panelproc/trace.sqlite beside the chapter).", valueName: "file"))
    var trace: String?

    @Option(name: .customLong("unknown-roles"),
            help: ArgumentHelp("What an unknown role does: reject (a blocker) or propose (also written to characters/proposed.json).",
                               valueName: "policy"))
    var unknownRoles: GateRules.UnknownRolePolicy?

    @Flag(name: .customLong("dry-run"), help: "Print the plan (panels, states, calls, estimated cost) and exit; no provider is called, nothing is written.")
    var dryRun = false

    @Flag(name: .customLong("force-images"), help: "Make every image again, even current ones (never a pinned one).")
    var forceImages = false

    @Option(help: ArgumentHelp("Images per panel, 1-8 (default 1): images/<id>.cN.png, the chosen one as images/<id>.png; see `panelproc pick`.",
                               valueName: "n"))
    var candidates: Int?

    @Flag(name: .customLong("take-over"),
          help: "Write into a generated/<slug>/ folder whose manifest names another Markdown file (that file was renamed to this one).")
    var takeOver = false

    @Flag(name: .customLong("no-gallery"),
          help: "Write no HTML gallery (generated/index.html, generated/<chapter>/index.html), page PNGs or thumbnails.pdf.")
    var noGallery = false

    @Option(name: .customLong("panel"), help: ArgumentHelp("Only this panel gets a new image (repeatable; `p01-03` or a full id).", valueName: "id"))
    var panels: [String] = []

    @Option(name: .customLong("max-cost-usd"), help: ArgumentHelp("Schedule no new work once this many dollars would be passed.", valueName: "usd"))
    var maxCostUSD: Double?

    @Option(name: .customLong("images"), help: ArgumentHelp("Image provider: sketch (offline, default), openai, gemini or none.", valueName: "provider"))
    var imageProvider: RunSettings.ImageProviderKind?

    @Option(name: .customLong("provider"),
            help: ArgumentHelp("Text provider: offline (built in, default) or openai (any OpenAI-compatible chat-completions server; OPENAI_BASE_URL, OPENAI_API_KEY).",
                               valueName: "name"))
    var textProvider: RunSettings.TextProviderKind?

    @Option(name: .customLong("model"), help: ArgumentHelp("Text model for the openai provider (default gpt-4o-mini).", valueName: "name"))
    var model: String?

    @Flag(name: .customLong("strict-continuity"), help: "Exit 1 when the continuity checker has an open alert of severity high or above.")
    var strictContinuity = false

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if let maxCostUSD, maxCostUSD < 0 { throw ValidationError("--max-cost-usd cannot be negative.") }
        if let concurrency, !(1...256).contains(concurrency) {
            throw ValidationError("--concurrency must be from 1 to 256, got \(concurrency).")
        }
        if let rpm, rpm < 1 { throw ValidationError("--rpm must be at least 1, got \(rpm).") }
        if let candidates, !ImageControlSettings.candidateRange.contains(candidates) {
            throw ValidationError("--candidates must be from 1 to 8, got \(candidates).")
        }
        if files.count > 1 && !inPlace && !dryRun {
            throw ValidationError(
                "\(files.count) files given, but stdout can hold only one document. Add -i to rewrite each file in place, or run panelproc once per file.")
        }
        if inPlace && (files.isEmpty || files.contains("-")) {
            throw ValidationError("-i rewrites files in place; standard input has no file to rewrite. Name the files, or drop -i to filter stdin to stdout.")
        }
        try common.validate()
    }

    func run() async throws {
        let paths: [String?] = files.isEmpty ? [nil] : files.map { $0 == "-" ? nil : $0 }
        if paths.contains(where: { $0 == nil }) && isatty(STDIN_FILENO) == 1 {
            throw ValidationError("no input: name a chapter file, or pipe one in (cat chapter.md | panelproc).")
        }
        let started = Date()
        let settings = try common.resolveSettings(near: paths.first ?? nil, flags: flags)
        for diagnostic in settings.warnings { Console.report(diagnostic, verbose: common.verbose) }

        // Read, parse and load every database before writing anything: a bad input stops the run
        // with nothing written anywhere.
        let parse = ParsePhase(settings: settings)
        let prepared = try ChapterInputs.prepare(paths, with: parse)
        if let collision = parse.outputCollision(prepared) {
            Console.report(collision)
            throw ExitStatus.badInput.exitCode
        }
        if common.config == nil, let mismatch = Self.configurationMismatch(paths) {
            Console.error("error: \(mismatch)")
            throw ExitStatus.badInput.exitCode
        }
        for chapter in prepared {
            for diagnostic in chapter.chapter.diagnostics { Console.report(diagnostic, verbose: common.verbose) }
        }

        var pipeline: Pipeline
        do {
            pipeline = try Pipeline(settings: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.report(error)
            throw ExitStatus.badInput.exitCode
        }

        if dryRun {
            let plan: RunPlan
            do throws(RunFailure) {
                plan = try await pipeline.plan(prepared)
            } catch {
                Console.error("error: \(error)")
                if case .input = error { throw ExitStatus.badInput.exitCode }
                throw ExitStatus.runFailed.exitCode
            }
            do {
                try FileHandle.standardOutput.write(contentsOf: Data(plan.text.utf8))
            } catch {
                Console.error("error: cannot write to standard output: \(error.localizedDescription)")
                throw ExitStatus.runFailed.exitCode
            }
            Console.write("panelproc: dry run: \(Summary.count(plan.panels.count, "panel")); \(Summary.count(plan.textCallsToMake, "text call")) and "
                          + "\(Summary.count(plan.imagesToMake, "image")) would be made; "
                          + String(format: "estimated $%.4f; nothing was called or written", plan.estimatedCostUSD))
            return
        }

        let progress = ProgressBar.forStandardError()
        var onPanel: (@Sendable (Int, Int) -> Void)?
        if let progress { onPanel = { done, total in progress.update(done, total) } }
        pipeline.progress = onPanel
        let report: RunReport
        do throws(RunFailure) {
            report = try await pipeline.run(prepared)
        } catch {
            progress?.finish()
            Console.error("error: \(error)")
            if case .input = error { throw ExitStatus.badInput.exitCode }
            throw ExitStatus.runFailed.exitCode
        }
        progress?.finish()

        for result in report.chapters where !inPlace {
            do {
                try FileHandle.standardOutput.write(contentsOf: Data(result.markdown))
            } catch {
                Console.error("error: cannot write the document to standard output: \(error.localizedDescription)")
                throw ExitStatus.runFailed.exitCode
            }
        }
        // Each failed panel at the offending text of the file that was read (all of them with -v).
        let failures = report.chapters.flatMap { chapter in
            chapter.panels.flatMap { $0.failureDiagnostics(file: chapter.input.displayName) }
        }
        let shown = common.verbose ? failures.count : Summary.failuresShown
        for diagnostic in failures.prefix(shown) { Console.report(diagnostic, verbose: common.verbose) }
        if failures.count > shown { Console.write("and \(failures.count - shown) more; panelproc trace --failed") }
        if report.continuity.contains(where: { !$0.alerts.isEmpty }) { ContinuityConsole.print(report.continuity, all: false, verbose: common.verbose) }
        Console.write(Summary.line(for: report, elapsed: Date().timeIntervalSince(started)))
        if common.verbose { Console.write(Summary.timings(report.timings)) }
        if let stopped = report.stopped {
            Console.error("error: the run stopped: \(stopped.message)")
            throw ExitStatus.runFailed.exitCode
        }
        if (report.counts[.failed] ?? 0) > 0 { throw ExitStatus.panelsFailed.exitCode }
        if settings.continuity.strict, report.continuity.contains(where: { !$0.blockingAlerts.isEmpty }) { throw ExitStatus.panelsFailed.exitCode }
    }
}

extension PanelprocCommand {
    /// The flags, as the settings layer on top of the file and the environment.
    var flags: FlagSettings {
        var flags = FlagSettings()
        flags.writeJSON = json
        flags.inPlace = inPlace
        flags.force = force
        flags.noCache = noCache
        flags.forceImages = forceImages
        flags.candidates = candidates
        flags.takeOver = takeOver
        flags.noGallery = noGallery
        flags.onlyPanels = panels
        flags.concurrency = concurrency
        flags.rpm = rpm
        flags.trace = trace
        flags.unknownRoles = unknownRoles
        flags.maxCostUSD = maxCostUSD
        flags.imageProvider = imageProvider
        flags.textProvider = textProvider
        flags.model = model
        flags.strictContinuity = strictContinuity
        flags.command = (["panelproc"] + CommandLine.arguments.dropFirst()).joined(separator: " ")
        return flags
    }

    /// Inputs from folders with different `panelproc.yml` files would run under the first one's
    /// settings; say so instead.
    static func configurationMismatch(_ paths: [String?]) -> String? {
        let cwd = FileManager.default.currentDirectoryPath
        var first: (input: String, config: String?)?
        for path in paths {
            let folder = path.map { (FileIO.absolute($0, from: cwd) as NSString).deletingLastPathComponent } ?? cwd
            let config = RunSettings.find(from: folder)
            guard let earlier = first else {
                first = (path ?? "<stdin>", config)
                continue
            }
            if earlier.config != config {
                return "\(path ?? "<stdin>") uses \(config ?? "no panelproc.yml") but \(earlier.input) uses \(earlier.config ?? "no panelproc.yml"); "
                    + "run panelproc once per book, or pass --config to use one file for all"
            }
        }
        return nil
    }
}

/// Options every command shares.
struct CommonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Read this configuration file instead of looking for panelproc.yml.", valueName: "file"))
    var config: String?

    @Option(name: .customLong("output-dir"),
            help: ArgumentHelp("Folder for generated/<chapter-slug>/ outputs (default: generated beside the Markdown file).", valueName: "dir"))
    var outputDirectory: String?

    @Option(name: .customLong("max-bubbles"), help: ArgumentHelp("Most speech bubbles per panel (1-20; default 3). Wins over front matter.", valueName: "n"))
    var maxBubbles: Int?

    @Flag(name: [.short, .long], help: "Also print notes (such as front matter keys panelproc ignores), every failed panel, and how long each phase took.")
    var verbose = false

    func validate() throws {
        if let maxBubbles, !(1...20).contains(maxBubbles) {
            throw ValidationError("--max-bubbles must be from 1 to 20, got \(maxBubbles).")
        }
    }

    /// panelproc.yml (from --config, or found from the first input's folder up), then the
    /// environment, then the flags: the run's settings, resolved once.
    func resolveSettings(near path: String?, flags: FlagSettings = FlagSettings()) throws -> RunSettings {
        let cwd = FileManager.default.currentDirectoryPath
        let start = path.map { (FileIO.absolute($0, from: cwd) as NSString).deletingLastPathComponent } ?? cwd
        var flags = flags
        flags.outputDirectory = outputDirectory
        flags.maxBubbles = maxBubbles
        do {
            return try RunSettings.resolve(file: config ?? RunSettings.find(from: start), environment: ProcessInfo.processInfo.environment,
                                           flags: flags)
        } catch {
            Console.report(error)
            throw ExitStatus.badInput.exitCode
        }
    }
}

extension GateRules.UnknownRolePolicy: ExpressibleByArgument {}
extension RunSettings.ImageProviderKind: ExpressibleByArgument {}
extension RunSettings.TextProviderKind: ExpressibleByArgument {}
