import Foundation

/// What the command line says, before it is merged into `RunSettings`: nil (or empty) means the
/// flag was not given and the file, the environment or the default decides.
public struct FlagSettings: Sendable, Equatable {
    public var writeJSON = false
    public var inPlace = false
    public var force = false
    public var noCache = false
    public var forceImages = false
    public var takeOver = false
    public var noGallery = false
    public var onlyPanels: [String] = []
    public var maxBubbles: Int?
    public var outputDirectory: String?
    public var concurrency: Int?
    public var rpm: Int?
    public var trace: String?
    public var unknownRoles: GateRules.UnknownRolePolicy?
    public var maxCostUSD: Double?
    public var imageProvider: RunSettings.ImageProviderKind?
    public var textProvider: RunSettings.TextProviderKind?
    public var model: String?
    public var command: String?
    /// `--candidates N`: images per panel.
    public var candidates: Int?
    public var strictContinuity = false

    public init() {}
}

extension RunSettings {
    /// The last layer: flags win over the file and the environment. Relative paths are taken
    /// from the working folder.
    mutating func apply(_ flags: FlagSettings) {
        writeJSON = flags.writeJSON
        inPlace = flags.inPlace
        force = flags.force
        useCache = !flags.noCache
        forceImages = flags.forceImages
        takeOver = flags.takeOver
        writeGallery = !flags.noGallery
        onlyPanels = Set(flags.onlyPanels)
        maxBubblesOverride = flags.maxBubbles
        if let value = flags.outputDirectory { outputDirectory = FileIO.absolute(value) }
        if let value = flags.concurrency { concurrency = value }
        if let value = flags.rpm { rpm = value }
        if let value = flags.trace { trace = FileIO.absolute(value) }
        if let value = flags.unknownRoles { unknownRoles = value }
        if let value = flags.maxCostUSD { maxCostUSD = value }
        if let value = flags.imageProvider { imageProvider = value }
        if let value = flags.textProvider { textProvider = value }
        if let value = flags.model { textModel = value }
        if let value = flags.command { command = value }
        if let value = flags.candidates { imageControl.candidates = value }
        if flags.strictContinuity { continuity.strict = true }
    }

    /// How chapters are parsed under these settings.
    var parser: ChapterParser {
        var options = ChapterParser.Options()
        options.defaultMaxBubbles = maxBubbles ?? 3
        options.maxBubblesOverride = maxBubblesOverride
        return ChapterParser(options: options)
    }

    /// The gate's limits and policies.
    var gateRules: GateRules {
        GateRules(maxWordsPerBubble: maxWordsPerBubble, commonExampleOverlap: commonExampleOverlap, unknownRoles: unknownRoles)
    }

    /// `<output root>/<chapter-slug>`: `generated/` beside the Markdown file unless configured.
    public func chapterDirectory(for input: InputDocument, slug: String) -> String {
        let root = outputDirectory ?? (input.folder as NSString).appendingPathComponent("generated")
        return (root as NSString).appendingPathComponent(slug)
    }

    /// Where the trace goes: the flag or the file, else `.panelproc/trace.sqlite` beside the first
    /// chapter that has panels.
    public func tracePath(for chapters: [PreparedChapter]) -> String {
        if let trace { return trace }
        let folder = (chapters.first { !$0.chapter.panels.isEmpty } ?? chapters.first)?.input.folder
            ?? FileManager.default.currentDirectoryPath
        return (folder as NSString).appendingPathComponent(".panelproc/trace.sqlite")
    }
}
