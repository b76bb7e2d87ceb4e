import Foundation

/// One panel as the continuity rules read it: its prose in sentences with the characters they
/// name, the setting it is in, and who is there.
struct ContinuityPanel: Sendable {
    var index: Int
    /// `p01-03`.
    var localID: String
    var lines: ClosedRange<Int>
    /// The panel's own `Setting:` (folded), if it has one.
    var ownSetting: String?
    /// Its own setting, or the last one given before it in the chapter.
    var setting: String?
    /// The setting as written, for messages.
    var settingText: String?
    var sentences: [ContinuitySentence]
    /// Listed in `Characters:`/`Roles:`.
    var listed: [String]
    /// Speaking in the panel (not off-panel, not through a device).
    var speakers: [String]
    /// Named in the scene text as themselves (not only as an owner: `Theo's stall`).
    var named: [String]
    /// What it says about time, who leaves and who comes back: read once, used by several rules.
    var markers = TimeMarkers()
    var leavers: [String] = []
    var returners: [String] = []

    /// Everyone in the panel, in order, without repeats.
    var present: [String] {
        var seen: [String] = []
        for id in listed + speakers + named where !seen.contains(id) { seen.append(id) }
        return seen
    }

    func sentences(_ kinds: Set<ContinuitySentence.Kind>) -> [ContinuitySentence] { sentences.filter { kinds.contains($0.kind) } }
}

/// A chapter prepared for the rules: its panels in order, read once.
struct ContinuityChapter: Sendable {
    var slug: String
    var file: String
    var source: SourceText
    var panels: [ContinuityPanel]
    var cast: ContinuityCast?
    /// The database file's lines, to point an alert at the appearance it contradicts.
    var databaseLines: [String]
    var databaseFile: String?

    init(_ chapter: Chapter, database: CharacterDatabase?, cast: ContinuityCast? = nil) {
        slug = chapter.slug
        file = chapter.file
        source = chapter.source
        let cast = cast ?? database.map(ContinuityCast.init)
        self.cast = cast
        databaseFile = database.map { Self.shown($0.path) }
        if let database, let data = FileManager.default.contents(atPath: database.path) {
            databaseLines = String(decoding: data, as: UTF8.self).components(separatedBy: "\n")
        } else {
            databaseLines = []
        }
        var setting: (folded: String, text: String)?
        var panels: [ContinuityPanel] = []
        panels.reserveCapacity(chapter.panels.count)
        for (index, sheet) in chapter.panels.enumerated() {
            var sentences = ContinuitySentence.split(sheet.sceneDescriptionOriginal, kind: .scene)
            for field in sheet.fields {
                switch field.label {
                case .caption: sentences += ContinuitySentence.split(field.value, kind: .caption)
                case .notes: sentences += ContinuitySentence.split(field.value, kind: .notes)
                case .setting: sentences += ContinuitySentence.split(field.value, kind: .setting)
                default: break
                }
            }
            var listed: [String] = [], speakers: [String] = [], named: [String] = []
            if let cast {
                for index in sentences.indices { cast.read(&sentences[index]) }
                for role in sheet.requiredRoles {
                    if let id = cast.listed(role), !listed.contains(id) { listed.append(id) }
                }
                for line in sheet.dialogue {
                    let modifiers = line.modifiers
                    guard !modifiers.contains(.offPanel), !modifiers.contains(.electronic),
                        let id = cast.listed(line.speaker), !speakers.contains(id)
                    else { continue }
                    speakers.append(id)
                }
                for sentence in sentences where sentence.kind == .scene {
                    for mention in sentence.mentions where !mention.possessive && !named.contains(mention.character) {
                        named.append(mention.character)
                    }
                }
            }
            let own = sheet.field(.setting)?.trimmingWhitespace()
            if let own, !own.isEmpty { setting = (Self.place(own), own) }
            panels.append(ContinuityPanel(index: index, localID: sheet.localID, lines: sheet.lines,
                                          ownSetting: own.flatMap { $0.isEmpty ? nil : Self.place($0) },
                                          setting: setting?.folded, settingText: setting?.text, sentences: sentences, listed: listed,
                                          speakers: speakers, named: named))
            panels[index].markers = TimeMarkers.read(panels[index])
            panels[index].leavers = PresenceRule.leavers(in: panels[index])
            panels[index].returners = PresenceRule.returners(in: panels[index])
        }
        self.panels = panels
    }

    /// A setting compared without case, articles or a time of day (`The bank, night` → `bank`).
    static func place(_ text: String) -> String {
        let drop: Set<String> = ["the", "a", "an", "interior", "exterior", "int", "ext", "day", "night", "morning", "evening",
                                 "afternoon", "dawn", "dusk", "noon", "midnight", "later", "continuous", "same", "time"]
        return TextTools.words(text).filter { !drop.contains($0) }.joined(separator: " ")
    }

    /// A site in this chapter: the first line of the panel holding `needle` (any case), else its marker.
    func site(_ panel: ContinuityPanel, _ needle: String? = nil) -> ContinuityAlert.Site {
        if let needle, !needle.isEmpty {
            let folded = TextTools.fold(needle)
            for line in panel.lines {
                let text = String(decoding: source.lineContent(line), as: UTF8.self)
                if let range = TextTools.fold(text).range(of: folded) {
                    let column = TextTools.fold(text)[..<range.lowerBound].utf8.count + 1
                    return .init(chapter: slug, panel: panel.localID, file: file, line: line, column: column)
                }
            }
        }
        return .init(chapter: slug, panel: panel.localID, file: file, line: panel.lines.lowerBound, column: 1)
    }

    /// The character database as a site: the line of `phrase` in the character's entry.
    func databaseSite(character: String, phrase: String) -> ContinuityAlert.Site {
        let file = databaseFile ?? "characters"
        guard let start = databaseLines.firstIndex(where: { $0.contains("\"\(character)\"") }) else {
            return .init(chapter: "", panel: "database", file: file, line: 1, column: 1)
        }
        let folded = TextTools.fold(phrase)
        for index in start..<databaseLines.count {
            if let range = TextTools.fold(databaseLines[index]).range(of: folded) {
                let column = TextTools.fold(databaseLines[index])[..<range.lowerBound].utf8.count + 1
                return .init(chapter: "", panel: "database", file: file, line: index + 1, column: column)
            }
        }
        return .init(chapter: "", panel: "database", file: file, line: start + 1, column: 1)
    }

    /// A path as messages show it: relative to the working folder when under it.
    static func shown(_ path: String) -> String {
        let cwd = FileManager.default.currentDirectoryPath + "/"
        return path.hasPrefix(cwd) ? String(path.dropFirst(cwd.count)) : path
    }

    func name(_ id: String) -> String { cast?.database.character(id: id)?.name ?? id }
}
