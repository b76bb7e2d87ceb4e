import Foundation

/// One character of a draft as the chapter names it: an existing database character reused
/// under its canonical name, or a new one to propose.
struct DraftCharacter: Sendable, Equatable {
    /// The speaker name the chapter writes (the canonical name for a reused character).
    var name: String
    var roles: [String]
    var appearance: String
    var personality: String
    var voice: String
    /// The database character this one is (nil for a new character).
    var existingID: String?
    /// How the name resolved (`name`, `alias`, `id`, `role_tag`) when reused.
    var reusedVia: String?
}

/// The cast step's answer made consistent with the character database: a name the database
/// already resolves (through `RoleResolver`, exactly as the pipeline will) is that character,
/// written under its canonical name; any other is a new character for `proposed.json`. Every
/// name is made a valid speaker label (one to five capitalised words).
enum DraftCast {
    static func resolve(_ answer: JSONValue, database: CharacterDatabase?) -> (cast: [DraftCharacter], notes: [String]) {
        let resolver = database.map(RoleResolver.init(database:))
        var cast: [DraftCharacter] = []
        var notes: [String] = []
        var taken: Set<String> = []
        for (index, entry) in (answer["characters"]?.array ?? []).enumerated() {
            let written = entry["name"]?.string ?? ""
            var character = DraftCharacter(
                name: speakerName(written, fallbackNumber: index + 1), roles: (entry["roles"]?.strings ?? []).filter { !$0.isEmpty },
                appearance: entry["appearance"]?.string ?? "", personality: entry["personality"]?.string ?? "",
                voice: entry["voice"]?.string ?? "")
            if let resolver, let database {
                let stripped = character.name.hasPrefix("The ") ? String(character.name.dropFirst(4)) : character.name
                for candidate in [character.name, "New " + stripped, "Another " + stripped] {
                    let resolution = resolver.resolve(candidate)
                    switch resolution.outcome {
                    case .resolved(let id, let via):
                        if let existing = database.character(id: id) {
                            character.existingID = id
                            character.reusedVia = via.rawValue
                            if via == .roleTag {
                                notes.append("cast: \"\(character.name)\" is \(existing.name) (tagged \(candidate == character.name ? "so" : candidate) in the character database), reused")
                            }
                            character.name = existing.name
                        }
                    case .ambiguous(let candidates):
                        notes.append("cast: \"\(candidate)\" could be any of \(candidates.joined(separator: ", ")) in the character database; trying another name")
                        continue
                    case .unknown:
                        character.name = candidate
                    }
                    break
                }
            }
            let key = NameFolding.fold(character.name)
            guard taken.insert(key).inserted else {
                notes.append("cast: \"\(written)\" appears twice; kept once")
                continue
            }
            cast.append(character)
        }
        return (cast, notes)
    }

    private static let numberWords = ["One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten", "Eleven", "Twelve"]
    private static let connectors: Set<String> = ["of", "the", "de", "van", "von", "da", "del", "la", "le", "al", "y"]

    /// A name the chapter format reads as a speaker: one to five capitalised words of letters,
    /// digits and `'’.-` (`captain reyes` → `Captain Reyes`), never a field or script label.
    static func speakerName(_ written: String, fallbackNumber: Int) -> String {
        var words: [String] = []
        for raw in written.split(whereSeparator: { $0.isWhitespace }) {
            var word = String(raw.filter { $0.isLetter || $0.isNumber || "'’.-".contains($0) })
            while let first = word.first, !first.isLetter { word.removeFirst() }
            guard let first = word.first else { continue }
            if !first.isUppercase && !(words.count > 0 && connectors.contains(word.lowercased())) {
                word = first.uppercased() + word.dropFirst()
            }
            words.append(word)
            if words.count == 5 { break }
        }
        var name = words.joined(separator: " ")
        if let label = words.first?.lowercased(), words.count == 1,
           PanelField.Label.matching(label) != nil || LineClassifier.scriptLabels.contains(label) {
            name = "The " + name
        }
        if name.isEmpty || !LineClassifier.looksLikeSpeaker(name) {
            let number = numberWords.indices.contains(fallbackNumber - 1) ? numberWords[fallbackNumber - 1] : "X"
            name = "Character " + number
        }
        return name
    }
}
