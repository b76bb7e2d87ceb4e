/// A structured field of a panel body: `**Teaching point:** …`, `Caption: …`.
struct PanelField: Sendable, Equatable {
    enum Label: String, Sendable, CaseIterable {
        case shot = "Shot"
        case setting = "Setting"
        case characters = "Characters"
        case roles = "Roles"
        case mood = "Mood"
        case commonExample = "Common example"
        case teachingPoint = "Teaching point"
        case caption = "Caption"
        case sfx = "SFX"
        case notes = "Notes"
        /// Things the picture needs (`**Props:** ledger, lantern`): the sketch draws them as labelled boxes.
        case props = "Props"
        /// Display lettering of a full script: `TITLE: THE DOUBLE SPEND`, `CREDITS: …`.
        case title = "Title"
        case credits = "Credits"

        /// The key used in JSON: `teaching_point`.
        var key: String { rawValue.lowercased().replacingOccurrences(of: " ", with: "_") }

        /// Other spellings writers use for the same fields.
        static let synonyms: [String: Label] = [
            "note": .notes, "character": .characters, "role": .roles, "location": .setting, "place": .setting,
            "sound": .sfx, "sound effect": .sfx, "sound effects": .sfx, "fx": .sfx, "narration": .caption,
            "lesson": .teachingPoint, "camera": .shot, "letterer": .notes, "letterer's note": .notes,
            "letterer’s note": .notes, "note to letterer": .notes, "note to the letterer": .notes,
            "lettering note": .notes, "credit": .credits, "prop": .props,
        ]

        /// The label `text` names. `Title` counts only in capitals (`TITLE:`, as full scripts letter a
        /// display title): a `Title:` in prose has always been scene text and stays so.
        static func matching(_ text: String) -> Label? {
            let trimmed = text.trimmingWhitespace()
            let folded = trimmed.lowercased()
            if folded == "title" { return trimmed == "TITLE" ? .title : nil }
            return allCases.first { $0.rawValue.lowercased() == folded } ?? synonyms[folded]
        }

        /// Fields that are lettering (they become bubbles): captions, sound effects, titles, credits.
        var isLettering: Bool { [.caption, .sfx, .title, .credits].contains(self) }
    }

    var label: Label
    var value: String
    var line: Int
    /// The balloon number a full script gives the line (`3 CAPTION: …`), if any.
    var number: Int? = nil
    /// The parenthesis after the label: a caption's narrator (`CAPTION (MIRA):`), a sound's source.
    var qualifier: String? = nil
}

/// What a full script writes in parentheses after a speaker's name (`MIRA (OFF):`). Anything else
/// in the parentheses stays the line's manner only.
enum LetteringModifier: String, Sendable, CaseIterable {
    /// `(OFF)`, `(O.S.)`: the speaker is not in the panel; the tail points off its edge.
    case offPanel = "off-panel"
    /// `(CONT'D)`: the same speaker's next balloon.
    case continued = "continued"
    case whisper = "whisper"
    case shout = "shout"
    case burst = "burst"
    case thought = "thought"
    /// `(ELECTRONIC)`, `(RADIO)`, `(PHONE)`: a voice through a device.
    case electronic = "electronic"
    case weak = "weak"

    static let spellings: [String: LetteringModifier] = [
        "off": .offPanel, "o.s.": .offPanel, "o.s": .offPanel, "os": .offPanel, "off panel": .offPanel,
        "off-panel": .offPanel, "o.p.": .offPanel, "off screen": .offPanel, "offscreen": .offPanel,
        "off-screen": .offPanel, "o.c.": .offPanel,
        "cont'd": .continued, "cont’d": .continued, "contd": .continued, "cont.": .continued, "cont": .continued,
        "continued": .continued, "continuing": .continued,
        "whisper": .whisper, "whispering": .whisper, "whispers": .whisper, "whispered": .whisper,
        "shout": .shout, "shouting": .shout, "shouts": .shout, "yell": .shout, "yelling": .shout,
        "scream": .shout, "screaming": .shout,
        "burst": .burst, "thought": .thought, "thinking": .thought, "thinks": .thought, "thought balloon": .thought,
        "electronic": .electronic, "radio": .electronic, "phone": .electronic, "tv": .electronic,
        "intercom": .electronic, "speaker": .electronic, "over phone": .electronic, "on phone": .electronic,
        "weak": .weak, "weakly": .weak, "faint": .weak, "faintly": .weak,
    ]

