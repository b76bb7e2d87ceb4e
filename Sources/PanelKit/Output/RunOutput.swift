import Foundation

/// A file an output wrote: which chapter it belongs to (nil for the whole run), and anything the
/// summary should say about it.
struct WrittenFile: Sendable, Equatable {
    var chapter: Int?
    var path: String
    /// Names the file added (the roles a `proposed.json` gained), for the summary.
    var added: [String] = []

    init(chapter: Int?, path: String, added: [String] = []) {
        self.chapter = chapter
        self.path = path
        self.added = added
    }
}

/// One thing a run writes, from the finished run's records. Outputs run in the order of
/// `RunOutputs.standard`, after every image is on disk (consecutive ones that read only the records
/// side by side); each decides from the settings whether it has anything to do, and writes
/// atomically.
protocol RunOutput: Sendable {
    /// What `--verbose` calls it when it says how long each output took.
    var name: String { get }
    func write(_ run: RunReport, settings: RunSettings) throws(RunFailure) -> [WrittenFile]
    /// Whether this output reads files that earlier outputs write (the gallery embeds
    /// `pacing.svg` and links the pages): it waits for all of them. Outputs that read only the
    /// run's records are written side by side.
    var readsEarlierOutputs: Bool { get }
}

extension RunOutput {
    var readsEarlierOutputs: Bool { true }
}

/// Every output, in the order they are written: what a file points at is written before the
/// file that points at it (images, then the manifest, `chapter.json` and the Markdown).
///
/// Adding an output: a file in `Output/` with a type conforming to `RunOutput`, and one line here.
enum RunOutputs {
    static let standard: [any RunOutput] = [
        ManifestOutput(),
        ChapterJSONOutput(),
        // Before anything that could show the chart (the gallery of issue 10 embeds pacing.svg).
        PacingOutput(),
        ContinuityOutput(),
        PagesOutput(),
        GalleryOutput(),
        MarkdownOutput(),
        ProposedRolesOutput(),
    ]
}

extension RunOutput {
    /// Writes `bytes` atomically unless the file already holds exactly them (a rerun over
    /// unchanged input touches nothing); a failure is a run failure (exit 3). Returns the file as
    /// written, or nothing when it was already current.
    @discardableResult
    func writeFile(_ bytes: [UInt8], to path: String, chapter: Int? = nil) throws(RunFailure) -> [WrittenFile] {
        do { guard try FileIO.writeIfChanged(bytes, to: path) else { return [] } } catch { throw .write(error.description) }
        return [WrittenFile(chapter: chapter, path: path)]
    }
}
