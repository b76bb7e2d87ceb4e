/// The warnings a letterer needs from a full script: a page whose declared panel count is not
/// the count found, and balloon numbers that skip or repeat within a page.
enum FullScriptChecks {
    /// `PAGE ONE declares five panels; found 3`, at the header's line.
    static func declaredCounts(_ headers: [ChapterParser.PageHeader], pages: [ChapterPage], file: String) -> [Diagnostic] {
        zip(headers, pages).compactMap { header, page in
            guard let declared = header.marker.declaredPanels, declared.count != page.panelIDs.count else { return nil }
            let noun = declared.count == 1 ? "panel" : "panels"
            return Diagnostic(.warning, file: file, location: SourceLocation(line: header.line, column: header.column),
                              message: "\(header.marker.label) declares \(declared.written) \(noun); found \(page.panelIDs.count)")
        }
    }

    /// Balloon numbers run 1, 2, 3… through each page, across its panels; a gap or a repeat is
    /// a warning at the line that breaks the run. Unnumbered lines are not counted.
    static func balloonNumbering(panels: [(pageIndex: Int?, panel: ComicPanelImageSheet)], pages: [ChapterParser.PageHeader],
                                 source: SourceText, file: String) -> [Diagnostic]
    {
        var diagnostics: [Diagnostic] = []
        var previous: (page: Int?, number: Int)?
        for (pageIndex, panel) in panels {
            let place = pageIndex.map { "on \(pages[$0].marker.label)" } ?? "before the first page"
            for line in panel.lettering {
                guard let number = line.number else { continue }
                let last = previous?.page == pageIndex ? previous?.number ?? 0 : 0
                previous = (pageIndex, number)
                let message: String
                if number == last + 1 {
                    continue
                } else if number == last {
                    message = "balloon \(number) \(place) is numbered twice; letterers place balloons by these numbers"
                } else if number < last {
                    message = "balloon numbering \(place) goes back from \(last) to \(number); it should run on through the page"
                } else {
                    let missing = number - last == 2 ? "\(last + 1) is" : "\(last + 1)–\(number - 1) are"
                    message = last == 0
                        ? "balloon numbering \(place) starts at \(number) (\(missing) missing)"
                        : "balloon numbering \(place) skips from \(last) to \(number) (\(missing) missing)"
                }
                diagnostics.append(Diagnostic(.warning, file: file, location: numberLocation(line.line, source),
                                              message: message))
            }
        }
        return diagnostics
    }

    /// Where a numbered line's number stands: its first digit or `(` near the line's start.
    private static func numberLocation(_ line: Int, _ source: SourceText) -> SourceLocation {
        let content = source.lineContent(line)
        let lead = content.prefix(12)
        let digit = lead.firstIndex { (0x30...0x39).contains($0) || $0 == 0x28 }
        let blank = content.firstIndex { $0 != 0x20 && $0 != 0x09 }
        let index = digit ?? blank ?? content.startIndex
        return SourceLocation(line: line, column: index - content.startIndex + 1)
    }
}
