/// Classifies the panel into one theme of the configured taxonomy.
struct ThemeStage: PanelStage {
    static let id = StageID.theme
    static let promptName: String? = "theme"
    static let offlineEngine: (@Sendable (JSONValue) -> JSONValue)? = OfflineTheme.answer
    let dependencies: Set<StageID> = []
    init() {}

    static func variables(_ context: StageContext) -> JSONValue {
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

    func run(_ context: StageContext, _ results: StageResults, _ model: any StageModel) async throws(StageFailure) -> ThemeResult {
        let answer = try await ask(model, Self.variables(context), context)
        guard let theme = answer.value["theme"]?.string, let confidence = answer.value["confidence"]?.number else {
            throw StageFailure(stage: id, message: "the answer has no theme or confidence")
        }
        guard context.taxonomy.names.contains(theme) else {
            throw StageFailure(stage: id, message: "`\(theme)` is not in the taxonomy (\(context.taxonomy.names.joined(separator: ", ")))")
        }
        return ThemeResult(theme: theme, confidence: confidence, rationale: answer.value["rationale"]?.string ?? "",
                                  traceID: answer.traceID)
    }
}

extension StageID {
    static let theme = StageID("theme")
}

extension StageResults {
    public var theme: ThemeResult? {
        get { self[ThemeStage.self] }
        set { self[ThemeStage.self] = newValue }
    }
}
