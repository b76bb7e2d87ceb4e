/// One parsed chapter: its exact source, identity, settings and panels.
public struct Chapter: Sendable {
    /// The document exactly as read; the splicer edits these bytes and nothing else.
    public let source: SourceText
    /// How the input is named in messages (`chapters/one.md`, `<stdin>`).
    public let file: String
    /// `01-paper-and-promises`: lower-case ASCII, digits and hyphens.
    public var slug: String
    public var title: String?
    public var frontMatter: FrontMatter?
    public var settings: ChapterSettings
    public var panels: [ComicPanelImageSheet]
    /// Warnings found while parsing (repeated panel ids, unknown front matter keys, a page's
    /// declared panel count, gaps in balloon numbering).
    public var diagnostics: [Diagnostic]
    /// The page headers, in order (a spread is one entry covering both numbers).
    public var pages: [ChapterPage] = []
}

/// A page header as the writer wrote it: `## Page 1`, `PAGE ONE (FIVE PANELS)`, `PAGES TWO–THREE`.
public struct ChapterPage: Sendable, Equatable {
    public var number: Int
    /// The last page of a spread (`PAGES TWO–THREE` → 3); nil for a single page.
    public var lastNumber: Int?
    /// The header without its parenthesis or title (`PAGE ONE`).
    public var header: String
    public var line: Int
    /// The panel count the header declares (`(FIVE PANELS)`), if any.
    public var declaredPanels: Int?
    /// The panels under this header, in order.
    public var panelIDs: [String]
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
    /// `visual_thesis` from the front matter: with `palette`, the "always include" line of every image prompt.
    public var visualThesis: String?

    public init(tone: String? = nil, audience: String? = nil, style: String? = nil, palette: [String] = [],
                commonExample: String? = nil, maxBubbles: Int = 3, characters: String? = nil, visualThesis: String? = nil) {
        self.visualThesis = visualThesis
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
        ].joined(separator: "\n") + (visualThesis.map { "\nvisual_thesis=\($0)" } ?? "")
    }
}
