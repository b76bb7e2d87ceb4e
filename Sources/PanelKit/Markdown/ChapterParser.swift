/// Turns a chapter's bytes into a `Chapter` of `ComicPanelImageSheet`s.
///
/// It never changes the source: positions are kept so the splicer can edit the original bytes.
public struct ChapterParser: Sendable {
    struct Options: Sendable {
        /// Used when neither the front matter nor an override sets `max_bubbles`.
        var defaultMaxBubbles: Int = 3
        /// A command-line value that wins over the front matter.
        var maxBubblesOverride: Int?
        init() {}
    }

    var options: Options

    init(options: Options = Options()) {
        self.options = options
    }

    /// Parses one document. `file` names it in messages; `fileName` (if any) is a last resort
    /// for the chapter slug.
    func parse(_ source: SourceText, file: String, fileName: String? = nil) throws(InputError) -> Chapter {
        try InputValidation.validate(source, file: file)
        let frontMatterBlock = try FrontMatterReader.read(source, file: file)
        var diagnostics: [Diagnostic] = []
        if let unknown = frontMatterBlock?.frontMatter.unknownKeys {
            for (key, location) in unknown {
                diagnostics.append(Diagnostic(.note, file: file, location: location,
                                              message: "front matter key `\(key)` is not used by panelproc; kept as written"))
            }
        }

        // cmark-gfm knows nothing of front matter: blank its lines (keeping their terminators) so
        // that line numbers stay those of the file.
        var markdownBytes = source.bytes
        if let block = frontMatterBlock {
            markdownBytes = blankingLines(1...block.closingLine, of: source)
        }

        let structure = CmarkDocument.parse(markdownBytes) { document in
            readStructure(document, source: source)
        }

        let frontMatter = frontMatterBlock?.frontMatter
        let settings = resolveSettings(frontMatter)
        let slug = ChapterSlug.make(frontMatter: frontMatter, heading: structure.firstH1, fileName: fileName)
        var panels: [ComicPanelImageSheet] = []
        var firstLineOfID: [String: Int] = [:]
        var suffixCount: [String: Int] = [:]
        for raw in structure.panels {
            let baseID = "\(slug)/p\(twoDigits(raw.page ?? 0))-\(twoDigits(raw.marker.number))"
            var id = baseID
            if let earlier = firstLineOfID[baseID] {
                let next = (suffixCount[baseID] ?? 0) + 1
                suffixCount[baseID] = next
                id = baseID + "-" + suffixLetters(next)
                diagnostics.append(Diagnostic(
                    .warning, file: file, location: SourceLocation(line: raw.markerLine, column: 1),
                    message: "panel id \(baseID) is already used by the panel at line \(earlier); this one becomes \(id) (did the numbering restart?)"))
            } else {
                firstLineOfID[baseID] = raw.markerLine
            }
            panels.append(makeSheet(raw, id: id, source: source, settings: settings))
        }
        return Chapter(source: source, file: file, slug: slug, title: frontMatter?.title ?? structure.firstH1,
                       frontMatter: frontMatter, settings: settings, panels: panels, diagnostics: diagnostics)
    }

    // MARK: - Structure

    private struct RawPanel {
        var marker: Marker
        var markerText: String
        var markerLine: Int
        var page: Int?
        var lastLine: Int
        var body: [MarkdownBlock]
    }

    private struct Structure {
        var firstH1: String?
        var panels: [RawPanel] = []
    }

    private enum Role {
        case marker(Marker, text: String, level: Int)
        case heading(level: Int)
        case content
    }

    /// Paragraph markers stand in for H3 when deciding which headings end a panel.
    private static let paragraphMarkerLevel = 3

