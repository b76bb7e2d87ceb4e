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
        // An opening `---` that never closes is a thematic break, not front matter.
        guard let closingLine = closing else { return nil }
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
            case "max_bubbles": result.maxBubbles = try field.integer(in: 1...20)
            default: result.unknownKeys.append((field.key, field.keyLocation))
            }
        }
        return Block(closingLine: closingLine, frontMatter: result)
    }

    private static func isFence(_ line: [UInt8], allowDots: Bool) -> Bool {
        var content = line[...]
        while let last = content.last, last == 0x20 || last == 0x09 { content.removeLast() }
        return content.elementsEqual("---".utf8) || (allowDots && content.elementsEqual("...".utf8))
    }
}
