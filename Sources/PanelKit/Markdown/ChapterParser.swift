/// Turns a chapter's bytes into a `Chapter` of `ComicPanelImageSheet`s.
///
/// It never changes the source: positions are kept so the splicer can edit the original bytes.
struct ChapterParser: Sendable {
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
        // One pass over the panels: a chapter of 10,000 panels has over a thousand pages.
        var panelIDsByPage: [Int: [String]] = [:]
        for (raw, panel) in zip(structure.panels, panels) {
            if let page = raw.pageIndex { panelIDsByPage[page, default: []].append(panel.id) }
        }
        let pages = structure.pages.enumerated().map { index, header in
            ChapterPage(number: header.marker.number, lastNumber: header.marker.lastNumber, header: header.marker.label,
                        line: header.line, declaredPanels: header.marker.declaredPanels?.count,
                        panelIDs: panelIDsByPage[index] ?? [])
        }
        diagnostics += structure.nearMisses.compactMap { NearMissMarker.diagnostic($0.text, location: $0.location, file: file) }
        if let unclosed = FrontMatterReader.unclosed(source, file: file) { diagnostics.append(unclosed) }
        for (raw, panel) in zip(structure.panels, panels) where panel.isEmpty {
            diagnostics.append(Diagnostic(.warning, file: file, location: SourceLocation(line: raw.markerLine, column: 1),
                                          message: "panel \(panel.localID) has no scene text, dialogue or caption; write what the panel shows"))
        }
        diagnostics += FullScriptChecks.declaredCounts(structure.pages, pages: pages, file: file)
        diagnostics += FullScriptChecks.balloonNumbering(
            panels: zip(structure.panels, panels).map { ($0.0.pageIndex, $0.1) }, pages: structure.pages,
            source: source, file: file)
        return Chapter(source: source, file: file, slug: slug, title: frontMatter?.title ?? structure.firstH1,
                       frontMatter: frontMatter, settings: settings, panels: panels, diagnostics: diagnostics,
                       pages: pages)
    }

    // MARK: - Structure

    private struct RawPanel {
        var marker: Marker
        var markerText: String
        var markerLine: Int
        var page: Int?
        /// Index into `Structure.pages` of the page header the panel stands under.
        var pageIndex: Int?
        var lastLine: Int
        var body: [MarkdownBlock]
    }

    /// A page header as written: `PAGE ONE (FIVE PANELS)`, `PAGES TWO–THREE`.
    struct PageHeader {
        var marker: Marker
        var line: Int
        var column: Int
    }

    private struct Structure {
        var firstH1: String?
        var pages: [PageHeader] = []
        var panels: [RawPanel] = []
        /// Paragraphs and headings that open like a marker but are not one (`Pannel 2`).
        var nearMisses: [(text: String, location: SourceLocation)] = []
    }

    private enum Role {
        case marker(Marker, text: String, level: Int)
        case heading(level: Int)
        case content
    }

    /// One top-level block, or one part of a paragraph that opens with marker lines
    /// (`PAGE ONE` / `PANEL 1` / description, without blank lines between).
    private struct Item {
        var role: Role
        var line: Int
        var column: Int
        var index: Int
        /// The description part of such a paragraph, read in place of the whole block.
        var part: MarkdownBlock?
    }

    /// Paragraph markers stand in for H3 when deciding which headings end a panel.
    private static let paragraphMarkerLevel = 3

    private func readStructure(_ document: CmarkDocument, source: SourceText) -> Structure {
        var structure = Structure()
        var items: [Item] = []
        items.reserveCapacity(document.topLevelCount)
        for index in 0..<document.topLevelCount {
            let block = document.outline(index) { isMarkerCandidate($0, source) }
            let start = block.start
            switch block.kind {
            case .heading(let level):
                let text = block.lines.joined(separator: " ").trimmingCharacters(in: " \t")
                let role: Role
                if level == 4, block.image != nil {
                    role = .content  // an image line is never a marker
                } else if block.lines.count == 1, block.isPlainText, let marker = MarkerRecognizer.recognize(text) {
                    role = .marker(marker, text: text, level: level)
                } else {
                    if level == 1, structure.firstH1 == nil { structure.firstH1 = text }
                    role = .heading(level: level)
                    if let first = block.lines.first { structure.nearMisses.append((first, start)) }
                }
                items.append(Item(role: role, line: start.line, column: start.column, index: index))
            case .paragraph where !block.lines.isEmpty:
                let parts = paragraphItems(block, index: index)
                if parts.count == 1, case .content = parts[0].role { structure.nearMisses.append((block.lines[0], start)) }
                items += parts
            default:
                items.append(Item(role: .content, line: start.line, column: start.column, index: index))
            }
        }

        var page: Int?
        var pageIndex: Int?
        var index = 0
        while index < items.count {
            guard case .marker(let marker, let text, let level) = items[index].role else {
                index += 1
                continue
            }
            if marker.kind == .page {
                page = marker.number
                pageIndex = structure.pages.count
                structure.pages.append(PageHeader(marker: marker, line: items[index].line, column: items[index].column))
                index += 1
                continue
            }
            // The body runs to the next marker, or the next heading at the panel's level or above.
            var end = index + 1
            scan: while end < items.count {
                switch items[end].role {
                case .marker: break scan
                case .heading(let headingLevel) where headingLevel <= level: break scan
                default: end += 1
                }
            }
            let markerLine = items[index].line
            var lastLine = end < items.count ? items[end].line - 1 : source.lineCount
            while lastLine > markerLine, source.isBlankLine(lastLine) { lastLine -= 1 }
            let body = items[(index + 1)..<end].map { $0.part ?? document.fullBlock($0.index) }
            structure.panels.append(RawPanel(marker: marker, markerText: text, markerLine: markerLine, page: page,
                                             pageIndex: pageIndex, lastLine: max(lastLine, markerLine), body: body))
            index = end
        }
        return structure
    }

    /// A paragraph's marker lines (from its first line on) and what follows them. A paragraph of
    /// one line is a marker as before (`Panel 3: Night market`, a title); a marker followed by more
    /// lines, or by a sentence (`PANEL 1: Wide shot. The market.`, `Panel 1. Mira runs.`), starts a
    /// panel whose description is that text. A titled marker over more lines, or one whose next
    /// line goes on in lower case, is not a marker.
    private func paragraphItems(_ block: MarkdownBlock, index: Int) -> [Item] {
        var items: [Item] = []
        var offset = 0
        var description: String?
        while offset < block.lines.count, description == nil {
            let text = block.lines[offset].trimmingCharacters(in: " \t")
            let plain = offset < block.plainLines.count ? block.plainLines[offset] : block.isPlainText
            guard plain, var marker = MarkerRecognizer.recognize(text) else { break }
            // `Panel 1.` names its image `Panel 1`; a header that was never a marker before needs no dot.
            var markerText = marker.title == nil && text.hasSuffix(".") ? marker.label : text
            if marker.kind == .panel, marker.titleIsSentence, let title = marker.title {
                description = title
                marker.title = nil
                markerText = marker.label
            } else if block.lines.count > 1 {
                // Over more lines, a marker has no title, and what follows starts a sentence or a
                // numbered line: `Page 2` / `of the contract…` is one sentence, not a page.
                guard marker.title == nil else { break }
                // (A header on the paragraph's last line, under another header, needs no check.)
                if offset + 1 < block.lines.count {
                    guard let next = block.lines[offset + 1].trimmingWhitespace().first,
                        next.isUppercase || next.isNumber || "(\"“‘'".contains(next)
                    else { break }
                }
            }
            items.append(Item(role: .marker(marker, text: markerText, level: Self.paragraphMarkerLevel),
                              line: block.start.line + offset, column: block.start.column, index: index))
            offset += 1
        }
        guard !items.isEmpty else {
            return [Item(role: .content, line: block.start.line, column: block.start.column, index: index)]
        }
        var rest = Array(block.lines[offset...])
        var restPlain = Array(block.plainLines.dropFirst(offset))
        var restStart = block.start.line + offset
        if let description {
            rest.insert(description, at: 0)
            restPlain.insert(true, at: 0)
            restStart -= 1
        }
        if !rest.isEmpty {
            var part = block
            part.start = SourceLocation(line: restStart, column: block.start.column)
            part.lines = rest
            part.plainLines = restPlain
            part.isPlainText = !restPlain.contains(false)
            items.append(Item(role: .content, line: restStart, column: block.start.column, index: index, part: part))
        }
        return items
    }

    /// Only paragraphs whose first line starts with `pa` + `g`/`n` in any case (after emphasis)
    /// can hold markers; checking the bytes first keeps pass-through fast.
    private func isMarkerCandidate(_ block: MarkdownBlock, _ source: SourceText) -> Bool {
        let line = source.lineContent(block.start.line)
        var index = line.startIndex
        while index < line.endIndex, [0x20, 0x09, 0x2A, 0x5F].contains(line[index]) { index += 1 }  // blanks, `*`, `_`
        guard line.endIndex - index >= 4 else { return false }
        let folded = (line[index] | 0x20, line[index + 1] | 0x20, line[index + 2] | 0x20)
        return folded.0 == 0x70 && folded.1 == 0x61 && (folded.2 == 0x67 || folded.2 == 0x6E)  // p, a, g or n
    }

    // MARK: - Sheets

    private func makeSheet(_ raw: RawPanel, id: String, source: SourceText, settings: ChapterSettings)
        -> ComicPanelImageSheet
    {
        var reader = PanelBodyReader(source: source)
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
            fields: reader.fields, dialogue: reader.dialogue, requiredRoles: roles, imageSite: site,
            nameSites: NameSites.find(lines: raw.markerLine...raw.lastLine, skipping: imageLines, roles: roles,
                                      fields: reader.fields, dialogue: reader.dialogue, source: source))
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
            characters: frontMatter?.characters, visualThesis: frontMatter?.visualThesis)
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
