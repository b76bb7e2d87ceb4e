/// Everything panelproc knows about one panel: where it stands in the source, what the writer
/// wrote, and (as stages run) what each stage produced. One per panel, a value.
public struct ComicPanelImageSheet: Sendable {
    /// `<chapter-slug>/p01-03`, with `-b`, `-c` for repeated numbers.
    public var id: String
    /// The page number, nil for a panel before any page marker (`p00`).
    var page: Int?
    var number: Int
    /// The marker as written (`Panel 3 — Night market`): the alt text of the image line.
    var markerText: String
    /// The marker's title (`Night market`), if any.
    var title: String?
    /// First (marker) and last non-blank line of the panel in the source.
    public var lines: ClosedRange<Int>
    /// SHA-256 of the normalised panel source plus the chapter settings that feed its stages.
    var contentHash: String

    var sceneDescriptionOriginal: String
    var shotType: ShotType?
    var fields: [PanelField]
    var dialogue: [DialogueLine]
    /// From `Characters:` / `Roles:` fields, as written, in order, without repeats.
    var requiredRoles: [String]

    /// Where the image line goes in the source.
    var imageSite: ImageLineSite
    /// Every name the writer put in the panel (`Characters:` entries, speakers, capitalised runs
    /// of the scene) with its place in the file.
    var nameSites: [NameSite] = []

    /// The short id within the chapter (`p01-03`), as used for file names.
    var localID: String {
        guard let slash = id.lastIndex(of: "/") else { return id }
        return String(id[id.index(after: slash)...])
    }

    /// The panel's lettering in reading order: dialogue, captions, sound effects, titles and credits.
    var lettering: [LetteringLine] {
        var lines = dialogue.map { line in
            LetteringLine(kind: .dialogue, number: line.number, speaker: line.speaker, manner: line.manner,
                          text: line.text, line: line.line)
        }
        for field in fields where field.label.isLettering {
            let kind: LetteringLine.Kind = switch field.label {
            case .sfx: .sfx
            case .title: .title
            case .credits: .credits
            default: .caption
            }
            // A caption's parenthesis names its narrator; a sound's names its source.
            lines.append(LetteringLine(kind: kind, number: field.number, speaker: kind == .caption ? field.qualifier : nil,
                                       manner: kind == .caption ? nil : field.qualifier, text: field.value, line: field.line))
        }
        return lines.sorted { $0.line < $1.line }
    }

    /// Where `name` stands in the file: an exact name first, else a run of words that holds it.
    func location(ofName name: String) -> SourceLocation? {
        let folded = TextTools.fold(name)
        if let site = nameSites.first(where: { TextTools.fold($0.text) == folded }) { return site.location }
        return nameSites.first { TextTools.containsPhrase($0.text, name) }?.location
    }

    /// No scene text, no dialogue and no lettering: nothing to draw.
    var isEmpty: Bool {
        sceneDescriptionOriginal.trimmingWhitespace().isEmpty && dialogue.isEmpty && !fields.contains { $0.label.isLettering }
    }

    func field(_ label: PanelField.Label) -> String? {
        let values = fields.filter { $0.label == label }.map(\.value)
        return values.isEmpty ? nil : values.joined(separator: " ")
    }
}

/// Where a panel's `#### ![alt](path)` line stands or would be inserted, as byte offsets in
/// the original source.
struct ImageLineSite: Sendable, Equatable {
    /// An image line already in the panel (the last one when there are several).
    struct Existing: Sendable, Equatable {
        var line: Int
        /// The line's content bytes (without its terminator).
        var byteRange: Range<Int>
        var image: InlineImage
    }

    var existing: Existing?
    /// Where a new line is inserted: just after the panel's last non-blank line.
    var insertionOffset: Int
    /// True when that last line has no terminator (end of file without a newline).
    var insertionNeedsLineBreak: Bool
}

/// One line of lettering as the writer wrote it: a balloon, caption, sound effect, title or credit.
struct LetteringLine: Sendable, Equatable {
    enum Kind: String, Sendable { case dialogue, caption, sfx, title, credits }

    var kind: Kind
    /// The balloon number a full script gives it (`1 MIRA: …`), if any.
    var number: Int?
    /// Who speaks (dialogue) or narrates (`CAPTION (MIRA):`).
    var speaker: String?
    /// The parentheses after the name, as written (`OFF, WHISPERING`).
    var manner: String?
    var text: String
    var line: Int

    /// The modifiers found in the manner (`OFF` → off-panel); none for captions.
    var modifiers: [LetteringModifier] { kind == .dialogue ? manner.map(LetteringModifier.parse) ?? [] : [] }
}

/// A name as written in a panel, and where.
struct NameSite: Sendable, Equatable {
    var text: String
    var location: SourceLocation
}
