/// The Markdown with its image lines, rewritten in place under `-i` when it changed. (Without
/// `-i` the command prints `ChapterRecord.markdown` on stdout.)
struct MarkdownOutput: RunOutput {
    var name: String { "markdown" }
    init() {}

    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile] {
        guard settings.inPlace else { return [] }
        for chapter in run.chapters where chapter.markdownChanged {
            guard let path = chapter.input.path else { continue }
            try writeFile(chapter.markdown, to: path)
        }
        // The Markdown files are the user's own; the summary lists only what panelproc generated.
        return []
    }
}
