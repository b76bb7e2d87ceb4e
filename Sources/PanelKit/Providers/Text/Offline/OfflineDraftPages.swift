/// The offline engine's last two draft steps: a scene per beat, then pages with the panel counts
/// the pacing defaults ask for, shot types in a fixed rhythm, scene text that states the beat,
/// and lettering marked `TODO` within the bubble cap.
enum OfflineDraftPages {
    /// One scene per beat of the chosen arc, with the cast members the beat names.
    static func scenes(_ variables: JSONValue) -> JSONValue {
        let beats = variables["narrative"]?["beats"]?.array ?? []
        let names = (variables["cast"]?.array ?? []).compactMap { $0["name"]?.string }
        let scenes: [JSONValue] = beats.map { beat in
            let summary = beat["summary"]?.string ?? ""
            let act = beat["act"]?.string ?? "setup"
            var present = names.filter { TextTools.containsPhrase(summary, $0) }
            if present.isEmpty, let first = names.first { present = [first] }
            return .object([
                ("setting", .string(beat["setting"]?.string ?? "world")),
                ("characters", .array(present.map(JSONValue.string))),
                ("purpose", .string(summary)),
                ("act", .string(act)),
            ])
        }
        return .object([("scenes", .array(scenes))])
    }

    /// The shot of a scene's later panels, in turn.
    static let shotRhythm = ["medium", "close-up", "over-the-shoulder", "medium-close-up", "wide", "low-angle"]

    /// One page: each scene on it gets the panels it was given. A scene's first panel sets it up
    /// (establishing or wide, a caption placing it); the others take the next shot of the rhythm
    /// and `TODO` lines (at most two, within the bubble cap); of every six panels of the chapter
    /// one is silent and one carries narration only, so about half the panels hold dialogue.
    static func page(_ variables: JSONValue) -> JSONValue {
        let speakers = variables["speakers"]?.strings ?? []
        let maxBubbles = max(1, variables["max_bubbles"]?.integer ?? 3)
        var point = OfflineDraftStory.nonEmpty(variables["teaching_point"]?.string)
        var index = variables["first_panel"]?.integer ?? 0
        var panels: [JSONValue] = []
        for scene in variables["scenes"]?.array ?? [] {
            let setting = scene["setting"]?.string ?? "world"
            let act = scene["act"]?.string ?? "setup"
            let purpose = scene["purpose"]?.string ?? "TODO: what happens here"
            let characters = (scene["characters"]?.strings ?? []).filter { speakers.isEmpty || speakers.contains($0) }
            let label = act.prefix(1).uppercased() + act.dropFirst()
            let opens = scene["continues"]?.bool != true
            for within in 0..<max(scene["panels"]?.integer ?? 1, 1) {
                let first = opens && within == 0
                let silent = !first && index % 6 == 3
                let shot = first ? (index == 0 ? "establishing" : "wide") : shotRhythm[index % shotRhythm.count]
                var text = first ? "\(label) beat at the \(setting): \(purpose)." : "\(label) beat, continued: \(purpose)."
                if silent { text += " Silent panel: TODO, the image carries it." }
                var dialogue: [JSONValue] = []
                var caption = ""
                if first {
                    caption = "TODO: a caption that places us at the \(setting)."
                } else if index % 6 == 0 {
                    caption = "TODO: narration that moves the \(act) on."
                } else if !silent {
                    let voices = characters.isEmpty ? Array(speakers.prefix(1)) : characters
                    for line in 0..<min(maxBubbles, 2, voices.count) {
                        let speaker = voices[(index + line) % voices.count]
                        dialogue.append(.object([("speaker", .string(speaker)), ("text", .string("TODO: what \(speaker) says here."))]))
                    }
                }
                var teaching = ""
                if let current = point, act == "resolution" || scene == variables["scenes"]?.array?.last {
                    teaching = current
                    point = nil
                }
                panels.append(.object([
                    ("shot", .string(shot)), ("scene", .string(text)),
                    ("characters", .array(characters.map(JSONValue.string))),
                    ("dialogue", .array(dialogue)), ("caption", .string(caption)), ("teaching_point", .string(teaching)),
                ]))
                index += 1
            }
        }
        return .object([("panels", .array(panels))])
    }
}
