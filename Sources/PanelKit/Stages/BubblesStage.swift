/// Letters the panel: speech and thought from its own dialogue, its captions, SFX, titles and credits.
struct BubblesStage: PanelStage {
    static let id = StageID.bubbles
    static let promptName: String? = "bubbles"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineBubbles.answer
    let dependencies: Set<StageID> = [.rewrite, .roleValidation]
    init() {}

    static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        // Dialogue, captions, SFX, titles and credits in source order: that is the reading order.
        // A full script's balloon number joins a line only when written, so a chapter without
        // numbers asks exactly what it asked before.
        let lines = context.panel.lettering.map { line -> JSONValue in
            let speaker = line.speaker ?? ""
            var members: [(String, JSONValue)] = [
                ("kind", .string(line.kind.rawValue)), ("speaker", .string(speaker)),
                ("speaker_name", .string(speaker.isEmpty ? "" : context.canonicalName(speaker))),
                ("manner", .string(line.manner ?? "")), ("text", .string(line.text)),
            ]
            if let number = line.number { members.append(("number", .int(number))) }
            return .object(members)
        }
        return .object([
            ("lines", .array(lines)),
            ("max_bubbles", .int(context.settings.maxBubbles)),
            ("rewrite", .string(results.rewrite?.text ?? "")),
        ])
    }

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> BubblesResult {
        let answer = try await ask(model, Self.variables(context, results), context)
        guard let items = answer.value["bubbles"]?.array else {
            throw StageFailure(stage: id, message: "the answer has no `bubbles` list")
        }
        let bubbles = items.compactMap { item -> Bubble? in
            guard let kind = item["kind"]?.string.flatMap(Bubble.Kind.init(rawValue:)), let text = item["text"]?.string else { return nil }
            let speaker = item["speaker"]?.string.flatMap { $0.isEmpty ? nil : context.canonicalName($0) }
            return Bubble(kind: kind, speaker: kind.isSpoken ? speaker : nil, text: text)
        }
        let lettered = Self.attachingLettering(bubbles, lines: context.panel.lettering, canonicalName: context.canonicalName)
        return BubblesResult(bubbles: lettered, traceID: answer.traceID)
    }

    /// Gives each bubble what the writer said about its line: the balloon number, the kind its
    /// modifiers or label call for (`(SHOUT)` → burst, `TITLE:` → title), off-panel and continued
    /// flags, a caption's narrator. A bubble is matched to the first unused line with the same text
    /// (case and accents ignored); a bubble the model worded differently stays as answered.
    static func attachingLettering(_ bubbles: [Bubble], lines: [LetteringLine], canonicalName: (String) -> String) -> [Bubble] {
        var unused = lines
        return bubbles.map { bubble in
            let folded = TextTools.fold(bubble.text.trimmingWhitespace())
            guard let index = unused.firstIndex(where: { TextTools.fold($0.text.trimmingWhitespace()) == folded }) else {
                return bubble
            }
            let line = unused.remove(at: index)
            var lettered = bubble
            lettered.number = line.number
            let modifiers = line.modifiers
            lettered.offPanel = modifiers.contains(.offPanel)
            lettered.continued = modifiers.contains(.continued)
            switch line.kind {
            case .title: lettered.kind = .title
            case .credits: lettered.kind = .credits
            case .sfx: lettered.kind = .sfx
            case .caption:
                lettered.kind = .caption
                lettered.speaker = line.speaker.map(canonicalName)
            case .dialogue:
                if modifiers.contains(.thought) {
                    lettered.kind = .thought
                } else if modifiers.contains(.burst) || modifiers.contains(.shout) {
                    lettered.kind = .burst
                } else if modifiers.contains(.electronic) {
                    lettered.kind = .electronic
                } else if modifiers.contains(.whisper) {
                    lettered.kind = .whisper
                } else if modifiers.contains(.weak) {
                    lettered.kind = .weak
                }
                if !lettered.kind.isSpoken { lettered.kind = .speech }
                if lettered.speaker == nil { lettered.speaker = canonicalName(line.speaker ?? "") }
            }
            return lettered
        }
    }
}

extension StageID {
    static let bubbles = StageID("bubbles")
}

extension StageResults {
    var bubbles: BubblesResult? {
        get { self[BubblesStage.self] }
        set { self[BubblesStage.self] = newValue }
    }
}
