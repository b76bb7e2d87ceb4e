/// Composes the image prompt and negative prompt from the chapter style, the shot, the setting,
/// each resolved character's canonical appearance, the action, the mood and the teaching point.
public struct ImagePromptStage: PanelStage {
    public let id = StageID.imagePrompt
    public let dependencies: Set<StageID> = [.rewrite, .roleValidation]
    public init() {}

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

    public static func variables(_ context: StageContext, _ results: StageResults) -> JSONValue {
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

    public func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> StageOutput {
        let answer = try await model.answer(prompt: "image_prompt", variables: Self.variables(context, results), stage: id,
                                            panelID: context.panel.id)
        guard let prompt = answer.value["prompt"]?.string else {
            throw StageFailure(stage: id, message: "the answer has no prompt")
        }
        return .imagePrompt(ImagePromptResult(prompt: prompt.trimmingWhitespace(),
                                              negativePrompt: answer.value["negative_prompt"]?.string ?? "",
                                              traceID: answer.traceID))
    }
}
