/// A tone-aware rewrite that guarantees every required role by canonical name: an alias in the
/// scene becomes the canonical name; a role the scene does not mention gets a sentence of its own;
/// the panel's mood (or, where the panel has none, the chapter's tone) adds a closing beat; a mood
/// with no known beat gets none, never the tone's. With no roles, no name is added. An empty panel
/// is said to be empty, not given an invented scene.
enum OfflineRewrite {
    /// Closing beats by tone word, in the order tones are tried.
    static let toneBeats: [(String, String)] = [
        ("playful", "the moment has a light, playful bounce"), ("funny", "it is hard not to laugh"),
        ("curious", "curiosity hangs in the air"), ("warm", "everything feels warm and safe"),
        ("tense", "the air is tight with tension"), ("grim", "nobody smiles"), ("dark", "shadows crowd the edges"),
        ("calm", "everything is calm and still"), ("mysterious", "something feels hidden"),
        ("serious", "the moment feels serious"), ("excited", "excitement buzzes through the scene"),
        ("sad", "a quiet sadness settles"), ("hopeful", "there is hope in every face"),
    ]

    /// Closing beats for moods beyond the tone words.
    static let moodBeats: [(String, String)] = toneBeats + [
        ("frighten", "fear grips the moment"), ("scary", "fear grips the moment"), ("scared", "fear grips the moment"),
        ("afraid", "fear grips the moment"), ("fear", "fear grips the moment"), ("terrif", "terror fills the frame"),
        ("horror", "terror fills the frame"), ("ominous", "something ominous waits"), ("menac", "menace fills the air"),
        ("eerie", "an eerie stillness hangs over everything"), ("creepy", "an eerie stillness hangs over everything"),
        ("anxious", "worry tightens every face"), ("nervous", "worry tightens every face"), ("worried", "worry tightens every face"),
        ("angry", "anger crackles in the air"), ("furious", "anger crackles in the air"), ("lonely", "loneliness hangs in the air"),
        ("cheerful", "the moment is bright and cheerful"), ("happy", "happiness lights every face"), ("joy", "happiness lights every face"),
        ("cozy", "everything feels warm and safe"), ("relieved", "relief washes over everyone"),
    ]

    static func answer(_ variables: JSONValue) -> JSONValue {
        var text = (variables["scene"]?.string ?? "").trimmingWhitespace()
        if variables["empty"]?.bool == true {
            text = "This panel is empty: the writer gave it no scene text, dialogue or caption."
        } else if text.isEmpty {
            text = "A conversation unfolds."
        }
        if let last = text.last, !".!?".contains(last) { text += "." }
        for role in variables["roles"]?.array ?? [] {
            guard let canonical = role["canonical_name"]?.string, !canonical.isEmpty else { continue }
            if TextTools.containsPhrase(text, canonical) { continue }
            let aliases = (role["aliases"]?.strings ?? []).sorted { $0.count > $1.count }
            if let replaced = aliases.lazy.compactMap({ TextTools.replacingFirst($0, in: text, with: canonical) }).first {
                text = replaced
            } else {
                text += " \(canonical) is there too."
            }
        }
        if variables["empty"]?.bool == true { return .object([("text", .string(text))]) }
        let mood = TextTools.fold(variables["mood"]?.string ?? "")
        let beats: [String]
        if mood.isEmpty {
            let tone = TextTools.fold(variables["tone"]?.string ?? "")
            beats = toneBeats.filter { tone.contains($0.0) }.prefix(2).map(\.1)
        } else {
            beats = moodBeats.filter { mood.contains($0.0) }.map(\.1).reduce(into: [String]()) { list, beat in
                if !list.contains(beat) { list.append(beat) }
            }.prefix(2).map { $0 }
        }
        if !beats.isEmpty {
            let sentence = beats.joined(separator: ", and ")
            text += " " + sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
        }
        return .object([("text", .string(text))])
    }
}
