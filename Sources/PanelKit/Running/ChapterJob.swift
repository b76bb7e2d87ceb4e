import Foundation

/// What one chapter run produced: the Markdown to write back and the files written beside it.
public struct ChapterResult: Sendable {
    public var input: InputDocument
    public var chapter: Chapter
    /// The document with its image lines spliced in (the input bytes when nothing changed).
    public var markdown: [UInt8]
    /// Files written, for the summary.
    public var written: [String]
    public var diagnostics: [Diagnostic]

    public var markdownChanged: Bool { markdown != input.source.bytes }
}

/// Runs one chapter from parsed input to outputs. The core below it takes and returns values;
/// this is the edge that touches the file system.
public struct ChapterJob: Sendable {
    public struct Options: Sendable {
        /// Write `generated/<slug>/chapter.json`.
        public var writeJSON = false
        /// `--max-bubbles`: wins over front matter and configuration.
        public var maxBubblesOverride: Int?
        public init() {}
    }

    public var configuration: Configuration
    public var options: Options

    public init(configuration: Configuration, options: Options) {
        self.configuration = configuration
        self.options = options
    }

    public var parser: ChapterParser {
        var parserOptions = ChapterParser.Options()
        parserOptions.defaultMaxBubbles = configuration.maxBubbles ?? 3
        parserOptions.maxBubblesOverride = options.maxBubblesOverride
        return ChapterParser(options: parserOptions)
    }

    /// Parses without writing anything: input errors surface before any output exists.
    public func parse(_ input: InputDocument) throws(InputError) -> Chapter {
        try parser.parse(input.source, file: input.displayName, fileName: input.fileName)
    }

    /// `<output root>/<chapter-slug>`: `generated/` beside the Markdown file unless configured.
    public func chapterDirectory(for input: InputDocument, chapter: Chapter) -> String {
        let root = configuration.outputDirectory ?? (input.folder as NSString).appendingPathComponent("generated")
        return (root as NSString).appendingPathComponent(chapter.slug)
    }

    public func run(_ input: InputDocument, chapter: Chapter) throws(FileIO.WriteError) -> ChapterResult {
        var written: [String] = []
        if options.writeJSON {
            let path = (chapterDirectory(for: input, chapter: chapter) as NSString).appendingPathComponent("chapter.json")
            let json = ChapterExport.json(for: chapter, sourcePath: input.fileName)
            try FileIO.writeAtomically(Array(json.serialized().utf8), to: path)
            written.append(path)
        }
        // Image links arrive with the image stage; until then every existing line stays as written.
        let links: [String: ImageLink] = [:]
        let markdown = Splicer.splice(chapter, links: links)
        return ChapterResult(input: input, chapter: chapter, markdown: markdown, written: written,
                             diagnostics: chapter.diagnostics)
    }
}