    /// The modifiers named in one parenthesis's text (`OFF`, `OFF, WHISPERING`), in order.
    static func parse(_ text: String) -> [LetteringModifier] {
        var found: [LetteringModifier] = []
        for part in text.split(whereSeparator: { $0 == "," || $0 == ";" || $0 == "/" }) {
            let folded = part.trimmingWhitespace().lowercased()
            if let modifier = spellings[folded], !found.contains(modifier) { found.append(modifier) }
        }
        return found
    }
}

/// One spoken line: `**Theo (smiling):** That'll be one note.`
struct DialogueLine: Sendable, Equatable {
    var speaker: String
    /// How it is said (`smiling`, `whispering`), from the parenthesis after the name.
    var manner: String?
    var text: String
    var line: Int
    /// The balloon number a full script gives the line (`1 MIRA: …`), if any.
    var number: Int? = nil
    /// The modifiers found in the manner (`OFF`, `CONT'D`, `WHISPER`…), in order.
    var modifiers: [LetteringModifier] { manner.map(LetteringModifier.parse) ?? [] }
}

/// Camera framing, from a `Shot:` field or the scene's leading capitals (`WIDE SHOT:`).
enum ShotType: String, Sendable, CaseIterable {
    case establishing = "establishing"
    case wide = "wide"
    case long = "long"
    case full = "full"
    case medium = "medium"
    case mediumCloseUp = "medium-close-up"
    case closeUp = "close-up"
    case extremeCloseUp = "extreme-close-up"
    case overTheShoulder = "over-the-shoulder"
    case birdsEye = "birds-eye"
    case lowAngle = "low-angle"
    case highAngle = "high-angle"
    /// `Insert:`: a cut-in detail (a note's watermark, a screen).
    case insert = "insert"

    /// Spellings writers use, in capitals, longest first so `EXTREME CLOSE-UP` wins over `CLOSE-UP`.
    static let spellings: [(String, ShotType)] = [
        ("EXTREME CLOSE-UP", .extremeCloseUp), ("EXTREME CLOSE UP", .extremeCloseUp),
        ("MEDIUM CLOSE-UP", .mediumCloseUp), ("MEDIUM CLOSE UP", .mediumCloseUp),
        ("OVER-THE-SHOULDER SHOT", .overTheShoulder), ("OVER THE SHOULDER SHOT", .overTheShoulder),
        ("OVER-THE-SHOULDER", .overTheShoulder), ("OVER THE SHOULDER", .overTheShoulder),
        ("ESTABLISHING SHOT", .establishing), ("BIRD'S-EYE VIEW", .birdsEye), ("BIRD'S EYE VIEW", .birdsEye),
        ("BIRDS-EYE VIEW", .birdsEye), ("LOW-ANGLE SHOT", .lowAngle), ("LOW ANGLE SHOT", .lowAngle),
        ("HIGH-ANGLE SHOT", .highAngle), ("HIGH ANGLE SHOT", .highAngle), ("LOW ANGLE", .lowAngle),
        ("HIGH ANGLE", .highAngle), ("EXTREME LONG SHOT", .establishing), ("MEDIUM SHOT", .medium),
        ("MID SHOT", .medium), ("WIDE SHOT", .wide), ("LONG SHOT", .long), ("FULL SHOT", .full),
        ("CLOSE-UP", .closeUp), ("CLOSE UP", .closeUp), ("CLOSEUP", .closeUp), ("INSERT", .insert),
    ]

