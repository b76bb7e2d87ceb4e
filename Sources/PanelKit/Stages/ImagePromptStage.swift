/// Composes the image prompt and negative prompt from the chapter style, the shot, the setting,
/// each resolved character's canonical appearance, the action, the mood and the teaching point.
struct ImagePromptStage: PanelStage {
    static let id = StageID.imagePrompt
    static let promptName: String? = "image_prompt"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineImagePrompt.answer
    let dependencies: Set<StageID> = [.rewrite, .roleValidation]
    init() {}

    /// The rewrite with every unresolved role name replaced, so no unknown name reaches a prompt.
    static func action(_ results: StageResults) -> String {
        var text = results.rewrite?.text ?? ""
        for resolution in results.roleValidation?.unresolved ?? [] {
            while let replaced = TextTools.replacingFirst(resolution.role, in: text, with: "an unnamed figure") { text = replaced }
        }
        for name in results.roleValidation?.invented ?? [] {
            while let replaced = TextTools.replacingFirst(name, in: text, with: "a figure") { text = replaced }
        }
        return text
    }

    static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
        let panel = context.panel
        let settings = context.settings
        let characters = (results.roleValidation?.resolvedIDs ?? []).reduce(into: [CharacterProfile]()) { list, id in
            if let character = context.characters?.character(id: id), !list.contains(where: { $0.id == id }) { list.append(character) }
        }
        return .object([
            ("style", .string(settings.style ?? "")),
            ("palette", .string(settings.palette.joined(separator: ", "))),
            ("shot", .string(panel.shotType?.rawValue ?? panel.field(.shot) ?? "")),
            ("setting", .string(panel.field(.setting) ?? "")),
            ("characters", .array(characters.map { character in
                .object([("name", .string(character.name)), ("appearance", .string(character.appearance))])
            })),
            ("action", .string(action(results))),
            ("mood", .string(panel.field(.mood) ?? "")),
            ("teaching_point", .string(panel.field(.teachingPoint) ?? "")),
            ("common_example", .string(panel.field(.commonExample) ?? settings.commonExample ?? "")),
        ])
    }

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> ImagePromptResult {
        let answer = try await ask(model, Self.variables(context, results), context)
        guard let prompt = answer.value["prompt"]?.string else {
            throw StageFailure(stage: id, message: "the answer has no prompt")
        }
        return ImagePromptResult(prompt: prompt.trimmingWhitespace(),
                                              negativePrompt: answer.value["negative_prompt"]?.string ?? "",
                                              traceID: answer.traceID)
    }
}

extension StageID {
    static let imagePrompt = StageID("image_prompt")
}

extension StageResults {
    var imagePrompt: ImagePromptResult? {
        get { self[ImagePromptStage.self] }
        set { self[ImagePromptStage.self] = newValue }
    }
}
