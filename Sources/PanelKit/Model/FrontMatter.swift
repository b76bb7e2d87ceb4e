/// The chapter's YAML front matter, typed. Its bytes are never rewritten.
public struct FrontMatter: Sendable, Equatable {
    /// `chapter:` as written (`3`, `3a`); a number when it is one.
    var chapter: String?
    var title: String?
    var tone: String?
    var audience: String?
    var style: String?
    var palette: [String]?
    /// `visual_thesis:`: one line every image prompt of the chapter starts with (docs/images.md).
    var visualThesis: String?
    var commonExample: String?
    /// Path of a character database, relative to the chapter file.
    var characters: String?
    var maxBubbles: Int?
    /// `due: 2027-02-15`: when the chapter should be done (`panelproc status`).
    var due: CalendarDay?
    /// `target_pages: 22`: the pages the chapter should have.
    var targetPages: Int?
    /// Keys panelproc does not know, kept and ignored (warned about under `--verbose`).
    var unknownKeys: [(key: String, location: SourceLocation)]

    init() { unknownKeys = [] }

    var chapterNumber: Int? { chapter.flatMap { Int($0) } }

    public static func == (lhs: FrontMatter, rhs: FrontMatter) -> Bool {
        lhs.chapter == rhs.chapter && lhs.title == rhs.title && lhs.tone == rhs.tone
            && lhs.audience == rhs.audience && lhs.style == rhs.style && lhs.palette == rhs.palette
            && lhs.visualThesis == rhs.visualThesis
            && lhs.commonExample == rhs.commonExample && lhs.characters == rhs.characters
            && lhs.maxBubbles == rhs.maxBubbles && lhs.due == rhs.due && lhs.targetPages == rhs.targetPages
            && lhs.unknownKeys.map(\.key) == rhs.unknownKeys.map(\.key)
    }
}
