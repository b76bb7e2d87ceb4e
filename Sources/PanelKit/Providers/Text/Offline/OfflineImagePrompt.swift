/// Composes an image prompt from the structured fields: style header, framing, setting, each
/// character's canonical appearance, the action, the mood and the teaching point as a visual idea.
/// Action sentences that repeat the chapter's common example are left out.
enum OfflineImagePrompt {
    static let framing: [String: String] = [
        "establishing": "establishing shot showing the whole place",
        "wide": "wide shot with the full scene in view",
        "long": "long shot, figures small in their surroundings",
        "full": "full shot, figures seen head to toe",
        "medium": "medium shot, figures from the waist up",
        "medium-close-up": "medium close-up, head and shoulders",
        "close-up": "close-up on the key detail",
        "extreme-close-up": "extreme close-up on a single detail",
        "over-the-shoulder": "over-the-shoulder view",
        "birds-eye": "bird's-eye view from above",
        "low-angle": "low-angle view looking up",
        "high-angle": "high-angle view looking down",
        "insert": "insert shot: one object filling the frame",
    ]

    static let negative = "text, letters, words, speech bubbles, captions, watermark, signature, logo, blurry, distorted hands, extra fingers"

    static func answer(_ variables: JSONValue) -> JSONValue {
        func value(_ key: String) -> String { (variables[key]?.string ?? "").trimmingWhitespace() }
        func clause(_ text: String) -> String {
            var text = text.trimmingWhitespace()
            while let last = text.last, ".!?;:".contains(last) { text.removeLast() }
            return text
        }
        var parts: [String] = []
        let style = value("style").isEmpty ? "comic panel illustration" : value("style")
        parts.append(value("palette").isEmpty ? style : "\(style), palette of \(value("palette"))")
        parts.append(framing[value("shot")] ?? (value("shot").isEmpty ? "medium shot" : value("shot")))
        if !value("setting").isEmpty { parts.append("setting: \(clause(value("setting")))") }
        let characters = (variables["characters"]?.array ?? []).compactMap { character -> String? in
            guard let name = character["name"]?.string else { return nil }
            let appearance = clause(character["appearance"]?.string ?? "")
            return appearance.isEmpty ? name : "\(name) (\(appearance))"
        }
        if !characters.isEmpty { parts.append("characters: " + characters.joined(separator: "; ")) }
        let example = value("common_example")
        let action = TextTools.sentences(value("action"))
            .filter { example.isEmpty || TextTools.ngramOverlap(of: $0, with: example) == 0 }
            .map(clause).joined(separator: "; ")
        if !action.isEmpty { parts.append("action: \(action)") }
        if !value("mood").isEmpty { parts.append("mood: \(clause(value("mood")))") }
        if !value("teaching_point").isEmpty {
            parts.append("visual idea: \(clause(value("teaching_point"))), shown through gesture and expression")
        }
        parts.append("leave the upper third of the frame uncluttered")
        return .object([("prompt", .string(parts.joined(separator: ". ") + ".")), ("negative_prompt", .string(negative))])
    }
}