    private func readStructure(_ document: CmarkDocument, source: SourceText) -> Structure {
        var structure = Structure()
        var roles: [Role] = []
        var starts: [Int] = []
        roles.reserveCapacity(document.topLevelCount)
        for index in 0..<document.topLevelCount {
            let block = document.outline(index) { isMarkerCandidate($0, source) }
            starts.append(block.start.line)
            switch block.kind {
            case .heading(let level):
                let text = block.lines.joined(separator: " ").trimmingCharacters(in: " \t")
                if level == 4, block.image != nil {
                    roles.append(.content)  // an image line is never a marker
                } else if block.lines.count == 1, block.isPlainText, let marker = MarkerRecognizer.recognize(text) {
                    roles.append(.marker(marker, text: text, level: level))
                } else {
                    if level == 1, structure.firstH1 == nil { structure.firstH1 = text }
                    roles.append(.heading(level: level))
                }
            case .paragraph where block.lines.count == 1 && block.isPlainText:
                let text = block.lines[0].trimmingCharacters(in: " \t")
                if let marker = MarkerRecognizer.recognize(text) {
                    roles.append(.marker(marker, text: text, level: Self.paragraphMarkerLevel))
                } else {
                    roles.append(.content)
                }
            default:
                roles.append(.content)
            }
        }

        var page: Int?
        var index = 0
        while index < roles.count {
            guard case .marker(let marker, let text, let level) = roles[index] else {
                index += 1
                continue
            }
            if marker.kind == .page {
                page = marker.number
                index += 1
                continue
            }
            // The body runs to the next marker, or the next heading at the panel's level or above.
            var end = index + 1
            scan: while end < roles.count {
                switch roles[end] {
                case .marker: break scan
                case .heading(let headingLevel) where headingLevel <= level: break scan
                default: end += 1
                }
            }
            let markerLine = starts[index]
            var lastLine = end < roles.count ? starts[end] - 1 : source.lineCount
            while lastLine > markerLine, source.isBlankLine(lastLine) { lastLine -= 1 }
            let body = (index + 1..<end).map { document.fullBlock($0) }
            structure.panels.append(RawPanel(marker: marker, markerText: text, markerLine: markerLine,
                                             page: page, lastLine: max(lastLine, markerLine), body: body))
            index = end
        }
        return structure
    }

    /// Only short one-line paragraphs that start with `p`/`P` (after emphasis) can be markers;
    /// checking the bytes first keeps pass-through fast.
    private func isMarkerCandidate(_ block: MarkdownBlock, _ source: SourceText) -> Bool {
        guard block.endLine <= block.start.line else { return false }
        let line = source.lineContent(block.start.line)
        guard line.count <= 200 else { return false }
        for byte in line {
            switch byte {
            case 0x20, 0x09, 0x2A, 0x5F: continue  // space, tab, `*`, `_`
            case 0x50, 0x70: return true  // P, p
            default: return false
            }
        }
        return false
    }

    // MARK: - Sheets

    private func makeSheet(_ raw: RawPanel, id: String, source: SourceText, settings: ChapterSettings)
        -> ComicPanelImageSheet
    {
        var reader = PanelBodyReader()
        reader.read(raw.body)
        var roles: [String] = []
        for field in reader.fields where field.label == .characters || field.label == .roles {
            for role in Self.splitRoles(field.value) where !roles.contains(role) { roles.append(role) }
        }

        var existing: ImageLineSite.Existing?
        if let last = reader.images.last {
            existing = ImageLineSite.Existing(
                line: last.line, byteRange: source.lineStart(last.line)..<source.lineContentEnd(last.line),
                image: last.image)
        }
        let insertion = source.lineStart(raw.lastLine + 1)
        let needsBreak = source.lineTerminator(raw.lastLine).isEmpty
        let site = ImageLineSite(existing: existing, insertionOffset: insertion, insertionNeedsLineBreak: needsBreak)

        let imageLines = Set(reader.images.map(\.line))
        let hash = Self.contentHash(lines: raw.markerLine...raw.lastLine, skipping: imageLines,
                                    source: source, settings: settings)
        return ComicPanelImageSheet(
            id: id, page: raw.page, number: raw.marker.number, markerText: raw.markerText, title: raw.marker.title,
            lines: raw.markerLine...raw.lastLine, contentHash: hash,
            sceneDescriptionOriginal: reader.sceneParagraphs.joined(separator: "\n\n"), shotType: reader.shotType,
            fields: reader.fields, dialogue: reader.dialogue, requiredRoles: roles, imageSite: site)
    }

