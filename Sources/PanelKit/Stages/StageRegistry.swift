/// Every stage a panel goes through, listed once. The order is the order of stages in
/// `chapter.json`; the chain runs them by their declared dependencies. Everything that needs to
/// know the stages derives it from here: the prompt templates a run needs, the calls a panel
/// costs, the offline engine's dispatch, export keys and trace ids.
///
/// Adding a stage: a `<Name>Stage.swift` here (the stage, its result type, its `StageID`), an
/// offline engine in `Providers/Text/Offline/`, a `Prompts/<name>.yml` template, and one line below.
enum StageRegistry {
    static let all: [any PanelStage] = [
        ThemeStage(), RolesStage(), RewriteStage(), RoleValidationStage(), ImagePromptStage(), BubblesStage(), ChecklistStage(),
    ]

    /// Stage ids in output order.
    static let ids: [StageID] = all.map(\.id)

    /// The prompt templates a run needs: one per model stage.
    static let promptNames: [String] = all.compactMap { type(of: $0).promptName }

    /// Model calls a panel costs when every stage runs.
    static var modelCallsPerPanel: Int { promptNames.count }

    /// The offline engine for each prompt.
    static let offlineEngines: [String: @Sendable (JSONValue) -> JSONValue] = Dictionary(
        uniqueKeysWithValues: all.compactMap { stage in
            let type = type(of: stage)
            guard let name = type.promptName, let engine = type.offlineEngine else { return nil }
            return (name, engine)
        })
}
