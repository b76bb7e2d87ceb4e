/// A tone-aware rewrite that guarantees every required role by canonical name: an alias in the
/// scene becomes the canonical name; a role the scene does not mention gets a sentence of its own;
/// the chapter's tone adds a closing beat. With no roles, no name is added.
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

    static func answer(_ variables: JSONValue) -> JSONValue {
        var text = (variables["scene"]?.string ?? "").trimmingWhitespace()
        if text.isEmpty {
            text = (variables["dialogue"]?.array?.isEmpty ?? true) ? "A quiet, wordless moment." : "A conversation unfolds."
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
        let tone = TextTools.fold(variables["tone"]?.string ?? "")
        let beats = toneBeats.filter { tone.contains($0.0) }.prefix(2).map(\.1)
        if !beats.isEmpty {
            let sentence = beats.joined(separator: ", and ")
            text += " " + sentence.prefix(1).uppercased() + sentence.dropFirst() + "."
        }
        return .object([("text", .string(text))])
    }
}
