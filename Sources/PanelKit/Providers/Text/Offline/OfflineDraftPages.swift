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

    /// Panels per page cycle through the ideal band (middle, low, high, …).
    static func panelCounts(pages: Int, low: Int, high: Int) -> [Int] {
        let low = max(1, low), high = max(low, high)
        let middle = (low + high) / 2
        let rhythm = [middle, low, high]
        return (0..<max(pages, 1)).map { rhythm[$0 % rhythm.count] }
    }

    /// The shot of a scene's later panels, in turn.
    static let shotRhythm = ["medium", "close-up", "over-the-shoulder", "medium-close-up", "wide", "low-angle"]

    static func pages(_ variables: JSONValue) -> JSONValue {
        let scenes = variables["scenes"]?["scenes"]?.array ?? []
        let speakers = variables["speakers"]?.strings ?? []
        let counts = panelCounts(pages: variables["pages"]?.integer ?? 1, low: variables["panels_low"]?.integer ?? 4,
                                 high: variables["panels_high"]?.integer ?? 6)
        let maxBubbles = max(1, variables["max_bubbles"]?.integer ?? 3)
        let point = OfflineDraftStory.nonEmpty(variables["teaching_point"]?.string)
        let total = counts.reduce(0, +)
        let sceneCount = max(scenes.count, 1)
        // Panel j belongs to scene j * scenes / panels, so every scene gets its share in order.
        let sceneOf = (0..<total).map { $0 * sceneCount / total }
        var panelIndex = 0
        var pointPlaced = false
        var pages: [JSONValue] = []
        for count in counts {
            var panels: [JSONValue] = []
            for _ in 0..<count {
                let sceneIndex = sceneOf[panelIndex]
                let scene = scenes.indices.contains(sceneIndex) ? scenes[sceneIndex] : .object([])
                let first = panelIndex == 0 || sceneOf[panelIndex - 1] != sceneIndex
                let within = (0..<panelIndex).filter { sceneOf[$0] == sceneIndex }.count
                let setting = scene["setting"]?.string ?? "world"
                let act = scene["act"]?.string ?? "setup"
                let purpose = scene["purpose"]?.string ?? "TODO: what happens here"
                let characters = (scene["characters"]?.strings ?? []).filter { speakers.isEmpty || speakers.contains($0) }
                let silent = !first && panelIndex % 6 == 3
                let shot = first ? (panelIndex == 0 ? "establishing" : "wide") : shotRhythm[(within - 1) % shotRhythm.count]
                let label = act.prefix(1).uppercased() + act.dropFirst()
                var text = first ? "\(label) beat at the \(setting): \(purpose)." : "\(label) beat, continued: \(purpose)."
                if silent { text += " Silent panel: TODO, the image carries it." }
                var dialogue: [JSONValue] = []
                var caption = ""
                if first {
                    caption = "TODO: a caption that places us at the \(setting)."
                } else if !silent {
                    let voices = characters.isEmpty ? Array(speakers.prefix(1)) : characters
                    let lines = min(maxBubbles, voices.count >= 2 ? 2 : 1, voices.count)
                    for line in 0..<lines {
                        let speaker = voices[(within + line) % voices.count]
                        let short = speaker.hasPrefix("The ") ? speaker : (speaker.split(separator: " ").first.map(String.init) ?? speaker)
                        dialogue.append(.object([("speaker", .string(speaker)), ("text", .string("TODO: what \(short) says here."))]))
                    }
                }
                var teaching = ""
                if let point, !pointPlaced, act == "resolution" {
                    teaching = point
                    pointPlaced = true
                }
                panels.append(.object([
                    ("shot", .string(shot)), ("scene", .string(text)),
                    ("characters", .array(characters.map(JSONValue.string))),
                    ("dialogue", .array(dialogue)), ("caption", .string(caption)), ("teaching_point", .string(teaching)),
                ]))
                panelIndex += 1
            }
            pages.append(.object([("panels", .array(panels))]))
        }
        return .object([("pages", .array(pages))])
    }
}
