/// Letters the panel: speech and thought from its own dialogue, its captions and SFX.
struct BubblesStage: PanelStage {
    static let id = StageID.bubbles
    static let promptName: String? = "bubbles"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineBubbles.answer
    let dependencies: Set<StageID> = [.rewrite, .roleValidation]
    init() {}

    static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        let panel = context.panel
        // Dialogue, captions and SFX in source order: that is the reading order.
        var lines: [(line: Int, value: JSONValue)] = panel.dialogue.map { line in
            (line.line, .object([("kind", .string("dialogue")), ("speaker", .string(line.speaker)),
                                 ("speaker_name", .string(context.canonicalName(line.speaker))),
                                 ("manner", .string(line.manner ?? "")), ("text", .string(line.text))]))
        }
        for field in panel.fields where field.label == .caption || field.label == .sfx {
            lines.append((field.line, .object([("kind", .string(field.label == .caption ? "caption" : "sfx")),
                                               ("speaker", .string("")), ("speaker_name", .string("")),
                                               ("manner", .string("")), ("text", .string(field.value))])))
        }
        lines.sort { $0.line < $1.line }
        return .object([
            ("lines", .array(lines.map(\.value))),
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
            return Bubble(kind: kind, speaker: kind == .caption || kind == .sfx ? nil : speaker, text: text)
        }
        return BubblesResult(bubbles: bubbles, traceID: answer.traceID)
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
