/// One block of a parsed Markdown document as plain Swift values, with its source range.
struct MarkdownBlock: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case heading(level: Int)
        case paragraph
        case blockQuote
        case list
        case item
        case codeBlock
        case htmlBlock
        case thematicBreak
        case table
        case footnoteDefinition
        case other
    }

    var kind: Kind
    /// First byte of the block (1-based line, byte column).
    var start: SourceLocation
    /// Last line of the block as cmark-gfm reports it; used only as a hint.
    var endLine: Int
    /// For headings and paragraphs: the inline text with markup removed, one entry per source line
    /// (soft and hard breaks split lines). Empty for other kinds or when not requested.
    var lines: [String]
    /// True when the inline content is only text, emphasis, strong emphasis and line breaks:
    /// the only markup a page or panel marker may carry (`**PANEL 1**`, not `` `Panel 1` ``,
    /// a link, an image or struck-through text).
    var isPlainText: Bool = true
    /// `isPlainText` for each entry of `lines`: a marker on a paragraph's first line may be
    /// followed by description with any markup.
    var plainLines: [Bool] = []
    /// For a heading whose only content is an image: that image.
    var image: InlineImage?
    /// Child blocks of containers (block quotes, lists, items), when requested.
    var children: [MarkdownBlock]

    var headingLevel: Int? {
        if case .heading(let level) = kind { return level }
        return nil
    }
}

/// An inline image `![alt](url)`.
struct InlineImage: Sendable, Equatable {
    var alt: String
    var url: String

    init(alt: String, url: String) {
        self.alt = alt
        self.url = url
    }
}
