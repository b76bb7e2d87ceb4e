/// Reads a panel body's blocks into scene text, fields, dialogue and shot type.
///
/// Works on flattened inline text, so `**Mira:**`, `Mira:` and `MIRA:` read the same. Full-script
/// lettering lines (`1 MIRA (OFF): …`, `2. CAPTION: …`, an ordered list item `3. SFX: …`) keep
/// their balloon number.
struct PanelBodyReader {
    private(set) var sceneParagraphs: [String] = []
    private(set) var fields: [PanelField] = []
    private(set) var dialogue: [DialogueLine] = []
    private(set) var shotType: ShotType?
    private(set) var images: [(line: Int, image: InlineImage)] = []
    /// The document, for the numbers of ordered list items (cmark-gfm keeps only a list's first).
    let source: SourceText?

    private enum Entry { case field(Int), dialogue(Int) }

    init(source: SourceText? = nil) {
        self.source = source
    }

    mutating func read(_ blocks: [MarkdownBlock]) {
        for block in blocks { read(block) }
        // `Wide establishing shot.`, `Close on Mira…`: the description's first sentence may name the shot.
        if shotType == nil, let first = sceneParagraphs.first { shotType = ShotType.fromProse(first) }
    }

    private mutating func read(_ block: MarkdownBlock, itemNumber: Int? = nil) {
        switch block.kind {
        case .paragraph:
            readParagraph(block, itemNumber: itemNumber)
        case .item:
            // An ordered item's number (`3. MIRA: …`) is the balloon number of its first line.
            var number = itemNumber ?? listItemNumber(block)
            for child in block.children {
                read(child, itemNumber: number)
                number = nil
            }
        case .blockQuote, .list:
            for child in block.children { read(child) }
        case .heading(let level):
            if level == 4, let image = block.image { images.append((block.start.line, image)) }
        default:
            // Code, HTML, tables and rules are the writer's own material, not panel content.
            break
        }
    }

    /// The digits an ordered list item starts with in the source (`12.` or `12)`), if any.
    private func listItemNumber(_ item: MarkdownBlock) -> Int? {
        guard let source, item.start.line >= 1, item.start.line <= source.lineCount else { return nil }
        let content = source.lineContent(item.start.line)
        let from = content.startIndex + max(0, item.start.column - 1)
        guard from < content.endIndex else { return nil }
        let digits = content[from...].prefix { (0x30...0x39).contains($0) }
        guard !digits.isEmpty, digits.count <= 3, digits.endIndex < content.endIndex,
            content[digits.endIndex] == 0x2E || content[digits.endIndex] == 0x29
        else { return nil }
        return Int(String(decoding: digits, as: UTF8.self))
    }

    private mutating func readParagraph(_ block: MarkdownBlock, itemNumber: Int?) {
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
            case .field(let label, let value, let qualifier, let number):
                let balloon = label.isLettering ? number ?? (offset == 0 ? itemNumber : nil) : nil
                fields.append(PanelField(label: label, value: value, line: lineNumber, number: balloon, qualifier: qualifier))
                current = .field(fields.count - 1)
                if label == .shot, shotType == nil { shotType = ShotType.named(in: value) }
            case .dialogue(let speaker, let manner, let text, let number):
                dialogue.append(DialogueLine(speaker: speaker, manner: manner, text: text, line: lineNumber,
                                             number: number ?? (offset == 0 ? itemNumber : nil)))
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
        /// A field; lettering fields (caption, SFX, title, credits) may carry a balloon number.
        case field(PanelField.Label, String, qualifier: String?, number: Int?)
        case dialogue(speaker: String, manner: String?, text: String, number: Int?)
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
        let plain = classifyUnnumbered(line)
        if plain != .text { return plain }
        // `1 MIRA: …`, `1. MIRA: …`, `(1) MIRA: …`: a numbered lettering line. The number counts
        // only before a speaker or a lettering field, so `3 apples: …` stays text.
        guard let (number, rest) = balloonNumber(line) else { return plain }
        switch classifyUnnumbered(rest, numbered: true) {
        case .dialogue(let speaker, let manner, let text, _):
            return .dialogue(speaker: speaker, manner: manner, text: text, number: number)
        case .field(let label, let value, let qualifier, _) where label.isLettering:
            return .field(label, value, qualifier: qualifier, number: number)
        default:
            return plain
        }
    }

    /// A leading `12 `, `12. `, `12) ` or `(12) ` and the text after it.
    private static func balloonNumber(_ line: String) -> (Int, String)? {
        var text = Substring(line)
        let parenthesised = text.first == "("
        if parenthesised { text = text.dropFirst() }
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 3, let number = Int(digits) else { return nil }
        text = text.dropFirst(digits.count)
        if parenthesised {
            guard text.first == ")" else { return nil }
            text = text.dropFirst()
        } else if text.first == "." || text.first == ")" {
            text = text.dropFirst()
        }
        guard let blank = text.first, blank == " " || blank == "\t" else { return nil }
        return (number, text.trimmingWhitespace())
    }

    private static func classifyUnnumbered(_ line: String, numbered: Bool = false) -> Kind {
        guard let colon = line.firstIndex(of: ":") else { return .text }
        var label = line[..<colon].trimmingWhitespace()
        let rest = line[line.index(after: colon)...].trimmingWhitespace()
        guard !label.isEmpty, label.count <= 48 else { return .text }
        // Parentheses after the name: `MIRA (OFF) (WHISPERING):` → manner `OFF, WHISPERING`.
        var parentheses: [String] = []
        while label.hasSuffix(")"), let open = label.lastIndex(of: "(") {
            parentheses.insert(label[label.index(after: open)..<label.index(before: label.endIndex)].trimmingWhitespace(), at: 0)
            label = label[..<open].trimmingWhitespace()
        }
        let manner = parentheses.filter { !$0.isEmpty }.joined(separator: ", ")
        // `Caption (Mira): …` and `SFX (door): …` are fields: a field label is never a speaker.
        if !parentheses.isEmpty, let field = fieldLabel(label, numbered: numbered) {
            return .field(field, rest, qualifier: manner.isEmpty ? nil : manner, number: nil)
        }
        if parentheses.isEmpty, let field = fieldLabel(label, numbered: numbered) {
            return .field(field, rest, qualifier: nil, number: nil)
        }
        if scriptLabels.contains(label.lowercased()) { return .label }
        guard !rest.isEmpty, looksLikeSpeaker(label) else { return .text }
        return .dialogue(speaker: label, manner: manner.isEmpty ? nil : manner, text: unquoted(rest), number: nil)
    }

    /// A field label; a numbered `Title:` is the display title in any case.
    private static func fieldLabel(_ label: String, numbered: Bool) -> PanelField.Label? {
        if numbered, label.lowercased() == "title" { return .title }
        return PanelField.Label.matching(label)
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
