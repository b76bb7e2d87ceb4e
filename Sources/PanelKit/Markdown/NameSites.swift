/// Finds where each name of a panel stands in the file, so a problem with a role can point at
/// the name itself: `Characters:`/`Roles:` entries, speakers, and capitalised runs of the scene.
enum NameSites {
    static func find(lines: ClosedRange<Int>, skipping: Set<Int>, roles: [String], fields: [PanelField],
                     dialogue: [DialogueLine], source: SourceText) -> [NameSite]
    {
        func text(_ line: Int) -> String { String(decoding: source.lineContent(line), as: UTF8.self) }
        func site(_ name: String, line: Int) -> NameSite? {
            guard let range = text(line).range(of: name) else { return nil }
            let column = text(line)[..<range.lowerBound].utf8.count + 1
            return NameSite(text: name, location: SourceLocation(line: line, column: column))
        }
        var sites: [NameSite] = []
        var lettered = Set(dialogue.map(\.line))
        for field in fields {
            lettered.insert(field.line)
            guard field.label == .characters || field.label == .roles else { continue }
            sites += roles.compactMap { site($0, line: field.line) }
        }
        sites += dialogue.compactMap { site($0.speaker, line: $0.line) }
        for line in lines where !skipping.contains(line) && !lettered.contains(line) {
            sites += capitalisedRuns(text(line), line: line)
        }
        return sites.sorted { $0.location < $1.location }
    }

    /// Runs of capitalised words (`The Stranger`, `Grandma Ada`) with their byte columns.
    static func capitalisedRuns(_ text: String, line: Int) -> [NameSite] {
        var sites: [NameSite] = []
        var start: String.Index?
        var end = text.startIndex
        var index = text.startIndex
        func close() {
            if let from = start {
                sites.append(NameSite(text: String(text[from..<end]),
                                      location: SourceLocation(line: line, column: text[..<from].utf8.count + 1)))
            }
            start = nil
        }
        while index < text.endIndex {
            guard text[index].isLetter else {
                // One blank may join two capitalised words; anything else ends the run.
                if text[index] != " " { close() }
                index = text.index(after: index)
                continue
            }
            var wordEnd = index
            while wordEnd < text.endIndex, text[wordEnd].isLetter || text[wordEnd] == "'" { wordEnd = text.index(after: wordEnd) }
            if text[index].isUppercase {
                if start == nil { start = index }
                end = wordEnd
            } else {
                close()
            }
            index = wordEnd
        }
        close()
        return sites
    }
}