    /// `Officer Bly, Mira and The Stranger` → three roles.
    static func splitRoles(_ text: String) -> [String] {
        var parts: [String] = []
        for piece in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "&" }) {
            var rest = String(piece)
            while let range = rest.range(of: " and ") {
                parts.append(String(rest[..<range.lowerBound]))
                rest = String(rest[range.upperBound...])
            }
            parts.append(rest)
        }
        // `Characters: none` (or `—`, `n/a`) means the panel needs nobody.
        let nobody: Set<String> = ["none", "nobody", "no one", "noone", "n/a", "-", "—", "–"]
        return parts.map { piece in
            var role = piece.trimmingWhitespace()
            if role.lowercased().hasPrefix("and ") { role = role.dropFirst(4).trimmingWhitespace() }
            return role.trimmingCharacters(in: ".")
        }.filter { !$0.isEmpty && !nobody.contains($0.lowercased()) }
    }

    /// The panel's lines without its image line, joined with LF, blank runs collapsed to one
    /// (so inserting an image line leaves the hash alone), then the chapter settings.
    static func contentHash(lines: ClosedRange<Int>, skipping: Set<Int>, source: SourceText,
                            settings: ChapterSettings) -> String
    {
        var normalised: [UInt8] = []
        var previousBlank = false
        for line in lines where !skipping.contains(line) {
            let blank = source.isBlankLine(line)
            if blank && previousBlank { continue }
            previousBlank = blank
            if !blank { normalised.append(contentsOf: source.lineContent(line)) }
            normalised.append(0x0A)
        }
        while normalised.count >= 2, normalised[normalised.count - 1] == 0x0A, normalised[normalised.count - 2] == 0x0A {
            normalised.removeLast()
        }
        normalised.append(contentsOf: "\u{1F}settings\n".utf8)
        normalised.append(contentsOf: settings.canonicalText.utf8)
        return SHA256.hex(normalised)
    }

    private func resolveSettings(_ frontMatter: FrontMatter?) -> ChapterSettings {
        ChapterSettings(
            tone: frontMatter?.tone, audience: frontMatter?.audience, style: frontMatter?.style,
            palette: frontMatter?.palette ?? [], commonExample: frontMatter?.commonExample,
            maxBubbles: options.maxBubblesOverride ?? frontMatter?.maxBubbles ?? options.defaultMaxBubbles,
            characters: frontMatter?.characters)
    }

    private func blankingLines(_ lines: ClosedRange<Int>, of source: SourceText) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(source.bytes.count)
        for line in lines { bytes.append(contentsOf: source.lineTerminator(line)) }
        bytes.append(contentsOf: source.bytes[source.lineStart(lines.upperBound + 1)...])
        return bytes
    }

    private func twoDigits(_ value: Int) -> String {
        value < 10 ? "0\(value)" : "\(value)"
    }

    /// 1 → `b`, 2 → `c`, … 25 → `z`, then `zb`, `zc`…
    private func suffixLetters(_ count: Int) -> String {
        let letters = Array("bcdefghijklmnopqrstuvwxyz")
        var remaining = count - 1
        var out = ""
        while remaining >= letters.count {
            out.append("z")
            remaining -= letters.count
        }
        out.append(letters[remaining])
        return out
    }
}

extension String {
    func trimmingCharacters(in set: String) -> String {
        var text = Substring(self)
        while let first = text.first, set.contains(first) { text = text.dropFirst() }
        while let last = text.last, set.contains(last) { text = text.dropLast() }
        return String(text)
    }
}
