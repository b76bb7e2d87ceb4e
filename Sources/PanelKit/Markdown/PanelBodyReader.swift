/// Reads a panel body's blocks into scene text, fields, dialogue and shot type.
///
/// Works on flattened inline text, so `**Mira:**`, `Mira:` and `MIRA:` read the same.
struct PanelBodyReader {
    private(set) var sceneParagraphs: [String] = []
    private(set) var fields: [PanelField] = []
    private(set) var dialogue: [DialogueLine] = []
    private(set) var shotType: ShotType?
    private(set) var images: [(line: Int, image: InlineImage)] = []

    private enum Entry { case field(Int), dialogue(Int) }

    mutating func read(_ blocks: [MarkdownBlock]) {
        for block in blocks { read(block) }
    }

    private mutating func read(_ block: MarkdownBlock) {
        switch block.kind {
        case .paragraph:
            readParagraph(block)
        case .blockQuote, .list, .item:
            for child in block.children { read(child) }
        case .heading(let level):
            if level == 4, let image = block.image { images.append((block.start.line, image)) }
        default:
            // Code, HTML, tables and rules are the writer's own material, not panel content.
            break
        }
    }

    private mutating func readParagraph(_ block: MarkdownBlock) {
        var scene: [String] = []
        var current: Entry?
        for (offset, rawLine) in block.lines.enumerated() {
            let line = rawLine.trimmingWhitespace()
            let lineNumber = block.start.line + offset
            if line.isEmpty { continue }
            if current == nil, scene.isEmpty, let (shot, rest) = ShotType.leadingPrefix(of: line) {
                shotType = shotType ?? shot
                if !rest.isEmpty { scene.append(rest) }
                continue
            }
            switch LineClassifier.classify(line) {
            case .field(let label, let value):
                fields.append(PanelField(label: label, value: value, line: lineNumber))
                current = .field(fields.count - 1)
                if label == .shot, shotType == nil { shotType = ShotType.named(in: value) }
            case .dialogue(let speaker, let manner, let text):
                dialogue.append(DialogueLine(speaker: speaker, manner: manner, text: text, line: lineNumber))
                current = .dialogue(dialogue.count - 1)
            case .label:
                current = nil
                scene.append(line)
            case .text:
                switch current {
                case .field(let index): fields[index].value = joined(fields[index].value, line)
                case .dialogue(let index): dialogue[index].text = LineClassifier.unquoted(joined(dialogue[index].text, line))
                case nil: scene.append(line)
                }
            }
        }
        if !scene.isEmpty { sceneParagraphs.append(scene.joined(separator: " ")) }
    }

    private func joined(_ head: String, _ tail: String) -> String {
        head.isEmpty ? tail : head + " " + tail
    }
}

/// Decides what one line of a panel paragraph is.
enum LineClassifier {
    enum Kind: Equatable {
        case field(PanelField.Label, String)
        case dialogue(speaker: String, manner: String?, text: String)
        /// A script label such as `Flashback:`: scene text that starts a new line of its own.
        case label
        case text
    }

    private static let nameConnectors: Set<String> = ["of", "the", "de", "van", "von", "da", "del", "la", "le", "al", "y"]

    /// Labels scripts use that are never speakers (`Flashback: …`, `Later: …`): read as scene text.
    static let scriptLabels: Set<String> = ["flashback", "later", "meanwhile", "earlier", "time", "scene", "cut", "cut to",
                                            "transition", "panel", "page", "insert", "title", "description", "action",
                                            "background", "foreground", "beat", "pov", "todo", "draft", "idea"]

    static func classify(_ line: String) -> Kind {
        guard let colon = line.firstIndex(of: ":") else { return .text }
        var label = line[..<colon].trimmingWhitespace()
        let rest = line[line.index(after: colon)...].trimmingWhitespace()
        guard !label.isEmpty, label.count <= 48 else { return .text }
        // `Caption (Mira): …` and `SFX (door): …` are fields: a field label is never a speaker.
        if label.hasSuffix(")"), let open = label.firstIndex(of: "("),
            let field = PanelField.Label.matching(String(label[..<open]))
        {
            return .field(field, rest)
        }
        var manner: String?
        if label.hasSuffix(")"), let open = label.firstIndex(of: "(") {
            manner = label[label.index(after: open)..<label.index(before: label.endIndex)].trimmingWhitespace()
            label = label[..<open].trimmingWhitespace()
            if manner?.isEmpty == true { manner = nil }
        }
        if manner == nil, let field = PanelField.Label.matching(label) {
            return .field(field, rest)
        }
        if scriptLabels.contains(label.lowercased()) { return .label }
        guard !rest.isEmpty, looksLikeSpeaker(label) else { return .text }
        return .dialogue(speaker: label, manner: manner, text: unquoted(rest))
    }

    /// One to five capitalised words (`Theo`, `Grandma Ada`, `THE STRANGER`, `Captain of the Guard`).
    static func looksLikeSpeaker(_ label: String) -> Bool {
        let words = label.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard (1...5).contains(words.count) else { return false }
        for (index, word) in words.enumerated() {
            guard word.allSatisfy({ $0.isLetter || $0.isNumber || "'’.-".contains($0) }) else { return false }
            if let first = word.first, first.isUppercase { continue }
            if index > 0, nameConnectors.contains(word.lowercased()) { continue }
            return false
        }
        return true
    }

    /// `"Can I use it twice?"` → `Can I use it twice?`
    static func unquoted(_ text: String) -> String {
        let pairs: [(Character, Character)] = [("\"", "\""), ("“", "”"), ("«", "»"), ("„", "“")]
        for (open, close) in pairs where text.count >= 2 && text.first == open && text.last == close {
            let inner = text.dropFirst().dropLast()
            if !inner.contains(open) || open == close && inner.filter({ $0 == open }).count % 2 == 0 {
                return inner.trimmingWhitespace()
            }
        }
        return text
    }
}
