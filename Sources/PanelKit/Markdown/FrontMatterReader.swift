/// Finds the `---` block at the top of a chapter and decodes it into `FrontMatter`, reporting
/// problems at the line and column of the chapter file (not of the YAML snippet).
enum FrontMatterReader {
    struct Block {
        /// Lines 1...closingLine hold the block, fences included.
        var closingLine: Int
        var frontMatter: FrontMatter
    }

    static func read(_ source: SourceText, file: String) throws(InputError) -> Block? {
        guard source.lineCount >= 2 else { return nil }
        var firstLine = Array(source.lineContent(1))
        if firstLine.starts(with: [0xEF, 0xBB, 0xBF]) { firstLine.removeFirst(3) }
        guard isFence(firstLine, allowDots: false) else { return nil }
        var closing: Int?
        for line in 2...source.lineCount where isFence(Array(source.lineContent(line)), allowDots: true) {
            closing = line
            break
        }
        // An opening `---` that never closes is a thematic break, not front matter; so is one
        // whose first line is not a `key:` (a poem or a page that opens with a rule).
        guard let closingLine = closing, startsLikeYAML(source, lines: 2..<closingLine) else { return nil }
        let fields = try YAMLFields.read(source, lines: 2..<closingLine, file: file, what: "front matter")
        var result = FrontMatter()
        for field in fields {
            switch field.key {
            case "chapter": result.chapter = try field.text()
            case "title": result.title = try field.text()
            case "tone": result.tone = try field.text()
            case "audience": result.audience = try field.text()
            case "style": result.style = try field.text()
            case "common_example": result.commonExample = try field.text()
            case "characters": result.characters = try field.text()
            case "palette": result.palette = try field.list()
            case "visual_thesis": result.visualThesis = try field.text()
            case "max_bubbles": result.maxBubbles = try field.integer(in: 1...20)
            case "target_pages": result.targetPages = try field.integer(in: 1...10_000)
            case "due":
                guard let text = try field.text() else { break }
                guard let day = CalendarDay(text) else {
                    throw InputError(file: file, location: field.location,
                                     message: "malformed front matter: `due` should be a date like 2027-02-15, found `\(text)`",
                                     hint: "write the date as YYYY-MM-DD")
                }
                result.due = day
            default: result.unknownKeys.append((field.key, field.keyLocation))
            }
        }
        return Block(closingLine: closingLine, frontMatter: result)
    }

    /// A `---` at the top followed by a `key:` line that never closes: the writer meant front
    /// matter, and its tone, style, palette and common example would be silently dropped.
    static func unclosed(_ source: SourceText, file: String) -> Diagnostic? {
        guard source.lineCount >= 2 else { return nil }
        var firstLine = Array(source.lineContent(1))
        if firstLine.starts(with: [0xEF, 0xBB, 0xBF]) { firstLine.removeFirst(3) }
        guard isFence(firstLine, allowDots: false),
            !(2...source.lineCount).contains(where: { isFence(Array(source.lineContent($0)), allowDots: true) }),
            !source.isBlankLine(2), startsLikeYAML(source, lines: 2..<3)
        else { return nil }
        return Diagnostic(.warning, file: file, location: SourceLocation(line: 1, column: 1),
                          message: "front matter opened with `---` never closes, so none of it is read (tone, style, palette, common example); "
                              + "add a `---` line after its last key")
    }

    /// The first non-blank line is a `key:` (or a YAML comment), or the block is empty.
    private static func startsLikeYAML(_ source: SourceText, lines: Range<Int>) -> Bool {
        for line in lines where !source.isBlankLine(line) {
            let content = String(decoding: source.lineContent(line), as: UTF8.self)
            if content.hasPrefix("#") { return true }
            guard let colon = content.firstIndex(of: ":") else { return false }
            let key = content[..<colon]
            let afterColon = content[content.index(after: colon)...]
            let keyLooksRight = !key.isEmpty && key.first != " " && key.first != "\t"
                && key.allSatisfy { $0.isLetter || $0.isNumber || "_- '\"".contains($0) }
            return keyLooksRight && (afterColon.isEmpty || afterColon.first == " " || afterColon.first == "\t")
        }
        return true
    }

    private static func isFence(_ line: [UInt8], allowDots: Bool) -> Bool {
        var content = line[...]
        while let last = content.last, last == 0x20 || last == 0x09 { content.removeLast() }
        return content.elementsEqual("---".utf8) || (allowDots && content.elementsEqual("...".utf8))
    }
}
