/// The image a panel's H4 line points at.
struct ImageLink: Sendable, Equatable {
    var alt: String
    /// Relative to the Markdown file's folder, with `/` separators.
    var path: String

    init(alt: String, path: String) {
        self.alt = alt
        self.path = path
    }

    /// `#### ![Panel 3 — Night market](generated/…/p01-03.png)`
    var markdownLine: String {
        // Escape what inline parsing would otherwise read as markup, so the alt text parses back
        // to exactly `alt` (a `!` only matters before `[`).
        var escapedAlt = ""
        let characters = Array(alt)
        for (index, character) in characters.enumerated() {
            let beforeBracket = index + 1 < characters.count && characters[index + 1] == "["
            if "\\[]*_`<>&~".contains(character) || (character == "!" && beforeBracket) { escapedAlt.append("\\") }
            escapedAlt.append(character)
        }
        let needsBrackets = path.contains { $0 == " " || $0 == "(" || $0 == ")" || $0 == "<" || $0 == ">" }
        let destination = needsBrackets ? "<\(path)>" : path
        return "#### ![\(escapedAlt)](\(destination))"
    }
}

/// Writes image lines into the original bytes of a chapter, and nothing else.
///
/// Each edit is a splice at byte offsets from cmark-gfm's source positions; the document is never
/// re-rendered, so CRLF, BOMs, tabs, trailing spaces, HTML and tables survive byte for byte.
enum Splicer {
    /// The source with an H4 image line for every panel in `links` (keyed by panel id): an
    /// existing line of the panel is updated in place (left alone if it already says the same),
    /// otherwise a new one goes after the panel's last line, followed by a blank line.
    /// The image lines of the panels in `removing` go, with the blank line that was inserted with
    /// them (a panel that no longer passes must not show its old picture).
    static func splice(_ chapter: Chapter, links: [String: ImageLink], removing: Set<String> = []) -> [UInt8] {
        let source = chapter.source
        let lineEnding = source.dominantLineEnding
        var edits: [(range: Range<Int>, bytes: [UInt8])] = []
        for panel in chapter.panels {
            if removing.contains(panel.id), let existing = panel.imageSite.existing {
                let line = existing.line
                var end = source.lineStart(line + 1)
                if line > 1, source.isBlankLine(line - 1), line + 1 <= source.lineCount, source.isBlankLine(line + 1) {
                    end = source.lineStart(line + 2)
                }
                edits.append((source.lineStart(line)..<end, []))
                continue
            }
            guard let link = links[panel.id] else { continue }
            let site = panel.imageSite
            if let existing = site.existing {
                if existing.image.alt == link.alt && existing.image.url == link.path { continue }
                edits.append((existing.byteRange, Array(link.markdownLine.utf8)))
            } else {
                var inserted: [UInt8] = []
                if site.insertionNeedsLineBreak { inserted += lineEnding }
                inserted += lineEnding
                inserted += Array(link.markdownLine.utf8)
                inserted += lineEnding
                if site.insertionOffset < source.bytes.count {
                    let nextLine = source.location(ofOffset: site.insertionOffset).line
                    if !source.isBlankLine(nextLine) { inserted += lineEnding }
                }
                edits.append((site.insertionOffset..<site.insertionOffset, inserted))
            }
        }
        guard !edits.isEmpty else { return source.bytes }
        edits.sort { $0.range.lowerBound < $1.range.lowerBound }
        var output: [UInt8] = []
        output.reserveCapacity(source.bytes.count + edits.reduce(0) { $0 + $1.bytes.count })
        var cursor = 0
        for edit in edits {
            output.append(contentsOf: source.bytes[cursor..<edit.range.lowerBound])
            output.append(contentsOf: edit.bytes)
            cursor = edit.range.upperBound
        }
        output.append(contentsOf: source.bytes[cursor...])
        return output
    }

    /// Panels whose image line would not be found again after `splice` (for instance a panel
    /// whose body ends inside an unclosed code fence): re-parses the output to check.
    static func unplacedPanels(in spliced: [UInt8], of chapter: Chapter, links: [String: ImageLink],
                                      parser: ChapterParser) -> [String]
    {
        guard let again = try? parser.parse(SourceText(bytes: spliced), file: chapter.file) else {
            return links.keys.sorted()
        }
        let found = Dictionary(again.panels.map { ($0.id, $0.imageSite.existing?.image) }, uniquingKeysWith: { a, _ in a })
        return links.keys.sorted().filter { id in
            guard let image = found[id] ?? nil, let link = links[id] else { return true }
            return image.url != link.path
        }
    }
}
