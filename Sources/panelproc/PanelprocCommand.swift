import ArgumentParser
import Foundation
import PanelKit

/// `panelproc [FILE…]`: the main job. Reads chapters, writes the processed Markdown.
struct PanelprocCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panelproc",
        abstract: "Turn comic chapters written in Markdown into panels, images and a JSON export.",
        discussion: """
            Reads a chapter (a file, or standard input), finds its pages and panels, and writes the \
            Markdown back with an image line under each panel. Nothing else in the file changes.

            Examples:
              panelproc chapter.md > out.md          processed Markdown on stdout
              cat chapter.md | panelproc > out.md    filter: stdin to stdout
              panelproc -i one.md two.md             rewrite the files in place, atomically
              panelproc --json chapter.md            also write generated/<chapter>/chapter.json
              panelproc inspect chapter.md           the parsed panels as JSON

            Subcommands (see `panelproc inspect --help`):
              inspect    print a chapter's parsed panels as JSON

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

    @OptionGroup var common: CommonOptions

    func validate() throws {
        if files.count > 1 && !inPlace {
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
        // Read and parse everything before writing anything: a bad input stops the run with
        // nothing written anywhere.
        var jobs: [(InputDocument, Chapter)] = []
        var failed = false
        let configuration = try common.loadConfiguration(near: paths.first ?? nil)
        for diagnostic in configuration.warnings { Console.report(diagnostic, verbose: common.verbose) }
        var options = ChapterJob.Options()
        options.writeJSON = json
        options.maxBubblesOverride = common.maxBubbles
        let job = ChapterJob(configuration: configuration, options: options)
        for path in paths {
            do {
                let input = try InputDocument.read(path)
                jobs.append((input, try job.parse(input)))
            } catch {
                Console.report(error)
                failed = true
            }
        }
        if failed { throw ExitStatus.badInput.exitCode }

        let started = Date()
        for (input, chapter) in jobs {
            let result: ChapterResult
            do {
                result = try job.run(input, chapter: chapter)
            } catch {
                Console.error(error.description)
                throw ExitStatus.runFailed.exitCode
            }
            for diagnostic in result.diagnostics { Console.report(diagnostic, verbose: common.verbose) }
            if inPlace, let path = input.path {
                if result.markdownChanged {
                    do { try FileIO.writeAtomically(result.markdown, to: path) } catch {
                        Console.error(error.description)
                        throw ExitStatus.runFailed.exitCode
                    }
                }
            } else {
                FileHandle.standardOutput.write(Data(result.markdown))
            }
            Console.write(Summary.line(for: result, elapsed: Date().timeIntervalSince(started)))
        }
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

    @Flag(name: [.short, .long], help: "Also print notes, such as front matter keys panelproc ignores.")
    var verbose = false

    func validate() throws {
        if let maxBubbles, !(1...20).contains(maxBubbles) {
            throw ValidationError("--max-bubbles must be from 1 to 20, got \(maxBubbles).")
        }
    }

    /// panelproc.yml (from --config, or found from the first input's folder up), then the
    /// environment, then these flags.
    func loadConfiguration(near path: String?) throws -> Configuration {
        let cwd = FileManager.default.currentDirectoryPath
        let start = path.map { (Configuration.absolute($0, from: cwd) as NSString).deletingLastPathComponent } ?? cwd
        let file = config ?? Configuration.find(from: start)
        var configuration: Configuration
        do {
            configuration = try Configuration.load(file: file, environment: ProcessInfo.processInfo.environment)
        } catch {
            Console.report(error)
            throw ExitStatus.badInput.exitCode
        }
        if let outputDirectory { configuration.outputDirectory = Configuration.absolute(outputDirectory, from: cwd) }
        return configuration
    }
}
