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

        /// The key used in JSON: `teaching_point`.
        var key: String { rawValue.lowercased().replacingOccurrences(of: " ", with: "_") }

        /// Other spellings writers use for the same fields.
        static let synonyms: [String: Label] = [
            "note": .notes, "character": .characters, "role": .roles, "location": .setting, "place": .setting,
            "sound": .sfx, "sound effect": .sfx, "sound effects": .sfx, "fx": .sfx, "narration": .caption,
            "lesson": .teachingPoint, "camera": .shot,
        ]

        static func matching(_ text: String) -> Label? {
            let folded = text.trimmingWhitespace().lowercased()
            return allCases.first { $0.rawValue.lowercased() == folded } ?? synonyms[folded]
        }
    }

    var label: Label
    var value: String
    var line: Int
}

/// One spoken line: `**Theo (smiling):** That'll be one note.`
struct DialogueLine: Sendable, Equatable {
    var speaker: String
    /// How it is said (`smiling`, `whispering`), from the parenthesis after the name.
    var manner: String?
    var text: String
    var line: Int
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
        ("CLOSE-UP", .closeUp), ("CLOSE UP", .closeUp), ("CLOSEUP", .closeUp),
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
