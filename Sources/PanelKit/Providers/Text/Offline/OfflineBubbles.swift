/// Bubbles straight from the panel: each dialogue line (a thought when its manner says so), each
/// caption and SFX (titles and credits as captions, the kinds the schema knows), in reading order. Nothing is dropped or reworded: the gate decides whether
/// there are too many.
enum OfflineBubbles {
    static func answer(_ variables: JSONValue) -> JSONValue {
        let bubbles = (variables["lines"]?.array ?? []).map { line -> JSONValue in
            let kind = line["kind"]?.string ?? "dialogue"
            let text = line["text"]?.string ?? ""
            switch kind {
            case "caption", "sfx":
                return .object([("kind", .string(kind)), ("speaker", .null), ("text", .string(text))])
            case "title", "credits":
                return .object([("kind", .string("caption")), ("speaker", .null), ("text", .string(text))])
            default:
                let manner = TextTools.fold(line["manner"]?.string ?? "")
                let thinking = manner.contains("think") || manner.contains("thought")
                let speaker = line["speaker_name"]?.string ?? line["speaker"]?.string ?? ""
                return .object([("kind", .string(thinking ? "thought" : "speech")), ("speaker", .string(speaker)), ("text", .string(text))])
            }
        }
        return .object([("bubbles", .array(bubbles))])
    }
}
