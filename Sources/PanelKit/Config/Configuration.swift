import Foundation

/// Settings from `panelproc.yml`, then `PANELPROC_*` environment variables, then flags, each
/// overriding the one before. Paths are absolute once loaded.
public struct Configuration: Sendable, Equatable {
    /// Where `generated/<chapter-slug>/` goes; nil means `generated` beside each Markdown file.
    public var outputDirectory: String?
    /// Default `max_bubbles` for chapters whose front matter does not set it.
    public var maxBubbles: Int?
    /// A character database path (absolute).
    public var characters: String?
    /// The `panelproc.yml` that was read, if any.
    public var file: String?
    /// Keys the file holds that panelproc does not know.
    public var warnings: [Diagnostic] = []

    public init() {}

    public static let fileName = "panelproc.yml"

    /// Finds `panelproc.yml` in `folder` or the nearest parent folder that has one.
    public static func find(from folder: String) -> String? {
        var current = URL(fileURLWithPath: folder).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(fileName).path
            if FileManager.default.fileExists(atPath: candidate) { return candidate }
            let parent = current.deletingLastPathComponent()
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Reads the file (if any), then applies the environment.
    public static func load(file: String?, environment: [String: String]) throws(InputError) -> Configuration {
        var configuration = Configuration()
        if let file {
            try configuration.read(file: file)
        }
        try configuration.apply(environment: environment)
        return configuration
    }

    private mutating func read(file path: String) throws(InputError) {
        let source = try FileIO.readSource(path: path)
        try InputValidation.validate(source, file: path)
        let folder = (path as NSString).deletingLastPathComponent
        file = path
        for field in try YAMLFields.read(source, lines: 1..<(source.lineCount + 1), file: path, what: "configuration") {
            switch field.key {
            case "output_dir": outputDirectory = try field.text().map { Self.absolute($0, from: folder) }
            case "max_bubbles": maxBubbles = try field.integer(in: 1...20)
            case "characters": characters = try field.text().map { Self.absolute($0, from: folder) }
            default:
                warnings.append(Diagnostic(.warning, file: path, location: field.keyLocation,
                                           message: "unknown setting `\(field.key)`; known: output_dir, max_bubbles, characters"))
            }
        }
    }

    private mutating func apply(environment: [String: String]) throws(InputError) {
        let cwd = FileManager.default.currentDirectoryPath
        if let value = environment["PANELPROC_OUTPUT_DIR"], !value.isEmpty {
            outputDirectory = Self.absolute(value, from: cwd)
        }
        if let value = environment["PANELPROC_CHARACTERS"], !value.isEmpty {
            characters = Self.absolute(value, from: cwd)
        }
        if let value = environment["PANELPROC_MAX_BUBBLES"], !value.isEmpty {
            guard let count = Int(value), (1...20).contains(count) else {
                throw InputError(file: "PANELPROC_MAX_BUBBLES", message: "should be a whole number from 1 to 20, found `\(value)`",
                                 hint: "unset it or set it to a number such as 3")
            }
            maxBubbles = count
        }
    }

    /// `path` made absolute against `folder` (`~` expanded).
    public static func absolute(_ path: String, from folder: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        if expanded.hasPrefix("/") { return URL(fileURLWithPath: expanded).standardizedFileURL.path }
        return URL(fileURLWithPath: folder).appendingPathComponent(expanded).standardizedFileURL.path
    }
}
