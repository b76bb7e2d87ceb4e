import Foundation

/// One chapter to process: its bytes and where it came from.
public struct InputDocument: Sendable {
    /// The file's path as the user gave it; nil for standard input.
    public var path: String?
    var source: SourceText

    init(path: String?, source: SourceText) {
        self.path = path
        self.source = source
    }

    /// How messages name it.
    public var displayName: String { path ?? "<stdin>" }

    /// The Markdown file's folder (absolute): image paths are relative to it, and
    /// `generated/` goes beside it. The working folder for standard input.
    public var folder: String {
        let cwd = FileManager.default.currentDirectoryPath
        guard let path else { return FileIO.normalized(cwd) }
        return (FileIO.absolute(path, from: cwd) as NSString).deletingLastPathComponent
    }

    /// The file name, as recorded in `chapter.json` (nil for standard input).
    public var fileName: String? { path.map { ($0 as NSString).lastPathComponent } }

    /// Reads `path`, or standard input for nil or `-`.
    public static func read(_ path: String?) throws(InputError) -> InputDocument {
        guard let path, path != "-" else {
            return InputDocument(path: nil, source: FileIO.readStandardInput())
        }
        return InputDocument(path: path, source: try FileIO.readSource(path: path))
    }
}
