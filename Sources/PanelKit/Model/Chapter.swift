/// One parsed chapter: its exact source, identity, settings and panels.
public struct Chapter: Sendable {
    /// The document exactly as read; the splicer edits these bytes and nothing else.
    let source: SourceText
    /// How the input is named in messages (`chapters/one.md`, `<stdin>`).
    public let file: String
    /// `01-paper-and-promises`: lower-case ASCII, digits and hyphens.
    public var slug: String
    public var title: String?
    var frontMatter: FrontMatter?
    public var settings: ChapterSettings
    public var panels: [ComicPanelImageSheet]
    /// Warnings found while parsing (repeated panel ids, unknown front matter keys).
    public var diagnostics: [Diagnostic]
}

/// The chapter-wide settings that feed the stages, resolved from configuration and front matter.
/// A change here changes every panel's content hash.
public struct ChapterSettings: Sendable, Equatable {
    public var tone: String?
    public var audience: String?
    public var style: String?
    public var palette: [String]
    public var commonExample: String?
    public var maxBubbles: Int
    /// The character database named by the front matter, relative to the chapter file.
    public var characters: String?
    /// SHA-256 of the character database the panels resolve against, once it is loaded.
    public var charactersDigest: String?

    public init(tone: String? = nil, audience: String? = nil, style: String? = nil, palette: [String] = [],
                commonExample: String? = nil, maxBubbles: Int = 3, characters: String? = nil) {
        self.tone = tone
        self.audience = audience
        self.style = style
        self.palette = palette
        self.commonExample = commonExample
        self.maxBubbles = maxBubbles
        self.characters = characters
    }

    /// A stable text form, one `key=value` per line, hashed into every panel's content hash.
    public var canonicalText: String {
        [
            "tone=\(tone ?? "")", "audience=\(audience ?? "")", "style=\(style ?? "")",
            "palette=\(palette.joined(separator: ","))", "common_example=\(commonExample ?? "")",
            "max_bubbles=\(maxBubbles)", "characters=\(characters ?? "")",
        ].joined(separator: "\n")
    }
}