    /// A leading `WIDE SHOT:` in capitals, and the text after it. Any capitalised label that ends in
    /// SHOT, ANGLE, VIEW or CLOSE-UP, or is POV or INSERT, is a camera direction (its type may be
    /// unknown: `DUTCH ANGLE:`).
    static func leadingPrefix(of line: String) -> (ShotType?, String)? {
        for (spelling, shot) in spellings where line.hasPrefix(spelling) {
            let rest = line.dropFirst(spelling.count)
            guard rest.first == ":" else { continue }
            return (shot, rest.dropFirst().trimmingWhitespace())
        }
        guard let colon = line.firstIndex(of: ":") else { return nil }
        let label = String(line[..<colon])
        guard label.count <= 40, label == label.uppercased(), label.contains(where: \.isLetter) else { return nil }
        let words = label.split(separator: " ")
        let endings = ["SHOT", "ANGLE", "VIEW", "CLOSE-UP", "CLOSEUP"]
        guard let last = words.last, endings.contains(String(last)) || ["POV", "INSERT", "CUTAWAY"].contains(label) else { return nil }
        return (named(in: label), line[line.index(after: colon)...].trimmingWhitespace())
    }

    /// The framing a description's first sentence names, as full scripts write it: `Wide
    /// establishing shot.`, `Medium shot.`, `Close on Mira…`, `Extreme close-up…`, `Bird's-eye
    /// view…`, `Over Theo's shoulder…`, `Insert: …`. Only a sentence that opens with the framing
    /// counts, so `Theo holds the note close.` names none.
    static func fromProse(_ paragraph: String) -> ShotType? {
        let end = paragraph.firstIndex(where: { ".!?;:\n".contains($0) }) ?? paragraph.endIndex
        let sentence = paragraph[..<end].uppercased().replacingOccurrences(of: "’", with: "'")
        var words = sentence.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        if let first = words.first, ["A", "AN", "THE"].contains(first) { words.removeFirst() }
        guard let first = words.first else { return nil }
        let opening = words.prefix(4).joined(separator: " ")
        func opens(_ phrases: [String]) -> Bool {
            phrases.contains { opening == $0 || opening.hasPrefix($0 + " ") || opening.hasPrefix($0 + "-") }
        }
        if first == "INSERT" { return .insert }
        if opens(["EXTREME CLOSE ON", "EXTREME CLOSE", "EXTREME CLOSE-UP", "EXTREME CLOSEUP", "ECU", "XCU"]) {
            return .extremeCloseUp
        }
        if opens(["MEDIUM CLOSE", "MEDIUM CLOSE-UP"]) { return .mediumCloseUp }
        if opens(["CLOSE ON", "CLOSE IN ON", "TIGHT ON", "CLOSE-UP", "CLOSEUP", "CLOSE UP", "TIGHT CLOSE-UP"]) { return .closeUp }
        if first == "OVER", words.prefix(5).contains(where: { $0.hasPrefix("SHOULDER") || $0.hasSuffix("SHOULDER") }) {
            return .overTheShoulder
        }
        if opens(["BIRD'S-EYE", "BIRD'S EYE", "BIRDS-EYE", "BIRDS EYE", "BIRDSEYE", "AERIAL", "OVERHEAD"]) { return .birdsEye }
        // `Wide establishing shot`, `Low angle`: framing words up to a shot noun, and nothing else.
        let framingWords: Set<String> = ["WIDE", "ESTABLISHING", "MEDIUM", "MID", "LONG", "FULL", "EXTREME", "CLOSE",
                                         "LOW", "HIGH", "LOW-ANGLE", "HIGH-ANGLE", "TIGHT", "VERY", "PANORAMIC"]
        let nouns: Set<String> = ["SHOT", "VIEW", "ANGLE", "CLOSE-UP", "CLOSEUP"]
        guard let nounIndex = words.prefix(5).firstIndex(where: { nouns.contains($0) }),
            words[..<nounIndex].allSatisfy({ framingWords.contains($0) })
        else { return nil }
        let phrase = words[...nounIndex].joined(separator: " ")
        if nounIndex == 0 { return nil }
        return named(in: phrase)
    }

    /// The framing named by a `Shot:` field's free text (`close-up on the note`), in any case.
    static func named(in text: String) -> ShotType? {
        let upper = text.uppercased()
        for (spelling, shot) in spellings where upper.hasPrefix(spelling) { return shot }
        for (spelling, shot) in spellings where upper.contains(spelling) { return shot }
        let bare: [(String, ShotType)] = [("ESTABLISHING", .establishing), ("WIDE", .wide), ("MEDIUM", .medium),
                                          ("LONG", .long), ("FULL", .full), ("CLOSE", .closeUp)]
        return bare.first { upper.hasPrefix($0.0) }?.1
    }
}
