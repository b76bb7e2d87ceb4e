/// Classifies the panel into one theme of the configured taxonomy.
public struct ThemeStage: PanelStage {
    public let id = StageID.theme
    public let dependencies: Set<StageID> = []
    public init() {}

    public static func variables(_ context: StageContext) -> JSONValue {
        let panel = context.panel
        return .object([
            ("scene", .string(panel.sceneDescriptionOriginal)),
            ("teaching_point", .string(panel.field(.teachingPoint) ?? "")),
            ("mood", .string(panel.field(.mood) ?? "")),
            ("dialogue", context.dialogueVariable),
            ("theme_names", .array(context.taxonomy.names.map(JSONValue.string))),
            ("taxonomy", .array(context.taxonomy.themes.map { theme in
                .object([("name", .string(theme.name)), ("description", .string(theme.description)),
                         ("keywords", .string(theme.keywords.joined(separator: ", ")))])
            })),
        ])
    }

    public func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> StageOutput {
        let answer = try await model.answer(prompt: "theme", variables: Self.variables(context), stage: id, panelID: context.panel.id)
        guard let theme = answer.value["theme"]?.string, let confidence = answer.value["confidence"]?.number else {
            throw StageFailure(stage: id, message: "the answer has no theme or confidence")
        }
        guard context.taxonomy.names.contains(theme) else {
            throw StageFailure(stage: id, message: "`\(theme)` is not in the taxonomy (\(context.taxonomy.names.joined(separator: ", ")))")
        }
        return .theme(ThemeResult(theme: theme, confidence: confidence, rationale: answer.value["rationale"]?.string ?? "",
                                  traceID: answer.traceID))
    }
}
